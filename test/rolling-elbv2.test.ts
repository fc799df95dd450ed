/**
 * `zerodown rolling` (built binary) with the real AWS SDK against the local ELBv2 wire fixture, three targets.
 * The fixture runs in this process: a sampler records every target's state over time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, stopAll } from './fixtures/cli-helpers';
import { startElbv2Fixture, type Elbv2Fixture } from './fixtures/elbv2-fixture';

const IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'];

let fx: Elbv2Fixture;
let dir: string;
let arn: string;
let env: Record<string, string>;
let samples: string[][];
let sampler: NodeJS.Timeout | undefined;

beforeEach(async () => {
  fx = await startElbv2Fixture({ healthyAfterMs: 150, deregistrationDelayMs: 300 });
  arn = fx.addTargetGroup({ name: 'web', port: 8080, targets: IDS.map((id) => ({ id })) });
  dir = mkdtempSync(join(tmpdir(), 'zd-rolling-'));
  env = {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fx.url,
    AWS_ACCESS_KEY_ID: 'AKIAZDTESTFIXTURE000',
    AWS_SECRET_ACCESS_KEY: 'zd-test-secret-not-real',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
  };
  samples = [];
  sampler = setInterval(() => samples.push(IDS.map((id) => fx.stateOf(arn, id))), 10);
});
afterEach(async () => {
  clearInterval(sampler);
  await stopAll();
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

const outAtOnce = (): number => Math.max(...samples.map((s) => s.filter((st) => st !== 'healthy').length));

test('runs the command once per target, in order, never more than one target out', async () => {
  const log = join(dir, 'log');
  const r = await runCli(['rolling', '--target-group', arn, '--poll-interval', '50ms', '--timeout', '20s', '--exec', `echo "patched {target} out=$(cat /dev/null)" >> ${log}`], env);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/rolling done: 3 target\(s\) patched/);
  expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(IDS.map((id) => `patched ${id} out=`));
  expect(outAtOnce()).toBe(1);
  expect(IDS.map((id) => fx.stateOf(arn, id))).toEqual(['healthy', 'healthy', 'healthy']);
  // the calls alternate: each target is deregistered, then registered, before the next one is touched
  const seq = fx.calls.filter((c) => c.action === 'DeregisterTargets' || c.action === 'RegisterTargets').map((c) => `${c.action}:${c.params['Targets.member.1.Id']}`);
  expect(seq).toEqual(IDS.flatMap((id) => [`DeregisterTargets:${id}`, `RegisterTargets:${id}`]));
  expect(r.stderr + r.stdout).not.toContain('zd-test-secret-not-real');
});

test('on a failing command it stops, puts that target back and exits 1', async () => {
  const log = join(dir, 'log');
  const r = await runCli(['rolling', '--target-group', arn, '--poll-interval', '50ms', '--timeout', '20s', '--json', '--exec', `echo {target} >> ${log}; test {target} != ${IDS[1]} || exit 7`], env);
  expect(r.code).toBe(1);
  const result = JSON.parse(r.stdout);
  expect(result).toMatchObject({ ok: false, completed: [`${IDS[0]}:8080`], skipped: [`${IDS[2]}:8080`], failure: { target: `${IDS[1]}:8080`, step: 'exec', exitCode: 7, restored: true } });
  expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([IDS[0], IDS[1]]);
  expect(outAtOnce()).toBe(1);
  expect(IDS.map((id) => fx.stateOf(arn, id))).toEqual(['healthy', 'healthy', 'healthy']);
  expect(fx.callsOf('RegisterTargets').map((c) => c.params['Targets.member.1.Id'])).toEqual([IDS[0], IDS[1]]);
});

test('--dry-run prints the plan and changes nothing', async () => {
  const r = await runCli(['rolling', '--target-group', arn, '--dry-run', '--exec', 'ssh {target} sudo reboot'], env);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/plan: 3 target\(s\), 1 at a time/);
  for (const id of IDS) expect(r.stdout).toContain(`ssh ${id} sudo reboot`);
  expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
});

test('lb status / deregister / register with --target-id, waiting on the real states', async () => {
  const st = await runCli(['lb', 'status', '--target-group', arn, '--json'], env);
  expect(st.code).toBe(0);
  expect(JSON.parse(st.stdout).targets).toHaveLength(3);
  const de = await runCli(['lb', 'deregister', '--target-group', arn, '--target-id', IDS[2]!, '--poll-interval', '50ms', '--timeout', '10s'], env);
  expect(de.code).toBe(0);
  expect(fx.stateOf(arn, IDS[2]!)).toBe('unused');
  const re = await runCli(['lb', 'register', '--target-group', arn, '--target-id', IDS[2]!, '--poll-interval', '50ms', '--timeout', '10s'], env);
  expect(re.code).toBe(0);
  expect(fx.stateOf(arn, IDS[2]!)).toBe('healthy');
  fx.setFailing(arn, IDS[0]!, true);
  fx.inject(arn, IDS[0]!, 'unhealthy');
  const timeout = await runCli(['lb', 'register', '--target-group', arn, '--target-id', IDS[1]!, '--poll-interval', '50ms', '--timeout', '10s'], env);
  expect(timeout.code).toBe(0); // already healthy
  fx.setFailing(arn, IDS[1]!, true);
  const de2 = await runCli(['lb', 'deregister', '--target-group', arn, '--target-id', IDS[1]!, '--poll-interval', '50ms', '--timeout', '10s', '--min-healthy', '2'], env);
  expect(de2.code).toBe(1);
  expect(de2.stderr).toMatch(/healthy/);
});
