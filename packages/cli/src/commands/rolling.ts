import type { Command } from 'commander';
import type { Elbv2Target, RollingEvent, RollingResult } from '@zerodown/core/lb';
import { loadLb } from '../core-loader';
import { execForTarget, renderCommand } from '../exec-command';
import { EXIT, type ExitCode } from '../exit-codes';
import { addFleetOptions, openFleet, type FleetCliOptions } from '../fleet';
import type { Output } from '../output';
import { formatMs, parseCount } from '../parse';
import type { Run } from './local';
import { addElbv2WaitOptions, lbProgress, openTargetGroups, type Elbv2CliOptions } from './elbv2-options';

interface RollingCliOptions extends Elbv2CliOptions, FleetCliOptions {
  exec?: string;
  maxUnavailable: number;
  minHealthy?: number;
  force?: boolean;
  dryRun?: boolean;
  service?: string;
}

/** 0 done; 130/143 interrupted; 3 when the failed step timed out (load balancer, fleet slot); else 1. */
export function rollingExitCode(result: RollingResult, interrupted?: NodeJS.Signals): ExitCode {
  if (interrupted) return interrupted === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  if (result.ok) return EXIT.ok;
  return result.failure?.timedOut ? EXIT.timeout : EXIT.failed;
}

function reporter(out: Output, total: () => number): (e: RollingEvent) => void {
  const { formatTarget: label } = loadLb();
  const progress = lbProgress(out);
  return (e) => {
    switch (e.type) {
      case 'step':
        out.note(`[${e.index + 1}/${total()}] ${label(e.target)}: ${e.step}`);
        break;
      case 'progress':
        progress(e.progress);
        break;
      case 'done':
        out.note(`${label(e.target)}: done in ${formatMs(e.elapsedMs)}`);
        break;
      case 'failed':
        out.note(`${label(e.target)}: ${e.step} failed: ${e.error}`);
        break;
      case 'restore':
        out.note(`${label(e.target)}: ${e.ok ? 'put back into the load balancer (healthy)' : `could not be put back: ${e.error ?? ''}`}`);
        break;
      default:
        break;
    }
  };
}

/** The human summary of a run; `interrupted` is the signal that stopped it. */
export function rollingSummary(result: RollingResult, interrupted?: NodeJS.Signals): string {
  const done = `done: ${result.completed.join(', ') || 'none'}; not started: ${result.skipped.join(', ') || 'none'}`;
  const f = result.failure;
  if (result.ok && !interrupted) return `rolling done: ${result.completed.length} target(s) patched (${result.completed.join(', ')})`;
  if (!f) return `rolling interrupted by ${interrupted ?? 'a signal'}; ${done}`;
  const where = !f.wasOut
    ? `${f.target} was not taken out of the load balancer`
    : f.restored
      ? `${f.target} is back in the load balancer`
      : `${f.target} is NOT back in the load balancer: check it (zerodown lb register --target-id ${f.target.replace(/:\d+$/, '')} ...)`;
  const step = f.step === 'guard' ? 'taking a fleet slot' : f.step;
  const head = interrupted ? `rolling interrupted by ${interrupted} during ${step} of ${f.target}` : `rolling stopped at ${f.target}: ${step} failed (${f.error})`;
  return `${head}; ${where}; ${done}`;
}

/** Registers `rolling`. */
export function registerRollingCommand(program: Command, run: Run): void {
  addFleetOptions(
    addElbv2WaitOptions(
      program
        .command('rolling')
        .description('for each target of the target groups, one (or --max-unavailable) at a time: deregister, wait, run --exec, register, wait healthy; stop at the first failure and put that target back'),
    )
      .option('--exec <command>', "command run with /bin/sh for each target; {target} is replaced by the target id ({port}, {target_port} too); its exit code decides")
      .option('--max-unavailable <n>', 'targets out of the load balancer at once', parseCount(1), 1)
      .option('--min-healthy <n>', 'other healthy targets required before one is pulled', parseCount(0))
      .option('--force', 'skip the --min-healthy check')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--service <name>', 'fleet guard: service name (default: the first target group\'s name)'),
  )
    .addHelpText('after', '\nOn SIGINT (Ctrl-C) or SIGTERM: the command gets SIGTERM and the target that is out\nis put back (bounded by --timeout; a second Ctrl-C quits at once), then the exit\ncode is 130 (SIGINT) or 143 (SIGTERM).')
    .action((opts: RollingCliOptions, cmd: Command) =>
    run(async (out) => {
      if (!opts.exec && !opts.dryRun) cmd.error("error: required option '--exec <command>' not specified (or use --dry-run)", { code: 'commander.missingMandatoryOptionValue', exitCode: EXIT.usage });
      const { rollingPatch, rollingPlan, formatTarget: label } = loadLb();
      const groups = await openTargetGroups(opts);
      try {
        const targets = await rollingPlan(groups);
        if (opts.dryRun) {
          const plan = targets.map((t, i) => ({ step: i + 1, target: t, command: opts.exec ? renderCommand(opts.exec, t) : undefined }));
          out.result({ ok: true, dryRun: true, maxUnavailable: opts.maxUnavailable, targetGroups: opts.targetGroup, plan }, () =>
            [`plan: ${targets.length} target(s), ${opts.maxUnavailable} at a time (dry run, nothing changed)`, ...plan.map((p) => `  ${p.step}. ${label(p.target)}: deregister, wait unused, run ${p.command ?? '(no command)'}, register, wait healthy`)].join('\n'),
          );
          return EXIT.ok;
        }
        const service = opts.service ?? /targetgroup\/([^/]+)\//.exec(opts.targetGroup[0] ?? '')?.[1] ?? 'service';
        const fleet = await openFleet(opts, service);
        const holds = new Map<string, { release(): Promise<boolean> }>();
        const ac = new AbortController();
        let interrupted: NodeJS.Signals | undefined;
        // the first signal stops the run and puts the target that is out back (under its own deadline);
        // the listeners are gone after it, so a second Ctrl-C ends the process at once
        const onSignal = (sig: NodeJS.Signals): void => {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          interrupted = sig;
          out.note(`zerodown: ${sig}: stopping; putting the target that is out back into the load balancer (${sig === 'SIGINT' ? 'Ctrl-C again to quit at once' : 'send the signal again to quit at once'})`);
          ac.abort(new Error(`interrupted by ${sig}`));
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        let result: RollingResult;
        try {
          result = await rollingPatch({
            targetGroups: groups,
            targets,
            exec: (t, signal) => execForTarget(opts.exec!, t, signal, out.json),
            maxUnavailable: opts.maxUnavailable,
            ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout, restoreTimeoutMs: opts.timeout } : {}),
            ...(opts.minHealthy !== undefined ? { minHealthy: opts.minHealthy } : {}),
            ...(opts.force ? { force: true } : {}),
            signal: ac.signal,
            onEvent: reporter(out, () => targets.length),
            ...(fleet
              ? {
                  beforeTarget: async (t: Elbv2Target, signal: AbortSignal) => {
                    holds.set(label(t), await fleet.hold(label(t), out, signal));
                  },
                  afterTarget: async (t: Elbv2Target) => {
                    await holds.get(label(t))?.release();
                    holds.delete(label(t));
                  },
                }
              : {}),
          });
        } finally {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          for (const h of holds.values()) await h.release();
          await fleet?.close();
        }
        const final = interrupted ? { ...result, ok: false, interrupted } : result;
        out.result(final, () => rollingSummary(result, interrupted));
        return rollingExitCode(result, interrupted);
      } finally {
        groups.close();
      }
    }, opts.json, cmd),
  );
}
