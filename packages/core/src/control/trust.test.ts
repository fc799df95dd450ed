/**
 * Control-channel trust rules (issue 7 item 1): the app listens only in a directory no other user
 * controls, and the client never talks to a socket (or through a directory) another user controls.
 * Tests run as root; "another user" is uid 65534 (nobody), made the owner with chown.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { zerodown, type Logger, type Zerodown } from '../index';
import { controlRequest } from './client';
import { findControlSockets } from './discover';
import { ControlTrustError } from './errors';

const NOBODY = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const rootTest = asRoot ? test : test.skip;

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}
function captureLogger(lines: Line[]): Logger {
  const at = (level: string) => (a: object | string, b?: string) => lines.push(typeof a === 'string' ? { level, obj: {}, msg: a } : { level, obj: a as Record<string, unknown>, msg: b ?? '' });
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as Logger;
}

describe('control channel trust rules', () => {
  let dir: string;
  const cleanup: Array<() => unknown> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zd-trust-'));
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An app with its control channel configured by `env`/`socket`, serving HTTP on a free port. */
  async function app(opts: { env: Record<string, string>; socket?: string }): Promise<{ zd: Zerodown; url: string; lines: Line[] }> {
    const lines: Line[] = [];
    const zd = zerodown({ logger: captureLogger(lines), serviceName: 'svc', env: opts.env, ...(opts.socket ? { control: { socket: opts.socket } } : {}), drain: { exit: false, signals: false, delayMs: 0, timeoutMs: 2000 }, health: { eventLoopStallMs: 0 } });
    const server: Server = createHttpServer(zd.requestListener((_req, res) => res.end('ok')));
    zd.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)), () => server.closeAllConnections(), () => zd.dispose());
    zd.ready();
    return { zd, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, lines };
  }

  /** A fake control server on `path` that counts connections (a planted socket). */
  async function fakeSocket(path: string): Promise<{ connections: () => number }> {
    let n = 0;
    const s: NetServer = createNetServer((c) => {
      n++;
      c.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
    });
    await new Promise<void>((r) => s.listen(path, r));
    cleanup.push(() => new Promise((r) => s.close(r)));
    return { connections: () => n };
  }

  async function refusal(p: Promise<unknown>): Promise<ControlTrustError> {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ControlTrustError);
    expect((e as ControlTrustError).code).toBe('ZERODOWN_CONTROL_TRUST');
    return e as ControlTrustError;
  }

  test('a default directory with group/other bits is refused; the app keeps serving and logs the refusal at error level', async () => {
    const rt = join(dir, 'zerodown');
    mkdirSync(rt);
    chmodSync(rt, 0o777);
    const { zd, url, lines } = await app({ env: { XDG_RUNTIME_DIR: dir } });
    const e = await refusal(zd.control!.listening);
    expect(e.message).toContain(rt);
    expect(e.message).toContain('mode 0777');
    expect(e.message).toContain(`owner uid ${process.getuid!()}`);
    expect(e.message).toContain(`chmod 700 ${rt}`);
    expect(e.message).toContain('ZERODOWN_CONTROL_SOCKET');
    expect((await request(`${url}/readyz`)).statusCode).toBe(200);
    expect(existsSync(zd.control!.path)).toBe(false);
    const logged = lines.filter((l) => l.level === 'error' && l.msg.includes('control channel not started'));
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toContain(rt);
    expect(logged[0]!.msg).toContain('keeps serving');
  });

  rootTest("a default directory another user pre-created (the hijack) is refused, naming its owner; no socket goes in it", async () => {
    const rt = join(dir, 'zerodown');
    mkdirSync(rt, { mode: 0o700 });
    chownSync(rt, NOBODY, NOBODY);
    const { zd, url } = await app({ env: { XDG_RUNTIME_DIR: dir } });
    const e = await refusal(zd.control!.listening);
    expect(e.message).toContain(`owned by uid ${NOBODY}`);
    expect(e.message).toContain(`rm -rf ${rt}`);
    expect(e.ownerUid).toBe(NOBODY);
    expect((await request(`${url}/readyz`)).statusCode).toBe(200);
    expect(existsSync(zd.control!.path)).toBe(false);
  });

  test('a default directory that is a symlink (even to a private directory of ours) is refused', async () => {
    const real = join(dir, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(dir, 'zerodown'));
    const { zd } = await app({ env: { XDG_RUNTIME_DIR: dir } });
    const e = await refusal(zd.control!.listening);
    expect(e.message).toMatch(/is a symbolic link/);
    expect(e.message).toContain(join(dir, 'zerodown'));
  });

  rootTest("a configured path's directory must be ours or root's and not writable by others (a sticky /tmp-like directory is fine)", async () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, NOBODY, NOBODY);
    const a = await app({ env: {}, socket: join(theirs, 'a.sock') });
    expect((await refusal(a.zd.control!.listening)).message).toContain(`owned by uid ${NOBODY}`);

    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const b = await app({ env: { ZERODOWN_CONTROL_SOCKET: join(open, 'b.sock') } });
    const eb = await refusal(b.zd.control!.listening);
    expect(eb.message).toContain('mode 0777');
    expect(eb.message).toContain(`chmod go-w ${open}`);

    const sticky = join(dir, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const c = await app({ env: {}, socket: join(sticky, 'c.sock') });
    await c.zd.control!.listening;
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    const d = await app({ env: {}, socket: join(shared, 'd.sock') });
    await d.zd.control!.listening;
    expect((await controlRequest<{ socket: string }>(join(shared, 'd.sock'), { path: '/status' })).socket).toBe(join(shared, 'd.sock'));

    // another user's socket already at the configured path (in the sticky directory) is neither used nor talked to
    const planted = join(sticky, 'e.sock');
    const fake = await fakeSocket(planted);
    chownSync(planted, NOBODY, NOBODY);
    const e = await app({ env: {}, socket: planted });
    expect((await refusal(e.zd.control!.listening)).message).toContain(`owned by uid ${NOBODY}`);
    expect(fake.connections()).toBe(0);
  });

  rootTest('the client refuses a socket, or a directory, another user controls, without connecting', async () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine, { mode: 0o700 });
    const theirSocket = join(mine, 'x.sock');
    const fake1 = await fakeSocket(theirSocket);
    chownSync(theirSocket, NOBODY, NOBODY);
    const e1 = await refusal(controlRequest(theirSocket, { path: '/status' }));
    expect(e1.refused).toBe('socket');
    expect(e1.message).toContain(theirSocket);
    expect(e1.message).toContain(`owned by uid ${NOBODY}`);
    expect(e1.message).toMatch(/mode 0\d{3}/);

    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    const inTheirs = join(theirs, 'y.sock');
    const fake2 = await fakeSocket(inTheirs);
    chownSync(theirs, NOBODY, NOBODY);
    expect((await refusal(controlRequest(inTheirs, { path: '/status' }))).refused).toBe('directory');

    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o700 });
    const inOpen = join(open, 'z.sock');
    const fake3 = await fakeSocket(inOpen);
    chmodSync(open, 0o777);
    expect((await refusal(controlRequest(inOpen, { path: '/status' }))).message).toContain('mode 0777');
    expect([fake1.connections(), fake2.connections(), fake3.connections()]).toEqual([0, 0, 0]);
  });

  rootTest('discovery skips a default directory or socket another user controls and reports it; it never connects to them', async () => {
    const rt = join(dir, 'zerodown');
    mkdirSync(rt, { mode: 0o700 });
    const planted = join(rt, 'svc-1.sock');
    const fake = await fakeSocket(planted);
    chownSync(planted, NOBODY, NOBODY);
    const r1 = await findControlSockets({ env: { XDG_RUNTIME_DIR: dir } });
    expect(r1.found.filter((f) => f.path.startsWith(rt))).toEqual([]);
    expect(r1.refused.map((e) => e.socketPath)).toContain(planted);
    chownSync(rt, NOBODY, NOBODY);
    const r2 = await findControlSockets({ env: { XDG_RUNTIME_DIR: dir } });
    expect(r2.refused.map((e) => [e.socketPath, e.refused])).toContainEqual([rt, 'directory']);
    expect(fake.connections()).toBe(0);
  });
});
