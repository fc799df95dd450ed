/**
 * The packages as a user gets them: `npm pack` the four workspaces, install the tarballs into a scratch
 * app outside the repository (from the npm cache first; no optional dependency: no AWS SDK, ioredis,
 * newrelic or rollbar), then load every entry point with require() and import, type-check a consumer
 * under moduleResolution node16 and bundler, run the installed `zerodown` bin, and run the Express
 * example against the installed packages. Needs `npm run build` first (pretest does it).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'undici';
import { startApp, type AppProcess } from './helpers/app-process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const PACKAGES = ['core', 'express', 'fastify', 'cli'] as const;
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const OPTIONAL = ['@aws-sdk/client-elastic-load-balancing-v2', 'ioredis', 'newrelic', 'rollbar'];
const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const version = (pkg: string): string => (JSON.parse(readFileSync(path.join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let app: string;

/** Runs node (or a bin) in the scratch app, never failing on a non-zero exit: returns it. */
async function inApp(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(file, args, { cwd: app, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'zerodown-packaging-'));
  app = path.join(dir, 'app');
  mkdirSync(app);
  const packed = await run('npm', ['pack', ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`]), '--pack-destination', dir, '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const files = (JSON.parse(packed.stdout) as { name: string; filename: string }[]).map((p) => [p.name, `file:../${p.filename}`]);
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'zerodown-scratch-app', version: '1.0.0', private: true, dependencies: { ...Object.fromEntries(files), express: '^5.1.0', fastify: '^5.6.0' } }, null, 2),
  );
  await run('npm', ['install', '--prefer-offline', '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, timeout: 240_000 });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the tarballs hold dist/ (and the CLI its bin/), no sources or tests, and no optional dependency got installed', async () => {
  for (const name of OPTIONAL) {
    expect((await inApp('node', ['-e', `require.resolve(${JSON.stringify(name)})`])).code).not.toBe(0);
  }
  const listed = await run('tar', ['tzf', path.join(dir, `zerodown-core-${version('core')}.tgz`)]);
  expect(listed.stdout).toContain('package/dist/index.js');
  expect(listed.stdout).not.toMatch(/package\/src\/|\.test\.(js|d\.ts)/);
  const cli = await run('tar', ['tzf', path.join(dir, `zerodown-cli-${version('cli')}.tgz`)]);
  expect(cli.stdout).toContain('package/bin/zerodown.js');
  expect(cli.stdout).toContain('package/dist/bin.js');
});

test('every entry point loads with require() (CommonJS) and named import (ESM); internals are not reachable', async () => {
  const entries: Record<string, string[]> = {
    '@zerodown/core': ['zerodown', 'redisCheck', 'httpCheck', 'silentLogger', 'elbv2Adapter', 'haproxyAdapter', 'ZerodownError', 'ZerodownConfigError'],
    '@zerodown/core/lb': ['createElbv2TargetGroups', 'HaproxyRuntimeClient', 'rollingPatch', 'LoadBalancerError'],
    '@zerodown/core/control': ['controlRequest', 'findControlSockets', 'ControlRequestError'],
    '@zerodown/core/fleet-guard': ['FleetSemaphore', 'holdFleetSlot', 'FleetGuardError'],
    '@zerodown/core/alerts': ['webhookSink', 'rollbarSink', 'newRelicSink', 'loggerSink'],
    '@zerodown/core/breakers': ['BreakerOpenError', 'BreakerTimeoutError'],
    '@zerodown/express': ['zerodownExpress'],
    '@zerodown/fastify': ['zerodownFastify'],
    '@zerodown/cli': ['main', 'buildProgram'],
  };
  const cjs = Object.entries(entries)
    .map(([m, names]) => `{ const m = require(${JSON.stringify(m)}); for (const n of ${JSON.stringify(names)}) if (m[n] === undefined) throw new Error(${JSON.stringify(m)} + ': ' + n + ' is ' + typeof m[n]); }`)
    .join('\n');
  writeFileSync(path.join(app, 'check.cjs'), `${cjs}\nconsole.log('cjs ok');\n`);
  const esm = Object.entries(entries)
    .map(([m, names], i) => `import { ${names.map((n) => `${n} as m${i}_${n}`).join(', ')} } from ${JSON.stringify(m)};\nfor (const f of [${names.map((n) => `m${i}_${n}`).join(', ')}]) if (f === undefined) throw new Error(${JSON.stringify(m)});`)
    .join('\n');
  writeFileSync(path.join(app, 'check.mjs'), `${esm}\nconsole.log('esm ok');\n`);
  expect(await inApp('node', ['check.cjs'])).toEqual({ code: 0, stdout: 'cjs ok\n', stderr: '' });
  expect(await inApp('node', ['check.mjs'])).toEqual({ code: 0, stdout: 'esm ok\n', stderr: '' });
  const internal = await inApp('node', ['-e', "require('@zerodown/core/dist/zerodown.js')"]);
  expect(internal.code).not.toBe(0);
  expect(internal.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test.each([
  ['node16', 'node16'],
  ['bundler', 'preserve'],
])('a TypeScript consumer type-checks under moduleResolution %s (skipLibCheck off)', async (resolution, module) => {
  cpSync(path.join(__dirname, 'packaging/consumer.ts'), path.join(app, 'consumer.ts'));
  const config = { compilerOptions: { strict: true, noEmit: true, module, moduleResolution: resolution, target: 'ES2022', lib: ['ES2022'], types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')], skipLibCheck: false }, files: ['consumer.ts'] };
  writeFileSync(path.join(app, `tsconfig.${resolution}.json`), JSON.stringify(config));
  const r = await inApp(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`]);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 240_000);

test('the installed `zerodown` bin answers --help and --version; `lb` without the AWS SDK names the package to install', async () => {
  const bin = path.join(app, 'node_modules/.bin/zerodown');
  const help = await inApp(bin, ['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Usage: zerodown');
  expect(await inApp(bin, ['--version'])).toMatchObject({ code: 0, stdout: `${version('cli')}\n` });
  const lb = await inApp(bin, ['lb', 'status', '--json', '--target-group', ARN, '--region', 'us-east-1']);
  expect(lb.code).toBe(1);
  expect(JSON.parse(lb.stdout).error).toMatchObject({ code: 'ZERODOWN_LB', message: expect.stringContaining('npm install @aws-sdk/client-elastic-load-balancing-v2') });
});

test('the fleet guard without ioredis fails with ZERODOWN_FLEET naming the package', async () => {
  const r = await inApp('node', ['-e', "require('@zerodown/core/fleet-guard').connectFleetRedis('redis://127.0.0.1:1').catch((e) => { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); })"]);
  expect(JSON.parse(r.stdout)).toMatchObject({ name: 'FleetGuardError', code: 'ZERODOWN_FLEET', message: expect.stringContaining('npm install ioredis') });
});

describe('the Express example against the installed packages', () => {
  let proc: AppProcess | undefined;
  afterEach(() => proc?.kill('SIGKILL'));

  test('serves and drains to exit 0; ROLLBAR_ACCESS_TOKEN without rollbar installed is logged naming the package', async () => {
    const script = path.join(app, 'examples/express-app/server.js');
    mkdirSync(path.dirname(script), { recursive: true });
    cpSync(path.join(ROOT, 'examples/express-app/server.js'), script);
    proc = await startApp(script, { PORT: '0', ZERODOWN_DRAIN_DELAY_MS: '100', ZERODOWN_DRAIN_TIMEOUT_MS: '10000', ROLLBAR_ACCESS_TOKEN: 'zd-packaging-test-token' }, 30_000, /listening on http:\/\/127\.0\.0\.1:(\d+)\//);
    const c = new Client(proc.url);
    const get = async (p: string): Promise<[number, string]> => {
      const r = await c.request({ path: p, method: 'GET' });
      return [r.statusCode, await r.body.text()];
    };
    expect((await get('/'))[0]).toBe(200);
    expect(await get('/readyz')).toEqual([200, '{"status":"pass"}']);
    expect(await get('/third-party')).toEqual([200, expect.stringContaining('"vendor":"ok"')]);
    await c.close();
    expect(proc.stderr()).toMatch(/ZERODOWN_ALERT_SINK.*npm install rollbar/);
    expect(proc.stderr()).not.toContain('zd-packaging-test-token');
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});
