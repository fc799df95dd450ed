import { execFileSync } from 'node:child_process';
import { quickValidate } from './quick';
import { optionsSchema } from './schema';
import { silentLogger } from '../logger';

class ClassLogger {
  level = 'info';
  error(): void {}
  warn(): void {}
  info(): void {}
  debug(): void {}
}
const runtime = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {}, onSignal: () => () => {}, exit: () => {} };
const withInherited = Object.assign(Object.create({ inherited: 1 }) as object, { serviceName: 'x' });

/** Candidate values per option path: valid ones and every kind of wrong one. */
const CANDIDATES: Record<string, unknown[]> = {
  logger: [silentLogger, new ClassLogger(), { ...silentLogger, extra: 1 }, { info: () => {} }, null, [], 'x', () => {}, undefined],
  serviceName: ['svc', '', 1, null, undefined],
  version: ['1.0', '', 2, undefined],
  'health.paths.live': ['/livez', '/a/b', 'livez', '/a?b', '/a b', '', 1, undefined],
  'health.paths.ready': ['/readyz', '/x#y', null],
  'health.paths': [{}, { live: '/l', other: '/o' }, [], null, 'x'],
  'health.token': ['a'.repeat(40), 'short', 5, undefined],
  'health.exposeDetails': [true, false, 'true', 0],
  'health.intervalMs': [100, 99, 1000, 1.5, NaN, Infinity, 2 ** 31, '100'],
  'health.timeoutMs': [1, 0, 500],
  'health.eventLoopStallMs': [0, -1, 2 ** 31 - 1, 2 ** 31],
  health: [{}, { bogus: 1 }, null, [], new ClassLogger()],
  'drain.delayMs': [0, -1, 10],
  'drain.timeoutMs': [1, 0, 30000],
  'drain.signals': [false, true, [], ['SIGTERM'], ['SIGTERM', 'SIGINT'], ['SIGKILL'], ['TERM'], ['SIGTERM', 1], 'SIGTERM', [undefined]],
  'drain.hookTimeoutMs': [1, 0],
  'drain.hookBudgetMs': [5, 0],
  'drain.flushTimeoutMs': [0, -5],
  'drain.exit': [true, false, 1],
  drain: [{}, { nope: 1 }, null],
  'loadBalancer.idleTimeoutMs': [1000, 999, 60000],
  'loadBalancer.healthCheckIntervalMs': [5000, 10],
  'loadBalancer.unhealthyThreshold': [1, 10, 0, 11, 2.5],
  loadBalancer: [{}, { extra: 1 }, null],
  'control.socket': [false, true, '/tmp/x.sock', '', 1],
  control: [{}, { other: 1 }],
  exit: [() => {}, 1, null],
  runtime: [runtime, { now: () => 0 }, null],
  monitors: [false, true, {}, { enabled: false }, null],
  env: [{ A: '1' }, { A: 1 }],
  breakers: [{}, { timeoutMs: 5 }],
  alerts: [{ enabled: false }],
  shedding: [{ enabled: false }],
  fleet: [{}],
  bogus: [1],
};

function set(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
  return target;
}

/** Seeded pseudo-random numbers (the corpus is the same on every run). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

function corpus(): unknown[] {
  const inputs: unknown[] = [{}, withInherited, [], null, 'x', new ClassLogger(), { __proto__: null, serviceName: 's' }, JSON.parse('{"__proto__": {"x": 1}}')];
  for (const [path, values] of Object.entries(CANDIDATES)) for (const v of values) inputs.push(set({ logger: silentLogger }, path, v));
  const random = rng(42);
  const paths = Object.keys(CANDIDATES).filter((p) => !['env', 'breakers', 'alerts', 'shedding', 'fleet', 'bogus'].includes(p));
  for (let i = 0; i < 3000; i++) {
    const input: Record<string, unknown> = {};
    const n = 1 + Math.floor(random() * 6);
    for (let j = 0; j < n; j++) {
      const path = paths[Math.floor(random() * paths.length)]!;
      // mostly valid values (the first ones listed), so that many combinations pass
      const values = CANDIDATES[path]!;
      const v = values[Math.floor(random() * (random() < 0.7 ? Math.min(2, values.length) : values.length))];
      try {
        set(input, path, v);
      } catch {
        // a parent was set to a non-object value: keep it as it is
      }
    }
    inputs.push(input);
  }
  return inputs;
}

describe('quickValidate (the zod-free path of the common options)', () => {
  test('returns exactly what the zod schema returns, or defers (never accepts what zod rejects)', () => {
    let quick = 0;
    let rejected = 0;
    for (const input of corpus()) {
      const q = quickValidate(input);
      const z = optionsSchema.safeParse(input);
      if (!z.success) rejected++;
      if (q === undefined) continue;
      quick++;
      expect({ input, accepted: z.success }).toEqual({ input, accepted: true });
      expect(q).toStrictEqual(z.data);
    }
    // the corpus exercises both paths: most valid combinations take the quick one, every invalid one defers
    expect(quick).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });

  test('copies like zod: the logger keeps its methods (own or inherited) and enumerable fields, arrays are copied', () => {
    const logger = new ClassLogger();
    const signals = ['SIGTERM'];
    const q = quickValidate({ logger, drain: { signals } }) as { logger: Record<string, unknown>; drain: { signals: string[] } };
    expect(q.logger).not.toBe(logger);
    expect(Object.keys(q.logger).sort()).toEqual(['debug', 'error', 'info', 'level', 'warn']);
    expect(q.drain.signals).toEqual(signals);
    expect(q.drain.signals).not.toBe(signals);
  });

  test('options outside the common set defer to zod', () => {
    expect(quickValidate({ env: {} })).toBeUndefined();
    expect(quickValidate({ breakers: {} })).toBeUndefined();
    expect(quickValidate({ monitors: { enabled: false } })).toBeUndefined();
    expect(quickValidate({ serviceName: 'a', unknown: 1 })).toBeUndefined();
  });

  test('a process using only the common options never loads zod', () => {
    const script = `
      const { zerodown, silentLogger } = require('@zerodown/core');
      const zd = zerodown({ serviceName: 's', logger: silentLogger, drain: { signals: false }, monitors: false, health: { eventLoopStallMs: 0 }, control: { socket: false } });
      zd.dispose();
      const zod = Object.keys(require.cache).filter((f) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(f)).length;
      zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false }, env: {} }).dispose();
      const after = Object.keys(require.cache).filter((f) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(f)).length;
      process.stdout.write(JSON.stringify({ zod, after }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { zod: number; after: number };
    expect(out.zod).toBe(0);
    // (and an option outside the set loads it: the check above can fail)
    expect(out.after).toBeGreaterThan(0);
  });
});
