/**
 * Rolling patch through a real HAProxy: three Express example apps, keep-alive load throughout, and one
 * instance at a time `zerodown drain` (the built CLI) → SIGTERM → a new process → `zerodown resume`.
 * Members must see 0 failed and 0 non-2xx requests, and every instance must serve again afterwards.
 */
import { rollingPatch, startFleet, type Fleet } from './harness/fleet';
import { describeProblems, startLoad, type LoadReport } from './harness/load';
import { waitFor } from '../fixtures/cli-helpers';

let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.stop();
});

test('rolling patch of 3 instances under keep-alive load: 0 failed, 0 non-2xx', async () => {
  fleet = await startFleet();
  const f = fleet;
  const load = startLoad({ url: f.haproxy.url, connections: 16, paths: ['/', '/', '/work?ms=20', '/', '/work?ms=150'], maxMs: 90000 });
  let timings;
  let report: LoadReport;
  try {
    await waitFor('load to be flowing', () => load.count() > 200);
    const before = await f.servers();
    timings = await rollingPatch(f);
    // every new process serves members through HAProxy before the load stops
    await waitFor('every patched instance to serve again', async () => {
      const now = await f.servers();
      return f.members.every((m) => now[m.name]!.total > before[m.name]!.total + 20);
    });
  } finally {
    report = await load.stop();
  }
  expect(describeProblems(report)).toBe('');
  expect(report.failed).toHaveLength(0);
  expect(report.non2xx).toHaveLength(0);
  expect(report.ok).toBeGreaterThan(1000);
  expect(timings.map((t) => t.name)).toEqual(['app1', 'app2', 'app3']);
  process.stderr.write(`rolling patch e2e: ${report.total} requests, 0 failed, 0 non-2xx; per instance ${timings.map((t) => `${t.name} ${Math.round(t.totalMs)} ms`).join(', ')}\n`);
}, 120000);
