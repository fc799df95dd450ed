/**
 * `zerodown serve` / `zerodown reload` end to end: the built CLI runs a real node:cluster master with
 * N = 2 workers of test/fixtures/reload-app.js in release directories behind a `current` symlink;
 * undici keep-alive clients load it while releases are switched and reloaded.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { controlRequest } from '@zerodown/core/control';
import type { MasterStatus } from '@zerodown/core/cluster';
import { freePort, killAndWait, runCli, stopAll, waitFor } from './fixtures/cli-helpers';
import { canCountChildren, childrenOf, makeRelease, startLoad, startServe, switchCurrent, type Serve } from './fixtures/serve-helpers';
import { startWebhookServer, type WebhookServer } from './fixtures/webhook-server';

jest.setTimeout(150000);

let root: string;
let hook: WebhookServer;

beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'zd-serve-'));
  hook = await startWebhookServer();
});

afterEach(async () => {
  await stopAll();
  await hook.close();
  rmSync(root, { recursive: true, force: true });
});

const status = (s: Serve): Promise<MasterStatus> => controlRequest<MasterStatus>(s.socket, { path: '/status', timeoutMs: 5000 });
const readyPids = async (s: Serve): Promise<number[]> => (await status(s)).workers.filter((w) => w.state === 'ready').map((w) => w.pid).sort();
const reload = (s: Serve, extra: string[] = []) => runCli(['reload', '--socket', s.socket, ...extra], {}, 120000);
const alertsOf = (key: string): unknown[] => hook.bodies.filter((b) => (b as { key?: string }).key?.startsWith(key));

/** Samples the master's live children every 25 ms; `max()` is the most seen at once. */
function sampleChildren(pid: number): { stop: () => number; max: () => number } {
  let max = 0;
  const t = setInterval(() => (max = Math.max(max, childrenOf(pid).length)), 25);
  return {
    max: () => max,
    stop: () => {
      clearInterval(t);
      return max;
    },
  };
}

test('three reloads in a row under load on 200 keep-alive connections: no error, no non-2xx, every worker replaced, never more than N + 1 alive', async () => {
  makeRelease(root, 'v1', '1.0.0');
  switchCurrent(root, 'v1');
  const serve = await startServe(root, await freePort(), ['--workers', '2', '--surge', '1', '--ready-timeout', '30s', '--min-uptime', '500ms']);
  const first = await readyPids(serve);
  expect(first).toHaveLength(2);
  const sampler = sampleChildren(serve.child.pid!);
  const load = startLoad(serve.port, 200, { maxMs: 110000, pauseMs: 5 });
  await waitFor('load on both workers', () => load.stats.pids.size >= 2, 20000);

  const seen = new Set(first);
  for (const v of [2, 3, 4]) {
    makeRelease(root, `v${v}`, `${v}.0.0`);
    switchCurrent(root, `v${v}`);
    const before = await readyPids(serve);
    const okBefore = load.stats.ok;
    const r = await reload(serve, ['--json']);
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(r.stdout) as { started: number[]; replaced: number[]; release: { package: string; entry: string } };
    expect(result.release.package).toBe(`reload-app@${v}.0.0`);
    expect(result.release.entry).toBe(path.join(root, 'releases', `v${v}`, 'server.js'));
    expect(result.replaced.sort()).toEqual(before);
    for (const pid of result.started) {
      expect(seen.has(pid)).toBe(false);
      seen.add(pid);
    }
    expect((await readyPids(serve)).sort()).toEqual(result.started.sort());
    // the load kept flowing during the reload
    expect(load.stats.ok).toBeGreaterThan(okBefore);
  }
  await waitFor('answers from the last release', () => load.stats.versions.has('4.0.0'), 20000);
  const stats = await load.stop();
  const max = sampler.stop();
  expect({ errors: stats.errors.slice(0, 5), non2xx: stats.non2xx }).toEqual({ errors: [], non2xx: 0 });
  expect(stats.ok).toBeGreaterThan(1000);
  expect(stats.versions).toEqual(new Set(['1.0.0', '2.0.0', '3.0.0', '4.0.0']));
  if (canCountChildren) {
    expect(max).toBeGreaterThanOrEqual(3); // the sampler saw the surge worker
    expect(max).toBeLessThanOrEqual(3); // N + surge
  }
  const s = await status(serve);
  expect(s.workers.map((w) => w.release.package)).toEqual(['reload-app@4.0.0', 'reload-app@4.0.0']);

  serve.child.kill('SIGTERM');
  expect(await serve.exited).toBe(0);
  expect(existsSync(serve.socket)).toBe(false);
});

test('a broken release never replaces a working one: throws at start-up, never ready, crashes right after ready → reload exits 1 with the reason, old workers keep serving, one alert each', async () => {
  makeRelease(root, 'v1', '1.0.0');
  switchCurrent(root, 'v1');
  const serve = await startServe(root, await freePort(), ['--workers', '2', '--ready-timeout', '12s', '--min-uptime', '2s', '--alert-webhook', hook.url]);
  const pids = await readyPids(serve);
  const load = startLoad(serve.port, 20, { maxMs: 120000, pauseMs: 10 });
  await waitFor('load on both workers', () => load.stats.pids.size >= 2, 20000);

  const cases = [
    { name: 'bad-throw', mode: 'throw', reason: /exited with code 1 before it was ready/, stderr: /release 2\.0\.0-bad-throw is broken: cannot start/ },
    { name: 'bad-never', mode: 'never-ready', reason: /was not ready within 12000 ms/, stderr: undefined },
    { name: 'bad-crash', mode: 'crash-after-ready', reason: /exited with code 3 right after it became ready/, stderr: undefined },
  ] as const;
  let n = 0;
  for (const c of cases) {
    makeRelease(root, c.name, `2.0.0-${c.name}`, c.mode);
    switchCurrent(root, c.name);
    const r = await reload(serve);
    n++;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(c.reason);
    expect(r.stderr).toMatch(/keep serving/);
    if (c.stderr) expect(r.stderr).toMatch(c.stderr);
    await waitFor(`alert ${n}`, () => alertsOf('application:reload-failed').length >= n, 15000);
    expect(alertsOf('application:reload-failed')).toHaveLength(n);
    expect((alertsOf('application:reload-failed')[n - 1] as { title: string }).title).toMatch(c.reason);
    expect(await readyPids(serve)).toEqual(pids);
  }
  const stats = await load.stop();
  expect({ errors: stats.errors.slice(0, 5), non2xx: stats.non2xx }).toEqual({ errors: [], non2xx: 0 });
  expect([...stats.pids].sort()).toEqual(pids);
  expect(stats.versions).toEqual(new Set(['1.0.0']));
});

test('a request in flight on an old worker outlives the whole reload and completes with 200; a second reload meanwhile exits 1 and the first is unaffected; SIGTERM under load then drains every worker and exits 0', async () => {
  makeRelease(root, 'v1', '1.0.0');
  switchCurrent(root, 'v1');
  const serve = await startServe(root, await freePort(), ['--workers', '2', '--min-uptime', '500ms']);
  const old = await readyPids(serve);
  // `zerodown status` against the master: one line per worker, and --json
  const st = await runCli(['status', '--socket', serve.socket]);
  expect(st.code).toBe(0);
  for (const pid of old) expect(st.stdout).toMatch(new RegExp(`worker ${pid}: ready  in flight: 0  started: \\S+  release: reload-app@1\\.0\\.0 ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/releases/v1/server\\.js`));
  const sj = JSON.parse((await runCli(['status', '--socket', serve.socket, '--json'])).stdout) as MasterStatus;
  expect(sj).toMatchObject({ kind: 'master', service: 'reload-app', state: 'serving', target: 2 });
  expect(sj.workers.map((w) => w.pid).sort()).toEqual(old);
  const holdFile = path.join(root, 'release-hold');
  const agent = new Agent({ connections: 1 });
  const held = request(`http://127.0.0.1:${serve.port}/hold?file=${encodeURIComponent(holdFile)}`, { dispatcher: agent }).then(async (res) => ({ status: res.statusCode, body: JSON.parse(await res.body.text()) as { pid: number; version: string } }));
  await waitFor('the held request in flight', async () => (await status(serve)).workers.some((w) => w.inflight === 1), 10000);

  makeRelease(root, 'v2', '2.0.0');
  switchCurrent(root, 'v2');
  const first = reload(serve);
  await waitFor('the first reload running', async () => (await status(serve)).state === 'reloading', 15000);
  const second = await reload(serve);
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(/a reload is already running/);

  const r = await first;
  expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/reloaded: 2 worker\(s\)/);
  // the reload is over and the held request is still in flight on an old, draining worker
  const s = await status(serve);
  expect(s.workers.filter((w) => w.state === 'ready').every((w) => w.release.package === 'reload-app@2.0.0')).toBe(true);
  const draining = s.workers.filter((w) => w.state === 'draining');
  expect(draining).toHaveLength(1);
  expect(old).toContain(draining[0]!.pid);
  writeFileSync(holdFile, 'go');
  const h = await held;
  expect(h).toEqual({ status: 200, body: { pid: draining[0]!.pid, version: '1.0.0' } });
  await agent.close();
  await waitFor('the old worker exited', async () => (await status(serve)).workers.length === 2, 15000);

  // SIGTERM under load, with slow requests in flight on the workers
  const load = startLoad(serve.port, 50, { maxMs: 60000, pauseMs: 5 });
  await waitFor('load on both workers', () => load.stats.pids.size >= 2, 20000);
  const agents = Array.from({ length: 4 }, () => new Agent({ connections: 1 }));
  const slow = agents.map((a) => request(`http://127.0.0.1:${serve.port}/slow?ms=1500`, { dispatcher: a }).then(async (res) => ({ status: res.statusCode, body: await res.body.text() })));
  await waitFor('slow requests in flight', async () => (await status(serve)).workers.reduce((n, w) => n + (w.inflight ?? 0), 0) >= 4, 10000);
  serve.child.kill('SIGTERM');
  // like a load balancer that saw the host go: no new request from now on; every one in flight completes
  const stats = await load.stop();
  expect(await serve.exited).toBe(0);
  const done = await Promise.all(slow);
  expect(done.map((d) => d.status)).toEqual([200, 200, 200, 200]);
  await Promise.all(agents.map((a) => a.close()));
  expect(stats.ok).toBeGreaterThan(0);
  expect({ errors: stats.errors.slice(0, 5), non2xx: stats.non2xx }).toEqual({ errors: [], non2xx: 0 });
  expect(existsSync(serve.socket)).toBe(false);
});

test('serve refuses to start a release that throws at start-up: exit 1 with the reason and the stderr lines', async () => {
  makeRelease(root, 'v1', '1.0.0', 'throw');
  switchCurrent(root, 'v1');
  const r = await runCli(['serve', 'server.js', '--cwd', path.join(root, 'current'), '--workers', '2', '--port', String(await freePort()), '--socket', path.join(root, 'm.sock'), '--drain-delay', '0'], {}, 60000);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/zerodown: zerodown serve: worker \d+ exited with code 1 before it was ready/);
  expect(r.stderr).toMatch(/last stderr lines of the worker:\n(.*\n)*.*\| .*release 1\.0\.0 is broken: cannot start/);
  expect(existsSync(path.join(root, 'm.sock'))).toBe(false);
});

test('a crash loop stops respawning within its bound, alerts once, and the healthy worker keeps serving', async () => {
  makeRelease(root, 'v1', '1.0.0');
  switchCurrent(root, 'v1');
  const serve = await startServe(root, await freePort(), ['--workers', '2', '--max-restarts', '2', '--restart-window', '5m', '--alert-webhook', hook.url]);
  const [victim, survivor] = await readyPids(serve);
  // from now on, every new worker of this release throws at start-up
  writeFileSync(path.join(root, 'releases', 'v1', 'crash-on-start'), '');
  process.kill(victim!, 'SIGKILL');
  await waitFor('the crash-loop alert', () => alertsOf('application:crash-loop').length >= 1, 60000);
  const respawns = serve.logs().match(/respawning in \d+ ms/g) ?? [];
  expect(respawns).toEqual(['respawning in 100 ms', 'respawning in 200 ms']);
  const s = await status(serve);
  expect(s.respawnGaveUp).toBe(true);
  expect(s.workers.map((w) => w.pid)).toEqual([survivor]);
  if (canCountChildren) expect(childrenOf(serve.child.pid!)).toEqual([survivor]);
  expect(alertsOf('application:crash-loop')).toHaveLength(1);
  const agent = new Agent({ connections: 1 });
  for (let i = 0; i < 5; i++) {
    const res = await request(`http://127.0.0.1:${serve.port}/`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect((JSON.parse(await res.body.text()) as { pid: number }).pid).toBe(survivor);
  }
  await agent.close();
  await killAndWait(serve.child, 'SIGTERM');
});
