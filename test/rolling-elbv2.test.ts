/**
 * `zerodown rolling` (built binary) with the real AWS SDK against the local ELBv2 wire fixture, three targets.
 * The fixture runs in this process: a sampler records every target's state over time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ELBV2_IAM_ACTIONS } from '@zerodown/core/lb';
import { FleetSemaphore, connectFleetRedis } from '@zerodown/core/fleet-guard';
import { CLI_BIN, ROOT, runCli, startRedis, stopAll, track, waitFor } from './fixtures/cli-helpers';
import { startElbv2Fixture, type Elbv2Fixture } from './fixtures/elbv2-fixture';

/** Whether process `pid` still runs (a zombie, dead but not yet reaped, does not count). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

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

describe('review fixes', () => {
  test('SIGINT while --exec runs: the command is stopped, the target is put back, exit 130', async () => {
    const started = join(dir, 'started');
    const after = join(dir, 'after');
    const c = track(process.execPath, [CLI_BIN, 'rolling', '--target-group', arn, '--poll-interval', '50ms', '--timeout', '20s', '--json', '--exec', `echo {target} $$ > ${started}; sleep 30; echo late > ${after}`], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    await waitFor('the command to run for the first target', () => existsSync(started), 15000);
    expect(fx.stateOf(arn, IDS[0]!)).toBe('unused');
    const t0 = performance.now();
    c.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(performance.now() - t0).toBeLessThan(15000); // the 30 s sleep was stopped, not waited for (generous for a busy machine)
    expect(fx.stateOf(arn, IDS[0]!)).toBe('healthy'); // registered again and awaited until healthy
    expect(IDS.map((id) => fx.stateOf(arn, id))).toEqual(['healthy', 'healthy', 'healthy']);
    expect(fx.callsOf('DeregisterTargets').map((x) => x.params['Targets.member.1.Id'])).toEqual([IDS[0]]);
    expect(fx.callsOf('RegisterTargets').map((x) => x.params['Targets.member.1.Id'])).toEqual([IDS[0]]);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, aborted: true, interrupted: 'SIGINT', skipped: [`${IDS[1]}:8080`, `${IDS[2]}:8080`], failure: { target: `${IDS[0]}:8080`, wasOut: true, restored: true } });
    // the whole command (sh and its sleep) got SIGTERM: sh is gone, so its last line can never run
    const shPid = Number(readFileSync(started, 'utf8').trim().split(/\s+/)[1]);
    await waitFor('the command\'s shell to be gone', () => !running(shPid), 15000);
    expect(existsSync(after)).toBe(false);
  });

  test('rolling --redis: a fleet lock timeout exits 3 and says the target was never taken out', async () => {
    const redis = await startRedis();
    const client = await connectFleetRedis(redis.url);
    try {
      const sem = new FleetSemaphore(client, { service: 'web', limit: 1, ttlMs: 60000 });
      await sem.acquire('other-site:web', { timeoutMs: 1000 });
      const r = await runCli(['rolling', '--target-group', arn, '--poll-interval', '50ms', '--timeout', '20s', '--redis', redis.url, '--lock-timeout', '1s', '--exec', 'true'], env);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/held by other-site:web/);
      expect(r.stdout).toMatch(/was not taken out of the load balancer/);
      expect(r.stdout).not.toMatch(/NOT back/);
      expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
      const json = await runCli(['rolling', '--target-group', arn, '--redis', redis.url, '--lock-timeout', '500ms', '--exec', 'true', '--json'], env);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, failure: { step: 'guard', timedOut: true, wasOut: false, restored: true } });
    } finally {
      await client.quit();
      await redis.stop();
    }
  });

  test('an invalid target-group ARN or duration is a usage error: exit 2 with the usage', async () => {
    for (const args of [
      ['lb', 'status', '--target-group', 'arn:aws:s3:::my-bucket'],
      ['lb', 'register', '--target-group', 'targetgroup/web/123', '--target-id', 'i-1'],
      ['rolling', '--target-group', 'not-an-arn', '--dry-run'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/invalid --target-group: .* is not a target group ARN \(expected arn:aws:elasticloadbalancing:/);
      expect(r.stderr).toMatch(/Usage: zerodown (lb status|lb register|rolling)/);
    }
    const json = await runCli(['lb', 'status', '--target-group', 'nope', '--json'], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'ZERODOWN_CONFIG' } });
    const far = await runCli(['lb', 'deregister', '--target-group', arn, '--timeout', '2d'], env);
    expect(far.code).toBe(2);
    // lb status does not wait, so it has no --timeout or --poll-interval
    const status = await runCli(['lb', 'status', '--target-group', arn, '--timeout', '10m'], env);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/unknown option '--timeout'/);
    const help = await runCli(['lb', 'status', '--help']);
    expect(help.stdout).not.toMatch(/--timeout|--poll-interval/);
    expect(fx.calls).toHaveLength(0);
  });

  test('AccessDenied names every IAM action zerodown calls', async () => {
    const denied = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/web/i-0 is not authorized to perform: elasticloadbalancing:DescribeTargetHealth</Message></Error><RequestId>0f0e0d0c-0000-4000-8000-000000000001</RequestId></ErrorResponse>';
        res.writeHead(403, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => denied.listen(0, '127.0.0.1', r));
    try {
      const { port } = denied.address() as { port: number };
      const r = await runCli(['lb', 'status', '--target-group', arn], { ...env, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: `http://127.0.0.1:${port}` });
      expect(r.code).toBe(1);
      for (const action of ELBV2_IAM_ACTIONS) expect(r.stderr).toContain(`elasticloadbalancing:${action}`);
      expect(ELBV2_IAM_ACTIONS).toEqual(expect.arrayContaining(['DescribeTargetHealth', 'DescribeTargetGroups', 'RegisterTargets', 'DeregisterTargets']));
    } finally {
      await new Promise((r) => denied.close(r));
    }
  });
});
