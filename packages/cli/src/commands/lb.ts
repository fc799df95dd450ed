import type { Command } from 'commander';
import type { Elbv2Target, TargetHealth } from '@zerodown/core/lb';
import { loadLb } from '../core-loader';
import { EXIT } from '../exit-codes';
import { formatMs, parseCount, parsePort } from '../parse';
import type { Run } from './local';
import { addElbv2Options, addElbv2WaitOptions, lbProgress, openTargetGroups, shortArn, type Elbv2CliOptions } from './elbv2-options';

interface TargetCliOptions extends Elbv2CliOptions {
  targetId?: string;
  port?: number;
  wait?: boolean;
  minHealthy?: number;
  force?: boolean;
}

function addTargetOptions(cmd: Command): Command {
  return addElbv2WaitOptions(cmd)
    .option('--target-id <id>', 'instance id or IP of the target (default: this EC2 instance, from IMDSv2)')
    .option('--port <port>', 'port of the target (default: the target group\'s port)', parsePort)
    .option('--wait', 'wait for the outcome (default)')
    .option('--no-wait', 'return once the load balancer accepted the call');
}

/** Formats DescribeTargetHealth for humans. */
export function formatHealth(list: TargetHealth[]): string {
  if (list.length === 0) return 'no targets registered';
  const { formatTarget } = loadLb();
  return list.map((h) => `${shortArn(h.targetGroupArn)}  ${formatTarget(h.target)}  ${h.state}${h.reason ? ` (${h.reason})` : ''}`).join('\n');
}

/** Registers `lb status|deregister|register`. */
export function registerLbCommands(program: Command, run: Run): void {
  const lb = program.command('lb').description('ELBv2 target groups: status, deregister, register (this instance or --target-id)');

  addElbv2Options(lb.command('status').description('show the health of every target in the target groups')).action((opts: Elbv2CliOptions, cmd: Command) =>
    run(async (out) => {
      const groups = await openTargetGroups(opts);
      try {
        const list = await groups.describe();
        out.result({ ok: true, targets: list }, () => formatHealth(list));
        return EXIT.ok;
      } finally {
        groups.close();
      }
    }, opts.json, cmd),
  );

  const action = (kind: 'deregister' | 'register') => (opts: TargetCliOptions, cmd: Command) =>
    run(async (out) => {
      const target: Elbv2Target | undefined = opts.targetId ? { id: opts.targetId, ...(opts.port !== undefined ? { port: opts.port } : {}) } : undefined;
      const { formatTarget } = loadLb();
      const groups = await openTargetGroups(opts, { ...(target ? { target } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) });
      const t0 = performance.now();
      try {
        const self = await groups.resolveSelf();
        const noWait = opts.wait === false;
        if (kind === 'deregister') {
          await groups.deregister(self, { noWait, onProgress: lbProgress(out), ...(opts.minHealthy !== undefined ? { minHealthy: opts.minHealthy } : {}), ...(opts.force ? { force: true } : {}) });
        } else {
          await groups.register(self, { noWait, onProgress: lbProgress(out) });
        }
        const health = await groups.healthOf(self);
        out.result({ ok: true, action: kind, target: self, waited: !noWait, elapsedMs: Math.round(performance.now() - t0), health }, () => `${kind === 'deregister' ? 'deregistered' : 'registered'} ${formatTarget(self)} in ${formatMs(performance.now() - t0)}${noWait ? ' (not waited)' : ''}\n${formatHealth(health)}`);
        return EXIT.ok;
      } finally {
        groups.close();
      }
    }, opts.json, cmd);

  addTargetOptions(lb.command('deregister').description('take the target out and wait until the load balancer stops routing to it (unused)'))
    .option('--min-healthy <n>', 'other healthy targets required in each group before this one is pulled', parseCount(0), 1)
    .option('--force', 'skip the --min-healthy check')
    .action(action('deregister'));
  addTargetOptions(lb.command('register').description('put the target back and wait until it is healthy (waits for a draining target to be unused first)')).action(action('register'));
}
