/**
 * The `zerodown` binary (built) against real example-app processes over their control sockets.
 * Build first: npx tsc -b packages/core packages/express packages/fastify packages/cli
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { inflightOver } from './helpers/control';
import { waitFor } from './helpers/wait';
import { ROOT, freePort, runCli, startExpressApp, startRedis, stopAll, type ExampleApp } from './fixtures/cli-helpers';

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

    const slow = request(`${app.url}/work?ms=1500`);
    await waitFor(async () => (await inflightOver(app.socket)) === 1, 10000, 'the request to be in flight');
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
    // 15 s: still in flight when the CLI, which takes seconds to start on a busy machine, has waited its 500 ms
    const slow = request(`${app.url}/work?ms=15000`);
    try {
      await waitFor(async () => (await inflightOver(app.socket)) === 1, 10000, 'the request to be in flight');
      const r = await runCli(['drain', '--socket', app.socket, '--wait-idle', '--timeout', '500ms']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/did not finish within 500 ms/);
      expect((await slow).statusCode).toBe(200);
    } finally {
      expect((await runCli(['resume', '--socket', app.socket])).code).toBe(0); // the next tests need the app ready
    }
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

describe('review fixes', () => {
  test('--help shows duration defaults as durations and explains the units; absurd durations exit 2', async () => {
    const drain = await runCli(['drain', '--help']);
    expect(drain.code).toBe(0);
    expect(drain.stdout).toMatch(/--timeout <duration>[\s\S]*?\(default: 5m\)/);
    expect(drain.stdout).toMatch(/--lock-ttl <duration>[\s\S]*?\(default: 30m\)/);
    expect(drain.stdout).toMatch(/--lock-timeout <duration>[\s\S]*?\(default: 10m\)/);
    expect(drain.stdout).toMatch(/Durations: .*ms, s, m or h[\s\S]*bare number means seconds[\s\S]*At most 24h/);
    expect(drain.stdout).not.toMatch(/default: \d{4,}\)/);
    const rolling = await runCli(['rolling', '--help']);
    expect(rolling.stdout).toMatch(/--poll-interval <duration>[\s\S]*?\(default: 5s\)/);
    expect(rolling.stdout).toMatch(/--timeout <duration>[\s\S]*?\(default: 10m\)/);
    expect(rolling.stdout).toMatch(/130 \(SIGINT\) or 143 \(SIGTERM\)/);
    const root = await runCli(['--help']);
    expect(root.stdout).toMatch(/Durations: [\s\S]*bare number means seconds/);
    expect(root.stdout).toMatch(/130, 143\s+interrupted/);

    // a bare number is seconds: 300000 (meant as ms) is 83 hours, refused with a hint
    const ms = await runCli(['drain', '--timeout', '300000']);
    expect(ms.code).toBe(2);
    expect(ms.stderr).toMatch(/at most 24h, got "300000" \(a bare number means seconds: for milliseconds write 300000ms\)/);
    expect(ms.stderr).toMatch(/Usage: zerodown drain/);
    for (const v of ['25h', '1441m', '0', '0ms']) expect((await runCli(['resume', '--timeout', v])).code).toBe(2);
    expect((await runCli(['drain', '--lock-ttl', '48h'])).code).toBe(2);
  });

  test('ZERODOWN_CONTROL_SOCKET=off: the error says the channel is turned off, not that the variable is unset', async () => {
    const empty = mkdtempSync(join(dir, 'off-'));
    const r = await runCli(['status', '--service', 'no-such-service'], { ZERODOWN_CONTROL_SOCKET: 'off', XDG_RUNTIME_DIR: empty, TMPDIR: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ZERODOWN_CONTROL_SOCKET is "off", which turns the control channel off/);
    expect(r.stderr).not.toMatch(/is not set/);
    const unset = await runCli(['status', '--service', 'no-such-service'], { ZERODOWN_CONTROL_SOCKET: '', XDG_RUNTIME_DIR: empty, TMPDIR: empty });
    expect(unset.stderr).toMatch(/ZERODOWN_CONTROL_SOCKET is not set/);
  });

  test('--redis without ioredis installed names the package to install', async () => {
    // make `ioredis` unresolvable for the CLI process (an ESM resolve hook, as if it were not installed)
    const hook = join(dir, 'hide-ioredis.mjs');
    writeFileSync(
      hook,
      `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent("export async function resolve(s, c, next) { if (s === 'ioredis') { const e = new Error(\\"Cannot find package 'ioredis'\\"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }"));\n`,
    );
    const app = await startExpressApp(await freePort(), join(dir, 'noredis.sock'), { ZERODOWN_DRAIN_DELAY_MS: '0' });
    const r = await runCli(['drain', '--socket', app.socket, '--redis', 'redis://127.0.0.1:1'], { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs the ioredis package, an optional peer dependency of @zerodown\/cli: install it next to the CLI with `npm install ioredis`/);
    expect(await readyz(app)).toBe(200); // never taken out
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'));
    expect(pkg.peerDependencies).toMatchObject({ ioredis: expect.any(String) });
    expect(pkg.peerDependenciesMeta).toMatchObject({ ioredis: { optional: true } });
  });
});
