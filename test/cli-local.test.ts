/**
 * The `zerodown` binary (built) against real example-app processes over their control sockets.
 * Build first: npx tsc -b packages/core packages/express packages/fastify packages/cli
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, runCli, startExpressApp, startRedis, stopAll, type ExampleApp } from './fixtures/cli-helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zd-cli-'));
});
afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const readyz = async (app: ExampleApp): Promise<number> => (await request(`${app.url}/readyz`)).statusCode;

describe('usage', () => {
  test('a bad subcommand or flag exits 2 with usage on stderr; --help lists the exit codes', async () => {
    const bad = await runCli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(bad.stderr).toMatch(/Usage: zerodown/);
    const flag = await runCli(['drain', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'[\s\S]*Usage: zerodown drain/);
    const value = await runCli(['drain', '--timeout', 'soon']);
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/expected a duration/);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    const rolling = await runCli(['rolling', '--target-group', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef']);
    expect(rolling.code).toBe(2);
    expect(rolling.stderr).toMatch(/--exec/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\s+0\s+done\s+1\s+failed[\s\S]*2\s+usage error[\s\S]*3\s+timed out/);
  });

  test('against a missing socket it names the path it tried and how to set it', async () => {
    const path = join(dir, 'nobody-home.sock');
    const r = await runCli(['status', '--socket', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/--socket PATH or set ZERODOWN_CONTROL_SOCKET/);
    const env = await runCli(['drain', '--json'], { ZERODOWN_CONTROL_SOCKET: path });
    expect(env.code).toBe(1);
    expect(JSON.parse(env.stdout)).toMatchObject({ ok: false, error: { reason: 'ENOENT', message: expect.stringContaining(path) } });
    // nothing configured and nothing running: it lists the directories it searched
    const empty = mkdtempSync(join(dir, 'rt-'));
    const search = await runCli(['status', '--service', 'no-such-service'], { ZERODOWN_CONTROL_SOCKET: '', XDG_RUNTIME_DIR: empty, TMPDIR: empty });
    expect(search.code).toBe(1);
    expect(search.stderr).toContain(join(empty, 'zerodown'));
  });
});

describe('against the Express example app', () => {
  let app: ExampleApp;
  beforeAll(async () => {
    app = await startExpressApp(await freePort(), join(dir, 'express.sock'), { ZERODOWN_DRAIN_DELAY_MS: '0' });
  });

  test('the control socket is mode 0600', () => {
    expect(statSync(app.socket).isSocket()).toBe(true);
    expect(statSync(app.socket).mode & 0o777).toBe(0o600);
  });

  test('status, drain and resume change /readyz 200 → 503 → 200 while the app keeps serving', async () => {
    expect(await readyz(app)).toBe(200);
    const st = await runCli(['status', '--socket', app.socket, '--json']);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ service: 'express-app', state: 'ready', ready: true, suspended: false, pid: app.child.pid });
    const human = await runCli(['status'], { ZERODOWN_CONTROL_SOCKET: app.socket });
    expect(human.stdout).toMatch(/express-app .*\(pid \d+\): ready/);

    const slow = request(`${app.url}/work?ms=400`);
    await new Promise((r) => setTimeout(r, 50));
    const drained = await runCli(['drain', '--socket', app.socket, '--wait-idle', '--timeout', '10s', '--json']);
    expect(drained.code).toBe(0);
    expect(JSON.parse(drained.stdout)).toMatchObject({ ok: true, idle: true, status: { suspended: true, ready: false, inflight: 0 } });
    expect((await slow).statusCode).toBe(200);
    expect(await readyz(app)).toBe(503);
    expect((await request(`${app.url}/`)).statusCode).toBe(200);

    const resumed = await runCli(['resume', '--socket', app.socket]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/resumed express-app .*: ready/);
    expect(await readyz(app)).toBe(200);
  });

  test('drain --wait-idle times out with exit 3 when a request stays in flight', async () => {
    const slow = request(`${app.url}/work?ms=3000`);
    await new Promise((r) => setTimeout(r, 50));
    const r = await runCli(['drain', '--socket', app.socket, '--wait-idle', '--timeout', '500ms']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/did not finish within 500 ms/);
    expect((await slow).statusCode).toBe(200);
    expect((await runCli(['resume', '--socket', app.socket])).code).toBe(0);
  });

  test('malformed requests on the socket get 400 and the app keeps serving', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ path: app.socket });
      let out = '';
      s.on('data', (c) => (out += c.toString()));
      s.on('end', () => resolve(out));
      s.on('error', reject);
      s.end('\x00\x01garbage\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await readyz(app)).toBe(200);
    expect((await runCli(['status', '--socket', app.socket])).code).toBe(0);
  });
});

describe('fleet guard', () => {
  test('with --redis, at most --max-out instances of one service are drained at once; resume frees the slot', async () => {
    const redis = await startRedis();
    const a = await startExpressApp(await freePort(), join(dir, 'fa.sock'), { ZERODOWN_DRAIN_DELAY_MS: '0' });
    const b = await startExpressApp(await freePort(), join(dir, 'fb.sock'), { ZERODOWN_DRAIN_DELAY_MS: '0' });
    const guard = ['--redis', redis.url, '--max-out', '1', '--lock-timeout', '1s'];
    expect((await runCli(['drain', '--socket', a.socket, ...guard, '--holder', 'host-a'])).code).toBe(0);
    const blocked = await runCli(['drain', '--socket', b.socket, ...guard, '--holder', 'host-b']);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/held by host-a/);
    expect(await readyz(b)).toBe(200); // never taken out
    expect((await runCli(['resume', '--socket', a.socket, ...guard, '--holder', 'host-a'])).code).toBe(0);
    expect((await runCli(['drain', '--socket', b.socket, ...guard, '--holder', 'host-b'])).code).toBe(0);
    expect(await readyz(b)).toBe(503);
    // the password of the Redis URL is never printed
    const leaked = await runCli(['drain', '--socket', b.socket, '--redis', 'redis://:s3cretpass@127.0.0.1:1']);
    expect(leaked.code).toBe(1);
    expect(leaked.stderr + leaked.stdout).not.toContain('s3cretpass');
  });
});
