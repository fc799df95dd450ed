/**
 * The control-directory hijack of issue 7 item 1, reproduced with real processes under two uids: the app
 * and the `zerodown` CLI run as uid 65534 (nobody) with TMPDIR pointing at a sticky, world-writable
 * directory (like /tmp); "another local user" (uid 65533) pre-creates `$TMPDIR/zerodown-65534` with mode
 * 0777 and plants a fake control socket that answers every drain with "drained, idle".
 * Needs root (chown, spawn with uid/gid). Build first: npx tsc -b packages/core packages/express packages/cli
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { CLI_BIN, ROOT, freePort, stopAll, track, waitFor, type CliResult } from './fixtures/cli-helpers';
import type { ChildProcess } from 'node:child_process';

const VICTIM = 65534;
const ATTACKER = 65533;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const suite = asRoot ? describe : describe.skip;

/** Runs the built CLI as `uid` with a minimal env; resolves when it exits. */
function cliAs(uid: number, args: string[], env: Record<string, string>): Promise<CliResult> {
  const t0 = performance.now();
  const c = track(process.execPath, [CLI_BIN, ...args], { cwd: ROOT, uid, gid: uid, env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  c.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  c.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => c.kill('SIGKILL'), 30000);
  return new Promise((resolve) => {
    c.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Starts the Express example as `uid` with TMPDIR=`tmp` and no configured control socket. */
async function appAs(uid: number, tmp: string): Promise<{ child: ChildProcess; url: string; logs: () => string }> {
  const port = await freePort();
  const child = track(process.execPath, [join(ROOT, 'examples/express-app/server.js')], { cwd: ROOT, uid, gid: uid, env: { PATH: process.env.PATH ?? '', HOME: '/tmp', PORT: String(port), TMPDIR: tmp, ZERODOWN_DRAIN_DELAY_MS: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await waitFor('the app to listen', () => /listening on http/.test(err) || child.exitCode !== null);
  expect(child.exitCode).toBeNull();
  return { child, url: `http://127.0.0.1:${port}`, logs: () => err };
}

const readyz = async (url: string): Promise<number> => (await request(`${url}/readyz`)).statusCode;

suite('control directory hijack (two uids)', () => {
  let base: string;
  const servers: Server[] = [];
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'zd-hijack-'));
    chmodSync(base, 0o1777); // a /tmp of its own: everyone may create entries, nobody may rename others'
  });
  afterEach(async () => {
    await stopAll();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    rmSync(base, { recursive: true, force: true });
  });

  test('another user pre-creates $TMPDIR/zerodown-<uid> (0777) with a fake socket: the app refuses it and keeps serving; `zerodown drain --wait-idle` exits 1 and never talks to the fake', async () => {
    const hijacked = join(base, `zerodown-${VICTIM}`);
    mkdirSync(hijacked);
    chmodSync(hijacked, 0o777);
    chownSync(hijacked, ATTACKER, ATTACKER);
    // the attacker's fake control server: every drain is "drained, no request in flight"
    let asked = 0;
    const fake = createServer((req, res) => {
      asked++;
      const status = { pid: 4242, service: 'express-app', state: 'ready', ready: true, live: true, suspended: false, inflight: 0, connections: 0, uptimeMs: 1, checks: [], loadBalancer: null, socket: 'x' };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/drain' ? { status: { ...status, ready: false }, elapsedMs: 1, deregistered: false, idle: true } : status));
    });
    servers.push(fake);
    const fakePath = join(hijacked, '.fake');
    await new Promise<void>((r) => fake.listen(fakePath, r));
    chmodSync(fakePath, 0o777);
    chownSync(fakePath, ATTACKER, ATTACKER);

    const app = await appAs(VICTIM, base);
    const appSocket = join(hijacked, `express-app-${app.child.pid}.sock`);
    // the app either refuses the directory (logged) or creates its socket there; then the attacker swaps the fake in
    await waitFor('the app to refuse the directory or create its socket', () => app.logs().includes('control channel not started') || existsSync(appSocket));
    renameSync(fakePath, appSocket);

    const r = await cliAs(VICTIM, ['drain', '--wait-idle', '--timeout', '10s'], { TMPDIR: base });
    expect(r.stdout).not.toMatch(/drained/);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`refusing the control socket directory ${hijacked}`);
    expect(r.stderr).toContain(`owner uid ${ATTACKER}`);
    expect(r.stderr).toContain('mode 0777');
    expect(r.stderr).toContain(`rm -rf ${hijacked}`);
    const refusal = app.logs().split('\n').find((l) => l.includes('control channel not started'));
    expect(refusal).toBeDefined();
    expect(JSON.parse(refusal!)).toMatchObject({ level: 50, err: { code: 'ZERODOWN_CONTROL_TRUST' } });
    expect(refusal).toContain(hijacked);
    expect(refusal).toContain(`owned by uid ${ATTACKER}`);
    expect(refusal).toContain('mode 0777');
    expect(await readyz(app.url)).toBe(200);

    // told the path explicitly, it still refuses (the socket and its directory belong to another user)
    const explicit = await cliAs(VICTIM, ['drain', '--socket', appSocket, '--json'], { TMPDIR: base });
    expect(explicit.code).toBe(1);
    expect(JSON.parse(explicit.stdout)).toMatchObject({ ok: false, error: { code: 'ZERODOWN_CONTROL_TRUST' } });
    expect(asked).toBe(0);
    expect(await readyz(app.url)).toBe(200);
  });

  test("without an attacker the app creates $TMPDIR/zerodown-<uid> 0700 and its own user drains it; root is refused the other user's socket", async () => {
    const app = await appAs(VICTIM, base);
    const dir = join(base, `zerodown-${VICTIM}`);
    const socket = join(dir, `express-app-${app.child.pid}.sock`);
    await waitFor('the control socket', () => existsSync(socket));
    const asRootCli = await cliAs(0, ['status', '--socket', socket], {});
    expect(asRootCli.code).toBe(1);
    expect(asRootCli.stderr).toContain(`owned by uid ${VICTIM}`);
    const r = await cliAs(VICTIM, ['drain', '--wait-idle', '--timeout', '10s'], { TMPDIR: base });
    expect(r.stderr).not.toMatch(/refusing/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/drained express-app/);
    expect(await readyz(app.url)).toBe(503);
  });
});
