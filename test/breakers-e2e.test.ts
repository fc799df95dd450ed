import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Rollbar from 'rollbar';
import { request } from 'undici';
import { BreakerTimeoutError, zerodown, type Alert, type AlertSink, type Zerodown } from '@zerodown/core';
import { startRollbarCapture, type RollbarCapture } from './fixtures/rollbar-capture';
import { startThirdParty, type ThirdPartyServer } from './fixtures/third-party-server';
import { startWebhookServer, type WebhookServer } from './fixtures/webhook-server';
import { waitFor } from './helpers/app-process';
import { closeServer } from './helpers/http-server';

const TOKEN = 'test-token-0123456789';
const BREAKER_KEY = 'third-party:breaker:third-party';

interface App {
  zd: Zerodown;
  server: Server;
  url: string;
}

/** A real node:http app with GET /third-party through breaker "third-party" (fallback 200 {"fallback":true}). */
async function startApp(thirdParty: ThirdPartyServer, extra: Parameters<typeof zerodown>[0] = {}): Promise<App> {
  const zd = zerodown({
    serviceName: 'breakers-e2e',
    logger: { error() {}, warn() {}, info() {}, debug() {} },
    drain: { signals: false, exit: false, delayMs: 0, timeoutMs: 2000 },
    control: { socket: false },
    health: { token: TOKEN },
    breakers: { timeoutMs: 1000, resetTimeoutMs: 1000, volumeThreshold: 3 }, // a timeout a busy machine's first call never hits
    monitors: false,
    ...extra,
  });
  const call = zd.breakers.wrap(
    'third-party',
    async ({ signal }) => {
      const res = await request(thirdParty.url, { signal });
      const body = (await res.body.json()) as unknown;
      if (res.statusCode >= 500) throw new Error(`third party answered ${res.statusCode}`);
      return body;
    },
    { fallback: () => ({ fallback: true }), owner: 'team-roadside', runbookUrl: 'https://runbooks.example/third-party', statusPageUrl: 'https://status.example' },
  );
  const server = createServer(
    zd.requestListener((req, res) => {
      if (req.url !== '/third-party') return void res.writeHead(404).end();
      call().then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        () => res.writeHead(502).end(),
      );
    }),
  );
  zd.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  zd.ready();
  return { zd, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stopApp(app: App | undefined): Promise<void> {
  if (!app) return;
  app.zd.dispose();
  await closeServer(app.server);
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined, ms: performance.now() - t0 };
}

const state = (app: App): string | undefined => app.zd.breakers.list().find((b) => b.name === 'third-party')?.state;

describe('breaker around a real third party, alerts through the real rollbar SDK', () => {
  let tp: ThirdPartyServer;
  let capture: RollbarCapture;
  let app: App | undefined;
  beforeEach(async () => {
    tp = await startThirdParty();
    capture = await startRollbarCapture();
  });
  afterEach(async () => {
    await stopApp(app);
    app = undefined;
    await tp.close();
    await capture.close();
  });

  test('opens on 500s then hangs, serves the fallback fast, stays ready, warns in /health, closes on recovery; one firing + one resolved Rollbar item', async () => {
    const rollbar = new Rollbar({ accessToken: 'a'.repeat(32), endpoint: capture.endpoint, environment: 'test', captureUncaught: false, captureUnhandledRejections: false });
    app = await startApp(tp, { alerts: { rollbar, forMs: 0, log: false } });

    for (let i = 0; i < 3; i++) expect((await get(`${app.url}/third-party`)).body).toEqual({ ok: true });

    tp.mode = 'fail';
    for (let i = 0; i < 20 && state(app) === 'closed'; i++) {
      const r = await get(`${app.url}/third-party`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ fallback: true });
    }
    expect(state(app)).toBe('open');

    tp.mode = 'hang';
    for (let i = 0; i < 15; i++) {
      const r = await get(`${app.url}/third-party`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ fallback: true });
      expect(r.ms).toBeLessThan(1000 + 1500); // never longer than the breaker timeout (plus slack for a busy machine); a hang is forever
      await new Promise((res) => setTimeout(res, 100)); // sleep-ok: spaces the calls over the 1 s reset timeout, so half-open trials meet the hang too
    }
    expect((await get(`${app.url}/readyz`)).status).toBe(200);
    const health = await get(`${app.url}/health`, { authorization: `Bearer ${TOKEN}` });
    expect(health.status).toBe(200);
    const report = health.body as { status: string; checks: Record<string, { status: string; critical: boolean }[]> };
    expect(report.status).toBe('warn');
    expect(report.checks['breaker.third-party:state']?.[0]).toMatchObject({ status: 'warn', critical: false });

    tp.mode = 'ok';
    await waitFor(async () => (await get(`${app!.url}/third-party`)).body !== undefined && state(app!) === 'closed', 8000, 'the breaker to close', 150);
    expect((await get(`${app.url}/third-party`)).body).toEqual({ ok: true });
    expect(((await get(`${app.url}/health`, { authorization: `Bearer ${TOKEN}` })).body as { status: string }).status).toBe('pass');

    await waitFor(() => capture.items.filter((i) => i.data.fingerprint === BREAKER_KEY).length >= 2, 5000, 'two rollbar items');
    await app.zd.alerts.flush(AbortSignal.timeout(10000)); // every alert sent so far has reached the capture server
    const items = capture.items.filter((i) => i.data.fingerprint === BREAKER_KEY);
    expect(items).toHaveLength(2);
    const [firing, resolved] = items as [(typeof items)[0], (typeof items)[0]];
    expect(firing.data.level).toBe('error');
    expect(firing.data.zerodown).toMatchObject({ state: 'firing', source: 'third-party', level: 'error', runbookUrl: 'https://runbooks.example/third-party', owner: 'team-roadside', details: expect.objectContaining({ breaker: 'third-party' }) });
    expect(firing.data.body.message?.body).toContain('third-party');
    expect(resolved.data.level).toBe('info');
    expect(resolved.data.zerodown).toMatchObject({ state: 'resolved', key: BREAKER_KEY, runbookUrl: 'https://runbooks.example/third-party' });
  });

  test('one failure never opens the breaker (volume threshold)', async () => {
    app = await startApp(tp, { alerts: { log: false } });
    tp.mode = 'fail';
    expect((await get(`${app.url}/third-party`)).body).toEqual({ fallback: true });
    tp.mode = 'ok';
    expect(state(app)).toBe('closed');
    expect((await get(`${app.url}/third-party`)).body).toEqual({ ok: true });
  });
});

describe('per-call AbortSignal', () => {
  test('a timeout of one call never aborts another call in flight on the same breaker', async () => {
    const zd = zerodown({ logger: { error() {}, warn() {}, info() {}, debug() {} }, drain: { signals: false, exit: false }, control: { socket: false }, monitors: false, alerts: { log: false } });
    try {
      const signals: AbortSignal[] = [];
      // `finishWhen`: the call finishes at once when that promise resolves (instead of after `ms`)
      const wait = zd.breakers.wrap(
        'slow',
        ({ signal }, ms: number, finishWhen?: Promise<unknown>) => {
          signals.push(signal);
          return new Promise<string>((resolve, reject) => {
            const t = setTimeout(() => resolve(`done ${ms}`), ms);
            void finishWhen?.then(() => {
              clearTimeout(t);
              resolve(`done ${ms}`);
            });
            signal.addEventListener('abort', () => {
              clearTimeout(t);
              reject(signal.reason as Error);
            });
          });
        },
        { timeoutMs: 200 },
      );
      const a = wait(5000).catch((e: Error) => e);
      const aAborted = new Promise((r) => signals[0]!.addEventListener('abort', r));
      // B starts right after A, so it is still running when A times out (its own timeout comes just after
      // A's); it finishes right when A's signal aborts, before its own timeout
      const b = wait(180, aAborted);
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra).toBeInstanceOf(BreakerTimeoutError);
      expect(ra).toMatchObject({ code: 'ZERODOWN_BREAKER_TIMEOUT', breaker: 'slow', timeoutMs: 200 });
      expect(rb).toBe('done 180');
      expect(signals[0]!.aborted).toBe(true);
      expect(signals[1]!.aborted).toBe(false);
      // the breaker keeps working afterwards: no shared, permanently-aborted controller
      expect(await wait(5)).toBe('done 5');
      expect(signals[2]!.aborted).toBe(false);
    } finally {
      zd.dispose();
    }
  });
});

describe('webhook sink', () => {
  let tp: ThirdPartyServer;
  let hook: WebhookServer;
  let app: App | undefined;
  beforeEach(async () => {
    tp = await startThirdParty();
    hook = await startWebhookServer();
  });
  afterEach(async () => {
    await stopApp(app);
    app = undefined;
    await tp.close();
    await hook.close();
  });

  test('receives the JSON alert', async () => {
    app = await startApp(tp, { alerts: { log: false, webhook: { url: hook.url, timeoutMs: 1000 } } });
    tp.mode = 'fail';
    for (let i = 0; i < 20 && state(app) === 'closed'; i++) await get(`${app.url}/third-party`);
    await waitFor(() => hook.bodies.length >= 1, 5000, 'the webhook alert');
    expect(hook.bodies[0]).toMatchObject({ key: BREAKER_KEY, state: 'firing', level: 'error', source: 'third-party', service: 'breakers-e2e', owner: 'team-roadside' });
  });

  test.each(['hang', 'fail'] as const)('a webhook that %ss never delays a member request', async (mode) => {
    hook.mode = mode;
    app = await startApp(tp, { alerts: { log: false, webhook: { url: hook.url, timeoutMs: 5000, retries: 3, backoffMs: 100 } } });
    tp.mode = 'fail';
    const times: number[] = [];
    for (let i = 0; i < 20 && state(app) === 'closed'; i++) times.push((await get(`${app.url}/third-party`)).ms);
    expect(state(app)).toBe('open');
    await waitFor(() => hook.attempts >= 1, 5000, 'the webhook to be called');
    for (let i = 0; i < 10; i++) {
      const r = await get(`${app.url}/third-party`);
      expect(r.body).toEqual({ fallback: true });
      times.push(r.ms);
    }
    expect(Math.max(...times)).toBeLessThan(2000); // generous for a busy machine; a delayed request would wait the webhook's 5 s timeout
  });
});

describe('server monitor', () => {
  test('an event-loop delay alert fires when the loop stays blocked past forMs and resolves after', async () => {
    const seen: Alert[] = [];
    const sink: AlertSink = { name: 'capture', send: (a) => void seen.push(a) };
    const zd = zerodown({
      logger: { error() {}, warn() {}, info() {}, debug() {} },
      drain: { signals: false, exit: false },
      control: { socket: false },
      health: { eventLoopStallMs: 0 },
      alerts: { log: false, sinks: [sink], forMs: 300, instanceId: 'e2e-host' },
      monitors: { intervalMs: 100, eventLoopDelayMs: { threshold: 200, level: 'critical' }, eventLoopUtilization: false, heapUsedPercent: false, cpuPercent: false, diskFreePercent: false },
    });
    const KEY = 'server:eventLoopDelayMs@e2e-host';
    try {
      // the monitor samples (twice) before the loop is blocked: nothing fires
      const first = zd.monitors!.latest();
      await waitFor(() => zd.monitors!.latest() !== first, 5000, 'a sample');
      const second = zd.monitors!.latest();
      await waitFor(() => zd.monitors!.latest() !== second, 5000, 'another sample');
      expect(seen).toHaveLength(0);
      // keep the loop blocked (400 ms blocks, yielding briefly in between) for 1.2 s: longer than forMs
      const until = Date.now() + 1200;
      while (Date.now() < until) {
        const end = Date.now() + 400;
        // sleep-ok: blocking the event loop is the condition the monitor must see
        while (Date.now() < end) {
          /* block the event loop */
        }
        await new Promise((r) => setImmediate(r));
      }
      await waitFor(() => seen.some((a) => a.key === KEY && a.state === 'firing'), 3000, 'the firing alert');
      expect(seen[0]).toMatchObject({ source: 'server', level: 'critical', state: 'firing', instance: 'e2e-host' });
      await waitFor(() => seen.some((a) => a.key === KEY && a.state === 'resolved'), 3000, 'the resolved alert');
      expect(seen.filter((a) => a.key === KEY)).toHaveLength(2);
      expect(seen).toHaveLength(2);
    } finally {
      zd.dispose();
    }
  });
});
