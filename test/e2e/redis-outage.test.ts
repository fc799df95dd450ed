/**
 * A Redis outage behind a real HAProxy: three Express example apps share one real redis-server (a
 * critical readiness check, and GET /visits needs it). The test kills Redis, then starts it again.
 * Every instance's readiness fails together, so HAProxy is set to fail open as an AWS ALB does (all
 * targets unhealthy → route to all); routes that do not need Redis must never fail, and /visits answers
 * the app's own 503 while Redis is down and 200 again once it is back.
 */
import { request } from 'undici';
import { startFleet, type Fleet } from './harness/fleet';
import { describeProblems, startLoad, type LoadReport } from './harness/load';
import { startRedis, waitFor } from '../fixtures/cli-helpers';

let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.stop(); // also stops the redis-server (started through cli-helpers)
});

const readyz = async (port: number): Promise<number> => {
  const r = await request(`http://127.0.0.1:${port}/readyz`, { headersTimeout: 5000 });
  await r.body.dump();
  return r.statusCode;
};

test('Redis down and back: routes that do not need Redis never fail', async () => {
  const redis = await startRedis();
  fleet = await startFleet({ env: { REDIS_URL: redis.url }, haproxy: { failOpen: true } });
  const f = fleet;
  const load = startLoad({ url: f.haproxy.url, connections: 12, paths: ['/', '/visits', '/work?ms=10', '/third-party'], maxMs: 90000 });
  let report: LoadReport;
  try {
    await waitFor('/visits to count through Redis', () => load.countOf('/visits', 200) > 50);
    await redis.stop();
    // the cause ran: every instance reports itself unready, HAProxy has none left, /visits fails
    await waitFor('every instance to fail /readyz', async () => (await Promise.all(f.members.map((m) => readyz(m.port)))).every((s) => s === 503));
    await waitFor('HAProxy to mark every server DOWN', async () => Object.values(await f.servers()).every((s) => s.status.startsWith('DOWN')));
    const before = load.count();
    await waitFor('members to keep being served while Redis is down', () => load.count() > before + 200 && load.countOf('/visits', 503) > 20);
    await redis.start();
    for (const m of f.members) await f.waitStatus(m.name, 'UP', (s) => s === 'UP', 30000);
    const visits = load.countOf('/visits', 200);
    await waitFor('/visits to count again', () => load.countOf('/visits', 200) > visits + 30);
  } finally {
    report = await load.stop();
  }
  const redisFree = (o: { path: string }): boolean => !o.path.startsWith('/visits');
  process.stderr.write(`redis outage e2e: ${report.total} requests; /visits 503 while Redis was down: ${report.non2xx.filter((o) => !redisFree(o)).length}\n`);
  expect(describeProblems({ ...report, failed: report.failed, non2xx: report.non2xx.filter(redisFree) })).toBe('');
  expect(report.failed).toHaveLength(0);
  expect(report.non2xx.filter(redisFree)).toHaveLength(0);
  // what /visits got while Redis was down is the app's own answer, not the load balancer's
  expect(new Set(report.non2xx.map((o) => `${o.status} ${o.body}`))).toEqual(new Set(['503 {"error":"redis unavailable"}']));
}, 120000);
