/**
 * Every code block of the guides in docs/ is exercised here, by the tag after its language
 * (```js server, ```sh cli, …): programs are started, commands are run against a real example app,
 * configurations are checked against zerodown's own defaults or the files they quote. A block with an
 * unknown tag (or none) fails the first test, so a new snippet cannot go untested.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULTS } from '../packages/core/src/config/options';
import { freePort, ROOT, runCli, startExpressApp, stopAll, waitFor, type ExampleApp } from './fixtures/cli-helpers';
import { getStatus, runServer } from './helpers/snippet-server';
import { startHaproxy, requireHaproxy } from './fixtures/haproxy-fixture';
import { startRollbarCapture, type RollbarCapture } from './fixtures/rollbar-capture';

/** The guides whose blocks must all be exercised. */
const GUIDES = ['express.md', 'fastify.md', 'aws-alb.md', 'ansible-rolling-patch.md', 'alerts-rollbar-newrelic.md', 'kubernetes.md', 'troubleshooting-502-504.md', 'e2e-and-demo.md'];

interface Block {
  doc: string;
  tag: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

function blocksOf(doc: string): Block[] {
  const text = readFileSync(path.join(ROOT, 'docs', doc), 'utf8');
  const out: Block[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ doc, tag: m[1]!.trim(), code: m[2]!, line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

const ALL = GUIDES.flatMap(blocksOf);
const KNOWN = ['js server', 'mjs server', 'js check', 'sh cli', 'sh npm', 'sh aws', 'sh env', 'yaml k8s', 'yaml ansible', 'haproxy e2e', 'text output'];
const of = (tag: string): Block[] => ALL.filter((b) => b.tag === tag);
const name = (b: Block): string => `${b.doc}:${b.line}`;

const scratch = path.join(ROOT, '.docs-snippets'); // inside the repo, so `require('@zerodown/core')` resolves
let tmp: string;
beforeAll(() => {
  mkdirSync(scratch, { recursive: true });
  tmp = mkdtempSync(path.join(tmpdir(), 'zd-docs-'));
});
afterAll(async () => {
  await stopAll();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

test('every code block of the guides says how it is exercised', () => {
  expect(ALL.length).toBeGreaterThan(15);
  expect(ALL.filter((b) => !KNOWN.includes(b.tag)).map((b) => `${name(b)} \`\`\`${b.tag}`)).toEqual([]);
});

const get = getStatus;

describe('js server / mjs server blocks start, answer the probes and drain to exit 0', () => {
  let rollbar: RollbarCapture;
  beforeAll(async () => {
    rollbar = await startRollbarCapture();
  });
  afterAll(() => rollbar.close());

  test.each([...of('js server'), ...of('mjs server')].map((b) => [name(b), b] as const))('%s', async (_n, b) => {
    const file = path.join(scratch, `${b.doc.replace(/\W/g, '-')}-${b.line}.${b.tag.startsWith('mjs') ? 'mjs' : 'js'}`);
    writeFileSync(file, b.code);
    const env = { ROLLBAR_ACCESS_TOKEN: 'd'.repeat(32), ROLLBAR_ENDPOINT: rollbar.endpoint, NEW_RELIC_ENABLED: 'false', NEW_RELIC_NO_CONFIG_FILE: 'true', NEW_RELIC_HOME: tmp, NEW_RELIC_LOG: 'stdout' };
    const wrapsBreaker = b.code.includes('breakers.wrap');
    await runServer(file, env, async (port) => {
      if (!wrapsBreaker) return;
      // the wrapped vendor refuses connections: the breaker opens and its firing alert reaches Rollbar
      await waitFor('a firing breaker alert at Rollbar', async () => {
        expect(await get(port, '/')).toBe(200); // the fallback
        return rollbar.items.some((i) => (i.data.zerodown as { state?: string } | undefined)?.state === 'firing');
      }, 20000);
    });
  });
});

test.each(of('js check').map((b) => [name(b), b] as const))('js check %s exits 0', (_n, b) => {
  const file = path.join(scratch, `${b.doc.replace(/\W/g, '-')}-${b.line}.js`);
  writeFileSync(file, b.code);
  execFileSync(process.execPath, [file], { cwd: ROOT, stdio: 'pipe', timeout: 20000 });
});

describe('commands against a running example app', () => {
  let app: ExampleApp;
  const socket = (): string => path.join(tmp, 'app.sock');
  beforeAll(async () => {
    app = await startExpressApp(await freePort(), socket(), { ZERODOWN_DRAIN_DELAY_MS: '200', ZERODOWN_DRAIN_TIMEOUT_MS: '10000' }, 45000);
  }, 60000);

  /** Runs `zerodown …` (the built bin) with the app's socket; returns its exit code and output. */
  const zerodown = async (line: string, env: Record<string, string> = {}): Promise<void> => {
    const args = line.trim().split(/\s+/).slice(1);
    const r = await runCli(args, { ZERODOWN_CONTROL_SOCKET: socket(), ...env });
    if (r.code !== 0) throw new Error(`\`${line}\` exited ${r.code}: ${r.stderr}${r.stdout}`);
  };

  test.each(of('sh cli').map((b) => [name(b), b] as const))('sh cli %s: every line exits 0', async (_n, b) => {
    for (const line of b.code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))) {
      expect(line.trim().startsWith('zerodown ')).toBe(true);
      await zerodown(line);
      if (/^zerodown drain/.test(line.trim())) expect(await get(app.port, '/readyz')).toBe(503);
    }
    await zerodown('zerodown resume --timeout 30s');
    expect(await get(app.port, '/readyz')).toBe(200);
  });

  test('yaml ansible blocks are quoted from examples/deploy/rolling-patch.yml, whose zerodown tasks run in order', async () => {
    const playbookText = readFileSync(path.join(ROOT, 'examples/deploy/rolling-patch.yml'), 'utf8');
    const quoted = of('yaml ansible');
    expect(quoted.length).toBeGreaterThan(0);
    for (const b of quoted) expect(playbookText).toContain(b.code);

    const [play] = parseYaml(playbookText) as Array<{ vars: Record<string, unknown>; tasks: Array<{ environment?: string; block: Task[]; always: Task[] }> }>;
    type Task = { name: string; when?: string; 'ansible.builtin.command'?: string };
    const vars = play!.vars;
    const render = (s: string): string => s.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, v: string) => String(vars[v] ?? ''));
    const env = Object.fromEntries(Object.entries(vars.zerodown_env as Record<string, string>).map(([k, v]) => [k, render(v)]));
    expect(env.ZERODOWN_CONTROL_SOCKET).toBeDefined();
    const tasks = [...play!.tasks[0]!.block, ...play!.tasks[0]!.always].filter((t) => t['ansible.builtin.command']?.startsWith('{{ zerodown }}') && !t.when);
    expect(tasks.map((t) => render(t['ansible.builtin.command']!).split(' ')[1])).toEqual(['drain', 'status', 'resume']);
    for (const t of tasks) {
      const line = render(t['ansible.builtin.command']!).replace(String(vars.zerodown), 'zerodown');
      // the play's own environment, except that the socket is the test app's
      await zerodown(line, { ...env, ZERODOWN_CONTROL_SOCKET: socket() });
      if (line.includes(' drain ')) expect(await get(app.port, '/readyz')).toBe(503);
    }
    expect(await get(app.port, '/readyz')).toBe(200);
  });
});

test.each(of('sh npm').map((b) => [name(b), b] as const))('sh npm %s names real scripts, directories and packages', (_n, b) => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string>; workspaces: string[] };
  const workspaceNames = pkg.workspaces.map((w) => (JSON.parse(readFileSync(path.join(ROOT, w, 'package.json'), 'utf8')) as { name: string }).name);
  for (const line of b.code.split('\n').filter((l) => l.trim())) {
    const [cmd, sub, ...rest] = line.trim().split(/\s+/);
    if (cmd === 'npm' && sub === 'run') expect(Object.keys(pkg.scripts)).toContain(rest[0]);
    else if (cmd === 'npm' && sub === 'install') for (const p of rest) expect([...workspaceNames, ...Object.keys(pkg.devDependencies)]).toContain(p);
    else if (cmd === 'npx' && sub === 'jest') for (const p of rest) expect(existsSync(path.join(ROOT, p))).toBe(true);
    else throw new Error(`${name(b)}: unexpected npm line ${line}`);
  }
});

test('sh aws: the ALB settings agree with the waits zerodown derives by default', () => {
  const [b] = of('sh aws');
  expect(b).toBeDefined();
  const flag = (f: string): string => {
    const m = new RegExp(`${f}[ =]([^\\s]+)`).exec(b!.code);
    if (!m) throw new Error(`${name(b!)} has no ${f}`);
    return m[1]!;
  };
  const interval = Number(flag('--health-check-interval-seconds')) * 1000;
  const unhealthy = Number(flag('--unhealthy-threshold-count'));
  expect(flag('--health-check-path')).toBe(DEFAULTS.health.paths.ready);
  expect(interval).toBe(DEFAULTS.loadBalancer.healthCheckIntervalMs);
  expect(unhealthy).toBe(DEFAULTS.loadBalancer.unhealthyThreshold);
  expect(Number(flag('--health-check-timeout-seconds')) * 1000).toBeLessThan(interval);
  expect(Number(flag('idle_timeout.timeout_seconds,Value')) * 1000).toBe(DEFAULTS.loadBalancer.idleTimeoutMs);
  const defaultTimeoutMs = interval * unhealthy + DEFAULTS.drain.extraTimeoutMs;
  expect(Number(flag('deregistration_delay.timeout_seconds,Value')) * 1000 + 10000).toBeLessThanOrEqual(defaultTimeoutMs);
});

test('sh env: every variable is read by zerodown, the New Relic agent, or the snippet that documents it', () => {
  const core = execFileSync('grep', ['-rhoE', 'ROLLBAR_[A-Z_]+|ZERODOWN_[A-Z_]+', path.join(ROOT, 'packages/core/src')], { encoding: 'utf8' });
  const snippets = ALL.filter((b) => b.tag.endsWith('server')).map((b) => b.code).join('\n');
  for (const b of of('sh env')) {
    for (const line of b.code.split('\n').filter((l) => l.trim())) {
      const v = line.split('=')[0]!;
      expect(core.includes(v) || snippets.includes(`process.env.${v}`) || v.startsWith('NEW_RELIC_')).toBe(true);
    }
  }
});

test('yaml k8s: grace period covers the drain, the probes are zerodown\'s, and the container drains in time', async () => {
  const [b] = of('yaml k8s');
  expect(b).toBeDefined();
  type Container = { command: string[]; ports: Array<{ containerPort: number }>; env: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>; readinessProbe: { httpGet: { path: string; port: number } }; livenessProbe: { httpGet: { path: string; port: number } }; lifecycle?: unknown };
  const d = parseYaml(b!.code) as { spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } } };
  const pod = d.spec.template.spec;
  const c = pod.containers[0]!;
  const env = Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  expect(c.env.find((e) => e.name === 'INSTANCE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
  expect(c.readinessProbe.httpGet.path).toBe(DEFAULTS.health.paths.ready);
  expect(c.livenessProbe.httpGet.path).toBe(DEFAULTS.health.paths.live);
  expect(c.lifecycle).toBeUndefined(); // no preStop: the page says the drain delay replaces it
  expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env.ZERODOWN_DRAIN_TIMEOUT_MS) + DEFAULTS.drain.flushTimeoutMs);
  expect(c.readinessProbe.httpGet.port).toBe(c.ports[0]!.containerPort);

  // the container's command with its env (PORT replaced by a free one), under a pod name
  expect(c.command.slice(0, 1)).toEqual(['node']);
  const { PORT: _port, ...rest } = env;
  void _port;
  await runServer(path.join(ROOT, c.command[1]!), { ...rest, INSTANCE_ID: 'booking-7d9f8c-x2k4q', ZERODOWN_CONTROL_SOCKET: 'off' }, undefined, pod.terminationGracePeriodSeconds * 1000);
}, 60000);

test('haproxy e2e: the fail-open lines are what the e2e HAProxy fixture runs', async () => {
  requireHaproxy();
  const [b] = of('haproxy e2e');
  expect(b).toBeDefined();
  const hp = await startHaproxy([{ name: 'app1', port: await freePort() }], { failOpen: true });
  try {
    const cfg = readFileSync(path.join(hp.dir, 'haproxy.cfg'), 'utf8').replace(/127\.0\.0\.1:\d+/g, 'ADDR');
    for (const line of b!.code.split('\n').filter((l) => l.trim())) {
      if (line.trim().startsWith('frontend') || line.trim().startsWith('bind')) continue;
      expect(cfg.split('\n')).toContain(line.replace(/127\.0\.0\.1:\d+/g, 'ADDR'));
    }
  } finally {
    await hp.stop();
  }
});
