/**
 * ELBv2 through zerodown, with the real AWS SDK client against the local ELBv2 + IMDS fixture:
 * the min-healthy guard runs before readiness fails (`zerodown drain` against a real app process),
 * a drain whose process exits deregisters anyway, and a registration started by ready() never
 * re-registers a target that `zerodown drain` took out.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { elbv2Adapter, zerodown, type Logger, type Zerodown } from '@zerodown/core';
import { startElbv2Fixture, type Elbv2Fixture, type RecordedCall } from './fixtures/elbv2-fixture';
import { ROOT, freePort, runCli, stopAll, track } from './fixtures/cli-helpers';
import { closeServer } from './helpers/http-server';
import { waitFor } from './helpers/wait';

const SELF = 'i-0aaaaaaaaaaaaaaa1';
const OTHER = 'i-0bbbbbbbbbbbbbbb2';
const credentials = { accessKeyId: 'AKIAZDTESTFIXTURE000', secretAccessKey: 'zd-test-secret-not-real' };

let fx: Elbv2Fixture;
let dir: string;

beforeEach(async () => {
  fx = await startElbv2Fixture();
  dir = mkdtempSync(path.join(tmpdir(), 'zd-lb-'));
});
afterEach(async () => {
  await stopAll();
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readyz(port: number): Promise<number> {
  const r = await request(`http://127.0.0.1:${port}/readyz`);
  await r.body.dump();
  return r.statusCode;
}

/** Starts test/fixtures/elbv2-app.js (real process, control socket, SIGTERM drain) against the fixture. */
async function startApp(arn: string, port: number, socket: string): Promise<{ logs: () => string; exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void }> {
  const c = track(process.execPath, [path.join(ROOT, 'test/fixtures/elbv2-app.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), ZERODOWN_CONTROL_SOCKET: socket, TARGET_GROUP_ARN: arn, TARGET_ID: SELF, ELBV2_ENDPOINT: fx.url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  c.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
  await waitFor(() => /listening on http/.test(err) || c.exitCode !== null, 30000, 'the app to listen');
  return { logs: () => err, exited, kill: (s) => c.kill(s) };
}

test('`zerodown drain` on the last healthy target is refused first: exit 1 naming why, /readyz still 200; SIGTERM then deregisters anyway and logs why at warn', async () => {
  const port = await freePort();
  const arn = fx.addTargetGroup({ name: 'web', targets: [{ id: SELF, port }, { id: OTHER, port }], deregistrationDelayMs: 300 });
  fx.setFailing(arn, OTHER, true);
  fx.seedHealthy(arn, OTHER, port); // re-seeded: out of `initial`, now failing its health checks
  expect(fx.stateOf(arn, OTHER)).toBe('unhealthy');
  const socket = path.join(dir, 'app.sock');
  const app = await startApp(arn, port, socket);
  // ready() registered the (already healthy) target: its registration has finished
  await waitFor(() => /"msg":"zerodown: elbv2 healthy"/.test(app.logs()), 10000, 'the registration to finish');
  expect(await readyz(port)).toBe(200);

  const r = await runCli(['drain', '--socket', socket, '--timeout', '20s']);
  expect(r.code).toBe(1);
  // readiness exactly as it was, through a real request; the load balancer was never asked
  expect(await readyz(port)).toBe(200);
  expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
  expect(fx.stateOf(arn, SELF)).toBe('healthy');
  expect(r.stderr).toMatch(/refusing to deregister i-0aaaaaaaaaaaaaaa1:\d+ from arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web\/\w+: only 0 other target\(s\) are healthy, at least 1 required \(other targets: i-0bbbbbbbbbbbbbbb2:\d+ unhealthy\)\. Readiness is unchanged; drain with force \(zerodown drain --force\)/);

  // SIGTERM: the process exits whatever happens, so it deregisters anyway and says why
  app.kill('SIGTERM');
  expect(await app.exited).toBe(0);
  expect(fx.callsOf('DeregisterTargets')).toHaveLength(1);
  expect(['draining', 'unused']).toContain(fx.stateOf(arn, SELF));
  const warn = app
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string | number; msg: string })
    .find((l) => /deregistering anyway/.test(l.msg));
  expect(warn).toBeDefined();
  expect(['warn', 40]).toContain(warn!.level);
  expect(warn!.msg).toMatch(/elbv2 deregistering anyway although only 0 other target\(s\) are healthy in arn:.*targetgroup\/web\/\w+ \(min-healthy guard: at least 1\), because the process exits after this drain \(SIGTERM\) regardless/);
}, 60000);

test('`zerodown drain --force` deregisters the last healthy target anyway (logged at warn)', async () => {
  const port = await freePort();
  const arn = fx.addTargetGroup({ name: 'web', targets: [{ id: SELF, port }], deregistrationDelayMs: 200 });
  const socket = path.join(dir, 'app.sock');
  const app = await startApp(arn, port, socket);
  await waitFor(() => /"msg":"zerodown: elbv2 healthy"/.test(app.logs()), 10000, 'the registration to finish');
  const r = await runCli(['drain', '--socket', socket, '--force', '--timeout', '20s']);
  expect(r.code).toBe(0);
  expect(await readyz(port)).toBe(503);
  expect(fx.callsOf('DeregisterTargets')).toHaveLength(1);
  expect(app.logs()).toMatch(/deregistering anyway although only 0 other target\(s\) are healthy .* because the caller forced it/);
}, 60000);

interface Line {
  level: string;
  msg: string;
}

function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => ((o: unknown, m?: string) => void lines.push({ level, msg: m ?? (typeof o === 'string' ? o : '') })) as Logger['info'];
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines };
}

describe('one load-balancer operation at a time', () => {
  let zd: Zerodown | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    zd?.dispose();
    if (server) await closeServer(server);
    zd = undefined;
    server = undefined;
  });

  test('a registration still in progress from ready() is cancelled by `zerodown drain`: the target ends deregistered and is never registered again', async () => {
    // the new target stays `initial` (health checks in progress) for a minute: ready()'s registration keeps waiting
    const arn = fx.addTargetGroup({ name: 'web', targets: [{ id: OTHER }], healthyAfterMs: 60000, deregistrationDelayMs: 300 });
    const log = capture();
    const socket = path.join(dir, 'zd.sock');
    zd = zerodown({ logger: log.logger, control: { socket }, drain: { signals: false, exit: false, delayMs: 0 }, health: { eventLoopStallMs: 0 } });
    server = createServer((req, res) => res.end('ok'));
    zd.attach(server);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    zd.useLoadBalancer(elbv2Adapter({ targetGroupArns: [arn], target: { id: SELF, port: 8080 }, region: 'us-east-1', endpoint: fx.url, credentials, pollIntervalMs: 50, retry: { baseMs: 20, capMs: 200 } }));
    zd.ready();
    await zd.control!.listening;
    await waitFor(() => fx.stateOf(arn, SELF) === 'initial', 10000, 'ready() to register the target');

    const r = await runCli(['drain', '--socket', socket, '--timeout', '20s']);
    expect(r.code).toBe(0);
    expect(await readyz(port)).toBe(503);

    // the old registration either settles (cancelled) or, as before the fix, registers the target again once it is unused
    const registerAfterDeregister = (): RecordedCall[] => {
      const first = fx.calls.findIndex((c) => c.action === 'DeregisterTargets');
      return fx.calls.slice(first).filter((c) => c.action === 'RegisterTargets');
    };
    await waitFor(() => log.lines.some((l) => /register cancelled/.test(l.msg)) || registerAfterDeregister().length > 0, 10000, 'the registration to settle');
    await waitFor(() => fx.stateOf(arn, SELF) === 'unused', 10000, 'the target to finish draining');

    // the call log: RegisterTargets (ready), then DeregisterTargets (drain), and no RegisterTargets after it
    const actions = fx.calls.filter((c) => c.action === 'RegisterTargets' || c.action === 'DeregisterTargets').map((c) => c.action);
    expect(actions).toEqual(['RegisterTargets', 'DeregisterTargets']);
    expect(registerAfterDeregister()).toEqual([]);
    expect(log.lines.find((l) => /register cancelled/.test(l.msg))).toMatchObject({ level: 'info', msg: 'zerodown: load-balancer register cancelled: a newer deregister on the same adapter started' });
    expect(log.lines.some((l) => l.level === 'error')).toBe(false);
  }, 60000);

  test('resume after a drain registers again; a second drain cancels that registration', async () => {
    const arn = fx.addTargetGroup({ name: 'web', targets: [{ id: OTHER }], healthyAfterMs: 60000, deregistrationDelayMs: 100 });
    const log = capture();
    zd = zerodown({ logger: log.logger, control: { socket: false }, drain: { signals: false, exit: false, delayMs: 0 }, health: { eventLoopStallMs: 0 } });
    zd.useLoadBalancer(elbv2Adapter({ targetGroupArns: [arn], target: { id: SELF }, region: 'us-east-1', endpoint: fx.url, credentials, pollIntervalMs: 50 }), { registerOnReady: true });
    zd.ready();
    await waitFor(() => fx.stateOf(arn, SELF) === 'initial', 10000, 'ready() to register');
    await zd.suspend('first');
    await waitFor(() => fx.stateOf(arn, SELF) === 'unused', 10000, 'unused');
    const resumed = zd.resume({ timeoutMs: 20000 }).catch((error: unknown) => error);
    await waitFor(() => fx.callsOf('RegisterTargets').length === 2, 10000, 'resume to register');
    await zd.suspend('second');
    expect(await resumed).toMatchObject({ code: 'ZERODOWN_LB_SUPERSEDED' });
    await waitFor(() => fx.stateOf(arn, SELF) === 'unused', 10000, 'unused again');
    expect(fx.calls.filter((c) => c.action === 'RegisterTargets' || c.action === 'DeregisterTargets').map((c) => c.action)).toEqual(['RegisterTargets', 'DeregisterTargets', 'RegisterTargets', 'DeregisterTargets']);
  }, 60000);
});
