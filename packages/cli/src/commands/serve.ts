import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { LoadBalancerAdapter, ZerodownOptions } from '@zerodown/core';
import type { MasterOptions } from '@zerodown/core/cluster';
import { loadCluster } from '../core-loader';
import type { ExitCode } from '../exit-codes';
import { collect, durationOption, parseCount, parseDuration, parsePort } from '../parse';
import type { Run } from './local';

interface ServeCliOptions {
  workers?: number;
  port?: number;
  listen?: { host: string; port: number };
  cwd?: string;
  surge: number;
  readyTimeout: number;
  minUptime: number;
  drainTimeout?: number;
  drainDelay?: number;
  maxRestarts: number;
  restartWindow: number;
  socket?: string;
  service?: string;
  alertWebhook?: string[];
  config?: string;
}

/** What a `--config` module exports (or a function returns, possibly async). */
export interface ServeConfigModule {
  /** Options of the master's zerodown instance (alerts, drain timing). */
  zerodown?: ZerodownOptions;
  /** The host's load-balancer adapter (deregistered once on SIGTERM/SIGINT). */
  loadBalancer?: LoadBalancerAdapter;
}

/** `0` or a duration (`--drain-delay 0` turns the host drain delay off). */
function parseDurationOrZero(value: string): number {
  return value.trim() === '0' ? 0 : parseDuration(value);
}

/** `HOST:PORT`, `:PORT` or `PORT`. */
function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected HOST:PORT, :PORT or PORT, got "${value}"`);
  return { host: m[1] || '0.0.0.0', port: parsePort(m[2]!) };
}

async function loadConfig(file: string): Promise<ServeConfigModule> {
  const mod = require(resolve(file)) as ServeConfigModule | (() => ServeConfigModule | Promise<ServeConfigModule>) | { default?: unknown };
  const value = typeof mod === 'function' ? await mod() : 'default' in mod && mod.default ? (mod.default as ServeConfigModule) : (mod as ServeConfigModule);
  return value ?? {};
}

/** Registers `serve`. */
export function registerServeCommand(program: Command, run: Run): void {
  program
    .command('serve')
    .description('run the app in N workers behind one listening socket (node:cluster); SIGHUP, SIGUSR2 or `zerodown reload` replace them one by one with zero downtime')
    .argument('<entry>', "the app's entry file (relative to --cwd; a `current` symlink is followed again on every reload)")
    .argument('[args...]', 'arguments passed to the entry')
    .option('-w, --workers <n>', 'workers to run (default: os.availableParallelism())', parseCount(1))
    .option('--port <port>', 'set PORT for the workers (the app listens on it; the master holds the socket)', parsePort)
    .option('--listen <addr>', 'HOST:PORT: set HOST and PORT for the workers', parseListen)
    .option('--cwd <dir>', 'working directory of the workers (default: the current one); symlinks are resolved on every reload')
    .option('--surge <k>', 'new workers started at once during a reload; never more than N + K alive', parseCount(1), 1)
    .addOption(durationOption('--ready-timeout <duration>', 'how long a new worker may take to become ready before the reload stops', 30000))
    .addOption(durationOption('--min-uptime <duration>', 'a new worker must stay up this long after it became ready before an old one drains', 1000))
    .option('--drain-timeout <duration>', 'deadline of the host drain on SIGTERM/SIGINT (default: $ZERODOWN_DRAIN_TIMEOUT_MS, else the drain rules)', parseDuration)
    .option('--drain-delay <duration>', 'how long the host keeps serving after failing readiness on SIGTERM/SIGINT, so the load balancer stops routing (0: none; default: $ZERODOWN_DRAIN_DELAY_MS, else health-check interval x unhealthy threshold)', parseDurationOrZero)
    .option('--max-restarts <n>', 'crashes within --restart-window after which the master stops respawning', parseCount(0), 5)
    .addOption(durationOption('--restart-window <duration>', 'the window crashes are counted in', 60000))
    .option('--socket <path>', "the master's control socket (default: $XDG_RUNTIME_DIR/zerodown, /run/zerodown or $TMPDIR/zerodown-<uid>, file <service>-<pid>.sock)")
    .option('--service <name>', "the master's service name (default: the entry's package name)")
    .option('--alert-webhook <url>', 'send the master\'s alerts (reload failed, crash loop) to this JSON webhook (repeatable)', collect)
    .option('--config <file>', 'a module exporting { zerodown: options of the master\'s zerodown instance, loadBalancer: adapter } (or a function returning it)')
    .action((entry: string, args: string[], opts: ServeCliOptions, cmd: Command) =>
      run(async (out) => {
        const { createMaster, ReloadFailedError } = loadCluster();
        const config = opts.config ? await loadConfig(opts.config) : {};
        const zd: ZerodownOptions = { ...config.zerodown };
        if (opts.alertWebhook?.length) zd.alerts = { ...zd.alerts, webhook: opts.alertWebhook.map((url) => ({ url })) };
        if (opts.drainTimeout !== undefined || opts.drainDelay !== undefined) {
          zd.drain = { ...zd.drain, ...(opts.drainTimeout !== undefined ? { timeoutMs: opts.drainTimeout } : {}), ...(opts.drainDelay !== undefined ? { delayMs: opts.drainDelay } : {}) };
        }
        const options: MasterOptions = {
          entry,
          args,
          cwd: opts.cwd,
          workers: opts.workers,
          surge: opts.surge,
          readyTimeoutMs: opts.readyTimeout,
          minUptimeMs: opts.minUptime,
          port: opts.listen?.port ?? opts.port,
          host: opts.listen?.host,
          serviceName: opts.service,
          controlSocket: opts.socket,
          respawn: { maxRestarts: opts.maxRestarts, windowMs: opts.restartWindow },
          zerodown: zd,
          loadBalancer: config.loadBalancer,
        };
        const master = createMaster(options);
        try {
          await master.start();
        } catch (error) {
          if (error instanceof ReloadFailedError && error.stderr.length) out.note(`last stderr lines of the worker:\n${error.stderr.map((l) => `  | ${l}`).join('\n')}`);
          throw error;
        }
        out.note(`zerodown serve: ${master.options.workers} worker(s) ready; control socket ${master.socket ?? 'off'} (reload: zerodown reload${master.socket ? ` --socket ${master.socket}` : ''}, or kill -HUP ${process.pid})`);
        return (await master.done) as ExitCode;
      }, false, cmd),
    );
}
