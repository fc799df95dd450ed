import { Command, CommanderError } from 'commander';
import { registerLocalCommands, type Run } from './commands/local';
import { registerLbCommands } from './commands/lb';
import { registerRollingCommand } from './commands/rolling';
import { registerServeCommand } from './commands/serve';
import { registerReloadCommand } from './commands/reload';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes';
import { Output } from './output';
import { DURATION_HELP } from './parse';
import { VERSION } from './version';

const EPILOG = `
Exit codes:
  0  done
  1  failed (the app, the load balancer or the command said no)
  2  usage error (bad subcommand, flag or value; usage goes to stderr)
  3  timed out (load balancer, in-flight requests, readiness or fleet lock)
  130, 143  interrupted by SIGINT (Ctrl-C) or SIGTERM; rolling first puts the target it has out back

${DURATION_HELP}

Environment:
  ZERODOWN_CONTROL_SOCKET   the app's control socket (same variable as in the app); off, false,
                            0, none or disabled turn the channel off (the CLI then searches the
                            default directories only)
  ZERODOWN_REDIS_URL        fleet guard Redis (like --redis)
  AWS_REGION, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2, AWS_EC2_METADATA_SERVICE_ENDPOINT  (lb, rolling)

Examples:
  zerodown drain --wait-idle --timeout 2m      pull this host's app out, wait until idle
  zerodown resume                              put it back, wait until ready
  zerodown lb deregister --target-group arn:aws:elasticloadbalancing:...  (this EC2 instance)
  zerodown rolling --target-group arn:... --exec 'ssh {target} sudo /usr/local/bin/patch'
  zerodown serve server.js --workers 4 --port 3000   run 4 workers; reload with: zerodown reload
`;

/** Core option names (in `ZerodownConfigError.field`) and the flags that set them. */
const FLAG_OF_FIELD: Record<string, string> = { targetGroupArns: '--target-group', 'target.id': '--target-id', 'target.port': '--port', port: '--port', pollIntervalMs: '--poll-interval', timeoutMs: '--timeout' };

/** A config error rejected by core, reworded with the CLI flag that set the value. */
function asFlagError(error: unknown): unknown {
  const e = error as { field?: unknown; message?: unknown; code?: unknown };
  const flag = typeof e.field === 'string' ? FLAG_OF_FIELD[e.field] : undefined;
  if (!flag || typeof e.message !== 'string') return error;
  const message = e.message.startsWith(`${String(e.field)}: `) ? e.message.slice(String(e.field).length + 2) : e.message;
  return { code: e.code, message: `invalid ${flag}: ${message}` };
}

/** Builds the `zerodown` command; `setExit` receives each action's exit code. */
export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command('zerodown');
  program
    .version(VERSION, '-V, --version')
    .description('drain, resume and inspect a zerodown app; take targets out of and back into a load balancer; rolling patches')
    .exitOverride()
    .showHelpAfterError()
    .allowExcessArguments(false)
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', EPILOG);

  const run: Run = async (fn, json, cmd) => {
    const out = new Output(json === true);
    // core's waits use unref'd timers (they never hold an app open): hold the CLI open until the command ends
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      setExit(await fn(out));
    } catch (error) {
      if (error instanceof CommanderError) throw error;
      const code = exitCodeFor(error);
      out.error(code === EXIT.usage ? asFlagError(error) : error, code);
      // a value core rejected (ZERODOWN_CONFIG, e.g. a malformed ARN) is a usage error: show the usage like commander does
      if (code === EXIT.usage && cmd) process.stderr.write(cmd.helpInformation());
      setExit(code);
    } finally {
      clearInterval(keepAlive);
    }
  };
  registerLocalCommands(program, run);
  registerLbCommands(program, run);
  registerRollingCommand(program, run);
  registerServeCommand(program, run);
  registerReloadCommand(program, run);
  return program;
}

/** Runs `zerodown` with user arguments (no `node`/script prefix); resolves with the exit code. */
export async function main(args: string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    throw error;
  }
  return code;
}
