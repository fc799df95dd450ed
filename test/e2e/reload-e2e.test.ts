/**
 * Rolling reload and a bad release, under `zerodown serve` (issue 10), through a real HAProxy: three
 * hosts, each a `zerodown serve` master with two workers of the Express example, keep-alive load
 * throughout. (d) `zerodown reload` on each host in turn moves every worker to release v2 with 0 failed
 * and 0 non-2xx member requests. (e) a release that cannot start: `zerodown reload` exits 1 and the host
 * keeps serving v2, still with 0 failed and 0 non-2xx. Skipped, saying so, while the CLI has no `serve`.
 */
import { runCli, waitFor } from '../fixtures/cli-helpers';
import { describeProblems, startLoad, type LoadReport } from './harness/load';
import { serveAvailable, startServeFleet, switchCurrent, writeRelease, type ServeFleet } from './harness/serve-fleet';

const available = serveAvailable();
if (!available) process.stderr.write('reload-e2e: skipped: the built CLI has no `zerodown serve` yet (issue 10)\n');
const maybe = available ? describe : describe.skip;

maybe('zerodown serve behind HAProxy, under keep-alive load', () => {
  let fleet: ServeFleet | undefined;
  beforeAll(async () => {
    fleet = await startServeFleet(3, 2);
  }, 120000);
  afterAll(async () => {
    await fleet?.stop();
  });

  test('(d) rolling reload of every host to v2: 0 failed, 0 non-2xx', async () => {
    const f = fleet!;
    for (const h of f.hosts) expect(await f.releasesOf(h)).toEqual(new Set(['v1']));
    const load = startLoad({ url: f.url, connections: 16, paths: ['/', '/work?ms=20', '/', '/work?ms=200'], maxMs: 240000 });
    const took: string[] = [];
    let report: LoadReport;
    try {
      await waitFor('load to be flowing', () => load.count() > 200);
      for (const h of f.hosts) {
        writeRelease(h.root, 'v2');
        switchCurrent(h.root, 'v2');
        const t0 = Date.now();
        const r = await runCli(['reload', '--socket', h.socket, '--timeout', '90s', '--json'], {}, 120000);
        took.push(`${h.name} ${Date.now() - t0} ms`);
        if (r.code !== 0) throw new Error(`zerodown reload ${h.name} exited ${r.code}: ${r.stderr}${r.stdout}\nmaster log:\n${h.logs().slice(-3000)}`);
        expect(await f.releasesOf(h)).toEqual(new Set(['v2']));
      }
      const after = load.count();
      await waitFor('members to be served after the last reload', () => load.count() > after + 100);
    } finally {
      report = await load.stop();
    }
    expect(describeProblems(report)).toBe('');
    expect(report.failed).toHaveLength(0);
    expect(report.non2xx).toHaveLength(0);
    process.stderr.write(`reload e2e (d): ${report.total} requests, 0 failed, 0 non-2xx; reloads took ${took.join(', ')}\n`);
  }, 300000);

  test('(e) a bad release is refused: reload exits 1, the host keeps serving v2 with 0 errors', async () => {
    const f = fleet!;
    const h = f.hosts[0]!;
    expect(await f.releasesOf(h)).toEqual(new Set(['v2']));
    const load = startLoad({ url: f.url, connections: 16, paths: ['/', '/work?ms=20'], maxMs: 150000 });
    let report: LoadReport;
    try {
      await waitFor('load to be flowing', () => load.count() > 200);
      writeRelease(h.root, 'v3-broken', 'broken');
      switchCurrent(h.root, 'v3-broken');
      const r = await runCli(['reload', '--socket', h.socket, '--timeout', '60s'], {}, 90000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/broken/); // the new worker's own error reaches the operator
      expect(await f.releasesOf(h)).toEqual(new Set(['v2']));
      const after = load.count();
      await waitFor('members to be served after the refused reload', () => load.count() > after + 100);
    } finally {
      report = await load.stop();
    }
    expect(describeProblems(report)).toBe('');
    expect(report.failed).toHaveLength(0);
    expect(report.non2xx).toHaveLength(0);
    expect((await f.servers())[h.name]!.status).toBe('UP');
  }, 150000);
});

if (!available) test('reload scenarios need `zerodown serve` (issue 10)', () => expect(available).toBe(false));
