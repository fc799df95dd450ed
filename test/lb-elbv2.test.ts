/**
 * The ELBv2 adapter with the real AWS SDK client, over HTTP, against the local ELBv2 + IMDSv2 fixture.
 */
import { request } from 'undici';
import { createServer as createHttpServer } from 'node:http';
import { elbv2Adapter, ImdsError, LoadBalancerError, LoadBalancerTimeoutError, MinHealthyError, ZerodownConfigError, silentLogger, zerodown } from '@zerodown/core';
import { createElbv2TargetGroups, ImdsClient, type Elbv2Options, type Elbv2TargetGroups, type LbProgress } from '@zerodown/core/lb';
import { startElbv2Fixture, type Elbv2Fixture } from './fixtures/elbv2-fixture';
import { closeServer } from './helpers/http-server';
import { waitFor } from './helpers/wait';
import { freePort } from './helpers/ports';

const SELF = 'i-0aaaaaaaaaaaaaaa1';
const OTHER1 = 'i-0bbbbbbbbbbbbbbb2';
const OTHER2 = 'i-0ccccccccccccccc3';
const credentials = { accessKeyId: 'AKIAZDTESTFIXTURE000', secretAccessKey: 'zd-test-secret-not-real' };

let fx: Elbv2Fixture;
const open: Elbv2TargetGroups[] = [];

beforeEach(async () => {
  fx = await startElbv2Fixture({ healthyAfterMs: 200, deregistrationDelayMs: 600 });
});
afterEach(async () => {
  for (const g of open.splice(0)) g.close();
  await fx.close();
});

async function groups(arns: string[], extra: Partial<Elbv2Options> = {}): Promise<Elbv2TargetGroups> {
  const g = await createElbv2TargetGroups({
    targetGroupArns: arns,
    region: 'us-east-1',
    endpoint: fx.url,
    credentials,
    pollIntervalMs: 50,
    timeoutMs: 10000,
    retry: { baseMs: 20, capMs: 200 },
    imds: { endpoint: fx.imdsUrl },
    ...extra,
  });
  open.push(g);
  return g;
}

function threeTargets(o: { deregistrationDelayMs?: number; healthyAfterMs?: number } = {}): string {
  return fx.addTargetGroup({ name: 'web', port: 8080, targets: [{ id: SELF }, { id: OTHER1 }, { id: OTHER2 }], ...o });
}

describe('deregister', () => {
  test('moves through draining to unused after the deregistration delay, and waits for it', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 600 });
    const g = await groups([arn]);
    const seen: LbProgress[] = [];
    const t0 = Date.now();
    await g.deregister({ id: SELF }, { onProgress: (p) => seen.push(p) });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(550);
    expect(fx.stateOf(arn, SELF)).toBe('unused');
    const states = seen.map((p) => p.state);
    expect(states).toContain('draining');
    expect(states[states.length - 1]).toBe('unused');
    expect(states.indexOf('draining')).toBeLessThan(states.lastIndexOf('unused'));
    expect(seen.every((p) => p.group === arn && p.target === SELF && p.deadlineMs === 10000)).toBe(true);
    const dereg = fx.callsOf('DeregisterTargets');
    expect(dereg).toHaveLength(1);
    expect(dereg[0]!.params).toMatchObject({ TargetGroupArn: arn, 'Targets.member.1.Id': SELF, Version: '2015-12-01' });
    expect(fx.calls.every((c) => c.signed)).toBe(true);
    // the others are untouched
    expect(fx.stateOf(arn, OTHER1)).toBe('healthy');
    const all = await g.describe();
    expect(all.map((h) => h.target.id).sort()).toEqual([OTHER1, OTHER2].sort());
  });

  test('draining with nothing in flight here counts as done; with requests in flight it waits for them', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 30000 });
    const g = await groups([arn]);
    let t0 = Date.now();
    await g.deregister({ id: SELF }, { inflight: () => 0 });
    expect(Date.now() - t0).toBeLessThan(15000); // generous for a busy machine; the deregistration delay is 30 s
    expect(fx.stateOf(arn, SELF)).toBe('draining');

    const arn2 = fx.addTargetGroup({ targets: [{ id: SELF }, { id: OTHER1 }], deregistrationDelayMs: 30000 });
    const g2 = await groups([arn2]);
    let inflight = 2;
    setTimeout(() => (inflight = 0), 400).unref();
    t0 = Date.now();
    const seen: LbProgress[] = [];
    await g2.deregister({ id: SELF }, { inflight: () => inflight, onProgress: (p) => seen.push(p) });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(seen.some((p) => p.message?.includes('2 request(s) in flight'))).toBe(true);
  });

  test('an unhealthy.draining target is treated as draining', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 400 });
    fx.inject(arn, SELF, 'unhealthy.draining');
    const g = await groups([arn]);
    const seen: string[] = [];
    await g.deregister({ id: SELF }, { onProgress: (p) => seen.push(p.state) });
    expect(seen).toContain('unhealthy.draining');
    expect(seen[seen.length - 1]).toBe('unused');
  });

  test('throttling (400 Throttling) and 500 InternalFailure answers are retried with backoff and succeed', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 200 });
    const g = await groups([arn]);
    fx.failNext(3, 'throttle', 'DescribeTargetHealth');
    fx.failNext(2, 'internal', 'DeregisterTargets');
    await g.deregister({ id: SELF });
    expect(fx.stateOf(arn, SELF)).toBe('unused');
    const codes = fx.calls.filter((c) => c.errorCode).map((c) => `${c.action}:${c.errorCode}:${c.status}`);
    expect(codes.filter((c) => c === 'DescribeTargetHealth:Throttling:400')).toHaveLength(3);
    expect(codes.filter((c) => c === 'DeregisterTargets:InternalFailure:500')).toHaveLength(2);
    expect(fx.callsOf('DeregisterTargets').filter((c) => c.status === 200)).toHaveLength(1);
  });

  test('the deadline produces a clear timeout error: target, group, last state, time waited', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 60000 });
    const g = await groups([arn]);
    const t0 = Date.now();
    const error = await g.deregister({ id: SELF }, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(15000); // generous for a busy machine; the deregistration delay is 60 s
    expect(error).toBeInstanceOf(LoadBalancerTimeoutError);
    const e = error as LoadBalancerTimeoutError;
    expect(e.code).toBe('ZERODOWN_LB_TIMEOUT');
    expect(e.message).toContain(SELF);
    expect(e.message).toContain(arn);
    expect(e.message).toContain('draining (Target.DeregistrationInProgress)');
    expect(e.message).toMatch(/gave up after \d+ ms, the deadline of 500 ms was reached/);
    expect(e.lastStates[arn]).toMatch(/^draining/);
  });

  test('an AbortSignal (the drain deadline) bounds the wait and endless throttling is reported', async () => {
    const arn = threeTargets();
    const g = await groups([arn]);
    fx.failNext(1000, 'throttle', 'DescribeTargetHealth');
    const error = await g.deregister({ id: SELF }, { signal: AbortSignal.timeout(400) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBalancerTimeoutError);
    expect((error as Error).message).toContain('the caller aborted');
    expect((error as Error).message).toContain('last error: DescribeTargetHealth: Throttling (HTTP 400): Rate exceeded');
    expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
  });

  test('minHealthy guard refuses when too few other targets are healthy, force overrides', async () => {
    const arn = threeTargets();
    fx.setFailing(arn, OTHER1, true);
    fx.inject(arn, OTHER2, 'unavailable');
    const g = await groups([arn]);
    const error = await g.deregister({ id: SELF }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MinHealthyError);
    const e = error as MinHealthyError;
    expect(e.code).toBe('ZERODOWN_LB_MIN_HEALTHY');
    expect(e.message).toContain(`refusing to deregister ${SELF} from ${arn}: only 0 other target(s) are healthy, at least 1 required`);
    expect(e.message).toContain(`${OTHER1}:8080 unhealthy`);
    expect(e.message).toContain(`${OTHER2}:8080 unavailable`);
    expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
    expect(fx.stateOf(arn, SELF)).toBe('healthy');

    fx.setFailing(arn, OTHER1, false);
    await expect(g.deregister({ id: SELF }, { minHealthy: 2, inflight: () => 0 })).rejects.toThrow(/only 1 other target\(s\) are healthy, at least 2 required/);
    await g.deregister({ id: SELF }, { minHealthy: 2, force: true, inflight: () => 0 });
    expect(fx.stateOf(arn, SELF)).toBe('draining');
  });

  test('several target groups are deregistered together; a target not registered in one is skipped', async () => {
    const a = threeTargets({ deregistrationDelayMs: 300 });
    const b = fx.addTargetGroup({ name: 'api', port: 9090, targets: [{ id: SELF, port: 9090 }, { id: OTHER1, port: 9090 }], deregistrationDelayMs: 500 });
    const c = fx.addTargetGroup({ name: 'admin', targets: [{ id: OTHER1 }] });
    const g = await groups([a, b, c]);
    await g.deregister({ id: SELF });
    expect([fx.stateOf(a, SELF), fx.stateOf(b, SELF)]).toEqual(['unused', 'unused']);
    expect(fx.callsOf('DeregisterTargets').map((x) => x.params.TargetGroupArn).sort()).toEqual([a, b].sort());
  });

  test('a missing target group is a clear, non-retried error', async () => {
    const arn = threeTargets();
    const missing = arn.replace(/\/[0-9a-f]+$/, '/0000000000000000');
    const g = await groups([missing]);
    const error = await g.deregister({ id: SELF }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBalancerError);
    expect((error as LoadBalancerError).code).toBe('ZERODOWN_LB');
    expect((error as Error).message).toContain(`TargetGroupNotFoundException (HTTP 400): Target groups '${missing}' not found`);
    expect(fx.callsOf('DescribeTargetHealth')).toHaveLength(1);
  });
});

describe('register', () => {
  test('registers and waits through initial until healthy', async () => {
    const arn = fx.addTargetGroup({ targets: [{ id: OTHER1 }], healthyAfterMs: 400 });
    const g = await groups([arn]);
    const seen: string[] = [];
    await g.register({ id: SELF }, { onProgress: (p) => seen.push(p.state) });
    expect(seen[0]).toBe('unused');
    expect(seen).toContain('initial');
    expect(seen[seen.length - 1]).toBe('healthy');
    expect(fx.callsOf('RegisterTargets')).toHaveLength(1);
  });

  test('re-registering a draining target waits for unused first: RegisterTargets only after unused', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 700, healthyAfterMs: 100 });
    const g = await groups([arn]);
    await g.deregister({ id: SELF }, { inflight: () => 0 });
    expect(fx.stateOf(arn, SELF)).toBe('draining');
    const deregisteredAt = fx.callsOf('DeregisterTargets')[0]!.at;
    const seen: LbProgress[] = [];
    await g.register({ id: SELF }, { onProgress: (p) => seen.push(p) });
    const reg = fx.callsOf('RegisterTargets');
    expect(reg).toHaveLength(1);
    expect(reg[0]!.at).toBeGreaterThanOrEqual(deregisteredAt + 700);
    expect(seen.some((p) => p.phase === 'wait' && p.state === 'draining' && p.message?.includes('waiting for unused first'))).toBe(true);
    expect(fx.stateOf(arn, SELF)).toBe('healthy');
  });

  test('unavailable and unhealthy targets are waited on until healthy, or time out with the reason', async () => {
    const arn = threeTargets();
    fx.inject(arn, SELF, 'unavailable');
    const g = await groups([arn]);
    setTimeout(() => fx.inject(arn, SELF, undefined), 300).unref();
    const seen: string[] = [];
    await g.register({ id: SELF }, { onProgress: (p) => seen.push(p.state) });
    expect(seen).toContain('unavailable');
    expect(seen[seen.length - 1]).toBe('healthy');
    expect(fx.callsOf('RegisterTargets')).toHaveLength(0);

    fx.setFailing(arn, SELF, true);
    const error = await g.register({ id: SELF }, { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBalancerTimeoutError);
    expect((error as Error).message).toContain(`registering ${SELF} (waiting for healthy)`);
    expect((error as Error).message).toContain('unhealthy (Target.FailedHealthChecks)');
  });
});

describe('IMDSv2 and SDK conventions', () => {
  test('resolveSelf uses the IMDSv2 token flow; a plain GET (IMDSv1) is refused with 401', async () => {
    const arn = threeTargets();
    const g = await groups([arn], { port: 8080 });
    await expect(g.resolveSelf()).resolves.toEqual({ id: fx.instanceId, port: 8080 });
    expect(fx.imdsRequests.map((r) => `${r.method} ${r.path} ${r.hadToken} ${r.status}`)).toEqual([
      'PUT /latest/api/token false 200',
      `GET /latest/meta-data/instance-id true 200`,
    ]);
    const plain = await request(`${fx.imdsUrl}/latest/meta-data/instance-id`);
    expect(plain.statusCode).toBe(401);
    await plain.body.dump();

    const imds = new ImdsClient({ endpoint: fx.imdsUrl });
    await expect(imds.availabilityZone()).resolves.toBe('us-east-1a');
    await expect(imds.localIpv4()).resolves.toBe('10.0.1.23');
  });

  test('AWS_EC2_METADATA_SERVICE_ENDPOINT is honoured; a token PUT with no answer explains the container hop limit', async () => {
    fx.imdsTokenMode = 'hang';
    const imds = new ImdsClient({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: fx.imdsUrl + '/' }, timeoutMs: 300 });
    expect(imds.endpoint).toBe(fx.imdsUrl);
    const t0 = Date.now();
    const error = await imds.instanceId().catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(10000); // generous for a busy machine; the token PUT never answers
    expect(error).toBeInstanceOf(ImdsError);
    expect((error as ImdsError).code).toBe('ZERODOWN_IMDS');
    expect((error as Error).message).toContain('got no answer within 300 ms');
    expect((error as Error).message).toContain('HttpPutResponseHopLimit is 1');
    expect((error as Error).message).toContain('set it to 2');

    fx.imdsTokenMode = 'forbidden';
    await expect(new ImdsClient({ endpoint: fx.imdsUrl }).instanceId()).rejects.toThrow(/refused \(HTTP 403\)/);
  });

  test('an unreachable IMDS is a clear error, also through the adapter', async () => {
    const port = await freePort(); // released again: nothing listens there
    const error = await new ImdsClient({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 500 }).instanceId().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImdsError);
    expect((error as Error).message).toContain(`the EC2 instance metadata service at http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
    expect((error as Error).message).toContain('Configure the target explicitly');

    const arn = threeTargets();
    const adapter = elbv2Adapter({ targetGroupArns: [arn], region: 'us-east-1', endpoint: fx.url, credentials, imds: { endpoint: `http://127.0.0.1:${port}` } });
    await expect(adapter.deregister({ signal: AbortSignal.timeout(5000), inflight: () => 0, logger: silentLogger })).rejects.toBeInstanceOf(ImdsError);
    expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
    (await adapter.targetGroups()).close();
  });

  test('the SDK finds endpoint, region and credentials (EC2 instance role via IMDS) from the AWS environment', async () => {
    const arn = threeTargets({ deregistrationDelayMs: 200 });
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
      Object.assign(process.env, {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fx.url,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: fx.imdsUrl,
        AWS_CONFIG_FILE: '/nonexistent/zerodown-test-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/zerodown-test-credentials',
      });
      const g = await createElbv2TargetGroups({ targetGroupArns: [arn], pollIntervalMs: 50 });
      open.push(g);
      const self = await g.resolveSelf();
      expect(self).toEqual({ id: fx.instanceId });
      fx.seedHealthy(arn, fx.instanceId);
      await g.deregister(self);
      expect(fx.stateOf(arn, fx.instanceId)).toBe('unused');
      expect(fx.calls.length).toBeGreaterThan(0);
      expect(fx.calls.every((c) => c.signed)).toBe(true);
      expect(fx.imdsRequests.some((r) => r.path.startsWith('/latest/meta-data/iam/security-credentials/') && r.hadToken && r.status === 200)).toBe(true);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('the adapter and its configuration', () => {
  test('elbv2Adapter deregisters and registers this instance for zd.useLoadBalancer', async () => {
    const arn = fx.addTargetGroup({ targets: [{ id: fx.instanceId }, { id: OTHER1 }], deregistrationDelayMs: 30000, healthyAfterMs: 100 });
    const adapter = elbv2Adapter({ targetGroupArns: [arn], region: 'us-east-1', endpoint: fx.url, credentials, pollIntervalMs: 50, imds: { endpoint: fx.imdsUrl } });
    expect(adapter.name).toBe('elbv2');
    const logs: string[] = [];
    const logger = { ...silentLogger, info: ((o: object | string, m?: string) => void logs.push(m ?? (typeof o === 'string' ? o : JSON.stringify(o)))) as typeof silentLogger.info };
    let inflight = 1;
    setTimeout(() => (inflight = 0), 300).unref();
    await adapter.deregister({ signal: AbortSignal.timeout(10000), inflight: () => inflight, logger });
    expect(fx.stateOf(arn, fx.instanceId)).toBe('draining');
    expect(logs.some((l) => l.includes('draining'))).toBe(true);
    fx.configure(arn, { deregistrationDelayMs: 0 });
    await adapter.register({ signal: AbortSignal.timeout(10000), inflight: () => 0, logger });
    expect(fx.stateOf(arn, fx.instanceId)).toBe('healthy');
    (await adapter.targetGroups()).close();
  });

  test('zd.useLoadBalancer: ready() registers until healthy; drain() deregisters and serves every request meanwhile', async () => {
    const arn = fx.addTargetGroup({ targets: [{ id: OTHER1, port: 8080 }], deregistrationDelayMs: 800, healthyAfterMs: 150 });
    const zd = zerodown({ logger: silentLogger, drain: { signals: false, exit: false, timeoutMs: 10000, delayMs: 0 }, control: { socket: false } });
    let arrived = 0;
    const server = createHttpServer((req, res) => {
      arrived++;
      setTimeout(() => res.end('ok'), 300);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      zd.attach(server);
      zd.useLoadBalancer(elbv2Adapter({ targetGroupArns: [arn], target: { id: SELF, port: 8080 }, region: 'us-east-1', endpoint: fx.url, credentials, pollIntervalMs: 50 }));
      zd.ready();
      await waitFor(() => fx.stateOf(arn, SELF) === 'healthy', 10000, 'the target to be healthy', 50);
      const { port } = server.address() as { port: number };
      const slow = request(`http://127.0.0.1:${port}/`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
      await waitFor(() => arrived === 1, 10000, 'the request to be in flight');
      const result = await zd.drain('test');
      expect(await slow).toEqual({ status: 200, body: 'ok' });
      expect(result.forced).toBe(false);
      expect(fx.callsOf('RegisterTargets')).toHaveLength(1);
      expect(fx.callsOf('DeregisterTargets')).toHaveLength(1);
      expect(['draining', 'unused']).toContain(fx.stateOf(arn, SELF));
    } finally {
      zd.dispose();
      await closeServer(server);
    }
  });

  test('invalid configuration names the field; a missing SDK names the package to install', async () => {
    await expect(createElbv2TargetGroups({ targetGroupArns: [] })).rejects.toBeInstanceOf(ZerodownConfigError);
    await expect(createElbv2TargetGroups({ targetGroupArns: ['my-group'] })).rejects.toThrow(/targetGroupArns: "my-group" is not a target group ARN/);
    const arn = threeTargets();
    await expect(createElbv2TargetGroups({ targetGroupArns: [arn], pollIntervalMs: -1 })).rejects.toThrow(/pollIntervalMs must be a positive number/);
    await expect(createElbv2TargetGroups({ targetGroupArns: [arn], target: { id: SELF, port: 70000 } })).rejects.toThrow(/target.port must be an integer from 1 to 65535, got 70000/);
    const error = await createElbv2TargetGroups({ targetGroupArns: [arn], sdkModule: '@aws-sdk/zerodown-not-installed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadBalancerError);
    expect((error as Error).message).toContain('npm install @aws-sdk/client-elastic-load-balancing-v2');
  });
});
