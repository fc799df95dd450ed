/**
 * `zerodown serve` and its signals: the same SIGTERM delivered twice at once (GNU `timeout` and some
 * supervisors signal the process and its group) is one stop, not "second SIGTERM: kill everything".
 * The built CLI runs a real node:cluster master of test/fixtures/reload-app.js.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { controlRequest } from '@zerodown/core/control';
import type { MasterStatus } from '@zerodown/core/cluster';
import { freePort, stopAll, waitFor } from './fixtures/cli-helpers';
import { makeRelease, startServe, switchCurrent } from './fixtures/serve-helpers';

jest.setTimeout(90000);

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'zd-serve-sig-'));
});

afterEach(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

test('SIGTERM delivered twice within milliseconds: the request in flight completes and the master exits 0', async () => {
  makeRelease(root, 'v1', '1.0.0');
  switchCurrent(root, 'v1');
  const serve = await startServe(root, await freePort(), ['--workers', '1']);
  const slow = request(`http://127.0.0.1:${serve.port}/slow?ms=2000`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
  await waitFor('the /slow request in flight', async () => (await controlRequest<MasterStatus>(serve.socket, { path: '/status', timeoutMs: 5000 })).workers.some((w) => (w.inflight ?? 0) > 0), 15000);
  // two deliveries, not one the kernel merges: the second once the master has handled the first
  serve.child.kill('SIGTERM');
  await waitFor('the master to handle the first SIGTERM', () => /stopping \(SIGTERM\)/.test(serve.logs()), 15000, 5);
  serve.child.kill('SIGTERM');
  const res = await slow;
  expect(res.status).toBe(200);
  expect(await serve.exited).toBe(0);
  expect(serve.logs()).toMatch(/SIGTERM repeated within 1000 ms of the first: ignored/);
});
