import type { Command } from 'commander';
import type { Elbv2Target, RollingEvent, RollingResult } from '@zerodown/core';
import { loadCore } from '../core-loader';
import { execForTarget, renderCommand } from '../exec-command';
import { EXIT } from '../exit-codes';
import { addFleetOptions, openFleet, type FleetCliOptions } from '../fleet';
import type { Output } from '../output';
import { formatMs, parseCount } from '../parse';
import type { Run } from './local';
import { addElbv2Options, lbProgress, openTargetGroups, type Elbv2CliOptions } from './elbv2-options';

interface RollingCliOptions extends Elbv2CliOptions, FleetCliOptions {
  exec?: string;
  maxUnavailable: number;
  minHealthy?: number;
  force?: boolean;
  dryRun?: boolean;
  service?: string;
}

const label = (t: Elbv2Target): string => (t.port !== undefined ? `${t.id}:${t.port}` : t.id);

function reporter(out: Output, total: () => number): (e: RollingEvent) => void {
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

/** Registers `rolling`. */
export function registerRollingCommand(program: Command, run: Run): void {
  addFleetOptions(
    addElbv2Options(
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
  ).action((opts: RollingCliOptions, cmd: Command) =>
    run(async (out) => {
      if (!opts.exec && !opts.dryRun) cmd.error("error: required option '--exec <command>' not specified (or use --dry-run)", { code: 'commander.missingMandatoryOptionValue', exitCode: EXIT.usage });
      const { rollingPatch, rollingPlan } = loadCore();
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
        const onSignal = (): void => ac.abort(new Error('interrupted'));
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        let result: RollingResult;
        try {
          result = await rollingPatch({
            targetGroups: groups,
            targets,
            exec: (t, signal) => execForTarget(opts.exec!, t, signal, out.json),
            maxUnavailable: opts.maxUnavailable,
            timeoutMs: opts.timeout,
            ...(opts.minHealthy !== undefined ? { minHealthy: opts.minHealthy } : {}),
            ...(opts.force ? { force: true } : {}),
            signal: ac.signal,
            onEvent: reporter(out, () => targets.length),
            ...(fleet
              ? {
                  beforeTarget: async (t: Elbv2Target) => {
                    holds.set(label(t), await fleet.hold(label(t), out));
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
        out.result(result, () =>
          result.ok
            ? `rolling done: ${result.completed.length} target(s) patched (${result.completed.join(', ')})`
            : `rolling stopped at ${result.failure?.target}: ${result.failure?.step} failed (${result.failure?.error}); ${result.failure?.restored ? 'it is back in the load balancer' : 'it is NOT back in the load balancer: check it'}; done: ${result.completed.join(', ') || 'none'}; not started: ${result.skipped.join(', ') || 'none'}`,
        );
        if (result.ok) return EXIT.ok;
        return result.failure?.timedOut ? EXIT.timeout : EXIT.failed;
      } finally {
        groups.close();
      }
    }, opts.json),
  );
}
