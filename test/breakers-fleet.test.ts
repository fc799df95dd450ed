import { request } from 'undici';
import { startApp, waitFor, type AppProcess } from './helpers/app-process';
import { startRedis, type RedisServer } from './helpers/redis-server';
import { startRollbarCapture, type RollbarCapture } from './fixtures/rollbar-capture';
import { startThirdParty, type ThirdPartyServer } from './fixtures/third-party-server';

// Three app processes (test/fixtures/third-party-app.js, built dist) share one real redis-server.
const KEY = 'third-party:breaker:third-party';
const RESET_MS = 1500;

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await request(url);
  return { status: res.statusCode, body: JSON.parse(await res.body.text()) as unknown };
}
/** Log lines (the default JSON logger on stderr) about `key` that contain `text`. */
const logged = (app: AppProcess, key: string, text: string): number => app.stderr().split('\n').filter((l) => l.includes(`"key":"${key}"`) && l.includes(text)).length;
const sentFiring = (app: AppProcess): number => app.events.filter((e) => e.event === 'alert' && e.key === KEY && e.state === 'firing').length;
const stateOf = async (app: AppProcess): Promise<string> => ((await get(`${app.url}/breakers`)).body as { state: string }[])[0]!.state;

describe('fleet mode: three processes, one Redis', () => {
  let redis: RedisServer;
  let tp: ThirdPartyServer;
  let capture: RollbarCapture;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis(); // already running
    tp = await startThirdParty();
    capture = await startRollbarCapture();
    const env = {
      THIRD_PARTY_URL: tp.url,
      REDIS_URL: redis.url,
      ROLLBAR_ACCESS_TOKEN: 'b'.repeat(32),
      ROLLBAR_ENDPOINT: capture.endpoint,
      RESET_MS: String(RESET_MS),
      TIMEOUT_MS: '1000', // a breaker timeout a busy machine's first call never hits
      LOG_LEVEL: 'debug', // the fleet deduper's decisions are debug lines the test waits for
    };
    for (let i = 0; i < 3; i++) apps.push(await startApp('test/fixtures/third-party-app.js', env));
  });
  afterAll(async () => {
    for (const a of apps) a.kill('SIGKILL');
    await Promise.all(apps.map((a) => a.exited));
    await tp.close();
    await capture.close();
    await redis.stop();
  });

  test('one firing alert for the fleet, one probe per reset period, and local behaviour when Redis stops', async () => {
    for (const a of apps) expect((await get(`${a.url}/third-party`)).body).toEqual({ ok: true });

    // outage: every instance sees the breaker open (by its own failures or by the fleet's share)
    tp.mode = 'fail';
    for (let round = 0; round < 40; round++) {
      const states = await Promise.all(apps.map(stateOf));
      if (states.every((s) => s !== 'closed')) break;
      await Promise.all(apps.map(async (a) => expect((await get(`${a.url}/third-party`)).body).toEqual({ fallback: true })));
      await new Promise((r) => setTimeout(r, 50)); // sleep-ok: paces the bounded traffic loop (it polls the breaker states above)
    }
    expect(await Promise.all(apps.map(stateOf))).not.toContain('closed');

    // keep the traffic flowing for three reset periods: only one probe per period reaches the third party
    tp.mode = 'hang';
    const from = Date.now();
    tp.hits.length = 0;
    const windowMs = RESET_MS * 3;
    while (Date.now() - from < windowMs) {
      const rs = await Promise.all(apps.map((a) => get(`${a.url}/third-party`)));
      for (const r of rs) expect(r.body).toEqual({ fallback: true });
      await new Promise((r) => setTimeout(r, 50)); // sleep-ok: paces the traffic kept up for a fixed window of three reset periods
    }
    const probes = tp.hits.filter((t) => t >= from).length;
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(Math.ceil(windowMs / RESET_MS) + 1);

    await waitFor(() => capture.items.some((i) => i.data.fingerprint === KEY), 5000, 'the firing alert');
    // every instance has decided: it sent the firing alert, or its fleet deduper found it already firing
    await waitFor(() => apps.every((a) => sentFiring(a) + logged(a, KEY, 'already firing for the fleet') >= 1), 10000, 'every instance to decide on the firing alert');
    expect(apps.map(sentFiring).reduce((x, y) => x + y)).toBe(1);
    const firing = capture.items.filter((i) => i.data.fingerprint === KEY && (i.data.zerodown as { state: string }).state === 'firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]!.data.zerodown).toMatchObject({ level: 'error', runbookUrl: 'https://runbooks.example/third-party' });

    // Redis stops during the outage: fallbacks still served, no crash, no unhandled rejection
    await redis.stop();
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const rs = await Promise.all(apps.map((a) => get(`${a.url}/third-party`)));
      for (const r of rs) expect(r.body).toEqual({ fallback: true });
      await new Promise((r) => setTimeout(r, 50)); // sleep-ok: paces the traffic kept up for 1.5 s with Redis down
    }
    // recovery with Redis down: each instance closes on its own probe and alerts locally
    tp.mode = 'ok';
    await waitFor(
      async () => {
        await Promise.all(apps.map((a) => get(`${a.url}/third-party`)));
        return (await Promise.all(apps.map(stateOf))).every((s) => s === 'closed');
      },
      RESET_MS * 4,
      'every instance to close its breaker',
      100,
    );
    await waitFor(() => capture.items.some((i) => (i.data.zerodown as { state: string }).state === 'resolved'), 5000, 'a resolved alert sent locally');
    await waitFor(() => apps.every((a) => a.events.some((e) => e.event === 'alert' && e.state === 'resolved')), 5000, 'every instance to resolve its alert locally').catch((e: Error) => { throw new Error(e.message + JSON.stringify(apps.map((a) => a.events))); });
    for (const a of apps) {
      expect(a.child.exitCode).toBeNull();
      expect(a.events.filter((e) => e.event === 'unhandledRejection')).toEqual([]);
    }
  });
});
