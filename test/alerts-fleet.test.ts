import { request } from 'undici';
import { startApp, waitFor, type AppProcess } from './helpers/app-process';
import { startRedis, type RedisServer } from './helpers/redis-server';
import { startRollbarCapture, type RollbarCapture, type RollbarItem } from './fixtures/rollbar-capture';
import { startThirdParty, type ThirdPartyServer } from './fixtures/third-party-server';

// Alert identity in fleet mode: two app processes (test/fixtures/third-party-app.js, built dist) share one
// real redis-server and one Rollbar capture server. Per-instance conditions (server monitors, forced drains)
// are never merged across hosts; a shared condition (a dependency health check) fires once for the fleet
// and resolves only when the last instance reporting it recovers.

const hit = async (app: AppProcess, path: string): Promise<void> => {
  const res = await request(`${app.url}${path}`, { headersTimeout: 10000 });
  await res.body.dump();
};
const sent = (app: AppProcess, key: string, state: string): number => app.events.filter((e) => e.event === 'alert' && e.key === key && e.state === state).length;
/** Log lines (the default JSON logger on stderr) about `key` that contain `text`. */
const logged = (app: AppProcess, key: string, text: string): number => app.stderr().split('\n').filter((l) => l.includes(`"key":"${key}"`) && l.includes(text)).length;
const zdOf = (i: RollbarItem): { key: string; state: string } => i.data.zerodown as { key: string; state: string };

describe('fleet alert identity: two processes, one Redis', () => {
  let redis: RedisServer;
  let tp: ThirdPartyServer;
  let capture: RollbarCapture;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    redis = await startRedis();
    tp = await startThirdParty();
    capture = await startRollbarCapture();
    const env = {
      THIRD_PARTY_URL: tp.url,
      REDIS_URL: redis.url,
      ROLLBAR_ACCESS_TOKEN: 'c'.repeat(32),
      ROLLBAR_ENDPOINT: capture.endpoint,
      FOR_MS: '0',
      MONITOR_DELAY_MS: '100',
      DRAIN_TIMEOUT_MS: '500',
      LOG_LEVEL: 'debug', // the fleet deduper's decisions are debug lines the tests wait for
    };
    a = await startApp('test/fixtures/third-party-app.js', env);
    b = await startApp('test/fixtures/third-party-app.js', env);
  });
  afterAll(async () => {
    for (const app of [a, b]) app?.kill('SIGKILL');
    await Promise.all([a, b].map((app) => app?.exited));
    await tp.close();
    await capture.close();
    await redis.stop();
  });

  const instanceOf = (app: AppProcess): string => app.events.find((e) => e.event === 'listening')!.instance as string;

  test('server alerts are per instance: both hosts page, one host recovering resolves only its own', async () => {
    const keyA = `server:eventLoopDelayMs@${instanceOf(a)}`;
    const keyB = `server:eventLoopDelayMs@${instanceOf(b)}`;
    expect(keyA).not.toBe(keyB);
    await hit(a, '/busy?on=1');
    await hit(b, '/busy?on=1');
    await waitFor(() => sent(a, keyA, 'firing') === 1 && sent(b, keyB, 'firing') === 1, 10000, 'both hosts to send their own firing alert');
    await hit(a, '/busy?on=0');
    await waitFor(() => sent(a, keyA, 'resolved') === 1, 10000, 'host A to resolve its alert');
    // host A's resolution has reached Rollbar (a resolution wrongly merged with B's key would have gone with it)
    await waitFor(() => capture.items.filter((i) => i.data.fingerprint === keyB).length === 1 && capture.items.filter((i) => i.data.fingerprint === keyA).length === 2, 20000, 'rollbar items');
    // host B is still bad: nothing resolved its alert
    expect(sent(b, keyB, 'resolved')).toBe(0);
    expect(sent(a, keyB, 'resolved')).toBe(0);
    expect(capture.items.filter((i) => i.data.fingerprint === keyB).map((i) => zdOf(i).state)).toEqual(['firing']);
    expect(capture.items.filter((i) => i.data.fingerprint === keyA).map((i) => zdOf(i).state)).toEqual(['firing', 'resolved']);
    expect(capture.items.find((i) => i.data.fingerprint === keyB)!.data.zerodown).toMatchObject({ scope: 'instance', instance: instanceOf(b), details: expect.objectContaining({ instance: instanceOf(b) }) });
    await hit(b, '/busy?on=0');
    await waitFor(() => sent(b, keyB, 'resolved') === 1, 10000, 'host B to resolve its alert');
  });

  test('a shared condition fires once for the fleet and resolves only when the last instance reporting it recovers', async () => {
    const key = 'application:check:dep';
    const items = (): string[] => capture.items.filter((i) => i.data.fingerprint === key).map((i) => zdOf(i).state);
    const raised = async (app: AppProcess): Promise<boolean> => {
      const res = await request(`${app.url}/active`);
      return ((await res.body.json()) as { key: string; firing: boolean }[]).some((k) => k.key === key && k.firing);
    };
    await hit(a, '/dep?ok=0');
    await waitFor(() => sent(a, key, 'firing') === 1, 5000, 'host A to send the firing alert');
    await hit(b, '/dep?ok=0');
    await waitFor(() => raised(b), 5000, 'host B to raise the condition too', 50);
    await waitFor(() => logged(b, key, 'already firing for the fleet') === 1, 5000, "host B's fleet deduper to decide");
    expect(sent(b, key, 'firing')).toBe(0); // already firing for the fleet

    await hit(a, '/dep?ok=1');
    await waitFor(async () => !(await raised(a)), 5000, 'host A to clear the condition', 50);
    await waitFor(() => logged(a, key, 'still reported by another instance') === 1, 5000, "host A's fleet deduper to decide");
    // host B still reports it: host A's recovery resolves nothing
    expect(sent(a, key, 'resolved') + sent(b, key, 'resolved')).toBe(0);

    await hit(b, '/dep?ok=1');
    await waitFor(() => sent(b, key, 'resolved') === 1, 5000, 'host B (the last reporter) to resolve it');
    await waitFor(() => items().length === 2, 5000, 'two rollbar items');
    // every dispatch for this key is accounted for above (A: firing, deduped resolution; B: deduped firing, resolution)
    expect(items()).toEqual(['firing', 'resolved']);
    expect(sent(a, key, 'resolved')).toBe(0);
  });

  test('a forced drain on each host sends one alert per host', async () => {
    const keys = [a, b].map((app) => `application:drain-forced@${instanceOf(app)}`);
    const inflight = [a, b].map((app) => hit(app, '/hang').catch(() => undefined));
    await waitFor(() => [a, b].every((app) => app.events.some((e) => e.event === 'hang')), 10000, 'both hosts to hold a request');
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    await Promise.all([a.exited, b.exited, ...inflight]);
    expect(sent(a, keys[0]!, 'firing')).toBe(1);
    expect(sent(b, keys[1]!, 'firing')).toBe(1);
    await waitFor(() => keys.every((k) => capture.items.some((i) => i.data.fingerprint === k)), 5000, 'both drain-forced items');
  });
});
