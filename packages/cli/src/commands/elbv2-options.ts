import type { Command } from 'commander';
import type { Elbv2TargetGroups, LbProgress } from '@zerodown/core/lb';
import { loadLb } from '../core-loader';
import type { Output } from '../output';
import { addDurationHelp, collect, durationOption } from '../parse';

/** Flags shared by `lb *` and `rolling`; `lb status` has no wait, so no `pollInterval`/`timeout`. */
export interface Elbv2CliOptions {
  targetGroup: string[];
  region?: string;
  pollInterval?: number;
  timeout?: number;
  json?: boolean;
}

/** Adds `--target-group` (repeatable), `--region`, `--json`. */
export function addElbv2Options(cmd: Command): Command {
  return cmd
    .requiredOption('--target-group <arn>', 'target group ARN, arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id> (repeat for several)', collect)
    .option('--region <region>', 'AWS region (default: AWS_REGION / shared config)')
    .option('--json', 'print one JSON document on stdout (for scripts)');
}

/** Adds {@link addElbv2Options} plus the flags of commands that wait on the load balancer: `--poll-interval`, `--timeout`. */
export function addElbv2WaitOptions(cmd: Command): Command {
  return addDurationHelp(addElbv2Options(cmd))
    .addOption(durationOption('--poll-interval <duration>', 'how often to poll target health', 5000))
    .addOption(durationOption('--timeout <duration>', 'deadline of each load-balancer wait; keep it above the target group\'s deregistration delay (300s by default)', 10 * 60 * 1000));
}

/** Creates the target groups (loads the AWS SDK now, not before). Credentials: the SDK's default chain. */
export function openTargetGroups(opts: Elbv2CliOptions, extra: { target?: { id: string; port?: number }; port?: number } = {}): Promise<Elbv2TargetGroups> {
  const { createElbv2TargetGroups } = loadLb();
  return createElbv2TargetGroups({
    targetGroupArns: opts.targetGroup,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.pollInterval !== undefined ? { pollIntervalMs: opts.pollInterval } : {}),
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
    ...(extra.target ? { target: extra.target } : {}),
    ...(extra.port !== undefined ? { port: extra.port } : {}),
  });
}

/** `targetgroup/web/0123` from an ARN, for short progress lines. */
export function shortArn(arn: string): string {
  const i = arn.indexOf('targetgroup/');
  return i === -1 ? arn : arn.slice(i);
}

/** Feeds load-balancer progress into the progress line. */
export function lbProgress(out: Output): (p: LbProgress) => void {
  return (p) => out.progress(`${p.phase} ${p.target} (${shortArn(p.group)})`, `${p.state}${p.message ? ` - ${p.message}` : ''}`, p.elapsedMs, p.deadlineMs);
}
