/**
 * The examples run as users run them (`node examples/<name>/server.js` after the build): the Express
 * one is CommonJS (require), the Fastify one ESM (import), which proves both module systems load the
 * built packages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { startApp, waitFor, type AppProcess } from './helpers/app-process';
import { inflightOver } from './helpers/control';

const LISTEN = /listening on http:\/\/127\.0\.0\.1:(\d+)\//;

describe.each([
  ['express-app (CommonJS)', 'examples/express-app/server.js', {}],
  ['express-app (CommonJS, probes from the Express middleware)', 'examples/express-app/server.js', { ZERODOWN_PROBES_IN_APP: '1' }],
  ['fastify-app (ESM)', 'examples/fastify-app/server.js', {}],
])('%s', (_name, script, extraEnv: Record<string, string>) => {
  let app: AppProcess | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zd-example-'));
  });
  afterEach(async () => {
    app?.kill('SIGKILL');
    await app?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves /, /work and the probes, and drains to exit 0 on SIGTERM', async () => {
    const socket = join(dir, 'control.sock'); // the test reads the in-flight count over it
    app = await startApp(script, { PORT: '0', ZERODOWN_DRAIN_DELAY_MS: '200', ZERODOWN_DRAIN_TIMEOUT_MS: '10000', ZERODOWN_CONTROL_SOCKET: socket, ...extraEnv }, 15000, LISTEN);
    const c = new Client(app.url);
    const text = async (path: string): Promise<[number, string]> => {
      const r = await c.request({ path, method: 'GET' });
      return [r.statusCode, await r.body.text()];
    };
    const [s1, hello] = await text('/');
    expect(s1).toBe(200);
    expect(hello).toMatch(/^hello/);
    expect(await text('/work?ms=10')).toEqual([200, JSON.stringify({ worked: 10 })]);
    expect((await text('/work?ms=60001'))[0]).toBe(400);
    expect(await text('/livez')).toEqual([200, '{"status":"pass"}']);
    expect(await text('/readyz')).toEqual([200, '{"status":"pass"}']);
    // long enough that a poll of the control socket sees it in flight on a loaded machine (600 ms did not, once)
    const slow = text('/work?ms=2000');
    await waitFor(async () => (await inflightOver(socket)) === 1, 10000, 'the request to be in flight');
    app.kill('SIGTERM');
    expect(await slow).toEqual([200, JSON.stringify({ worked: 2000 })]);
    expect(await app.exited).toBe(0);
    await c.destroy();
  });
});
