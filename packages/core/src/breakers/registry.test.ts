import { HealthRegistry } from '../health/registry';
import { silentLogger } from '../logger';
import { ZerodownConfigError } from '../errors';
import { BreakerOpenError, BreakerTimeoutError } from './errors';
import { BREAKER_CHECK_INTERVAL_MS, BreakerRegistry } from './registry';
import { BREAKER_DEFAULTS, type BreakerState } from './types';
import { until as waitUntil } from '../../../../test/helpers/wait';

// Real BreakerRegistry on real opossum and a real HealthRegistry; real timers with small values.

const until = (fn: () => boolean, ms = 3000): Promise<void> => waitUntil(fn, ms);

describe('BreakerRegistry', () => {
  let health: HealthRegistry;
  let reg: BreakerRegistry;
  beforeEach(() => {
    health = new HealthRegistry({ intervalMs: 60000, timeoutMs: 1000 }, silentLogger);
    health.start();
    reg = new BreakerRegistry({ ...BREAKER_DEFAULTS, timeoutMs: 100, resetTimeoutMs: 150, volumeThreshold: 2 }, health, (e) => {
      throw e;
    });
  });
  afterEach(() => {
    reg.dispose();
    health.dispose();
  });

  test('a registered breaker makes no opossum instance until its first call, yet is listed and in /health', async () => {
    const fn = reg.wrap('idle', async (_call, x: number) => x * 2);
    const b = reg.get('idle')!;
    expect(b.active).toBe(false);
    expect(reg.list()).toEqual([{ name: 'idle', state: 'closed', counts: { fires: 0, successes: 0, failures: 0, timeouts: 0, rejects: 0, fallbacks: 0 }, fleetOpen: false }]);
    await until(() => health.get('breaker.idle')?.result !== undefined);
    expect(health.get('breaker.idle')).toMatchObject({ critical: false, componentType: 'breaker', measurement: 'state', result: { status: 'pass', observedValue: 'closed' } });
    expect(await fn(21)).toBe(42);
    expect(b.active).toBe(true);
    expect(reg.list()[0]!.counts).toMatchObject({ fires: 1, successes: 1 });
  });

  test('opossum reports the breaker name; breakers with the same settings share options, an errorFilter gets its own', async () => {
    reg.wrap('a', async () => 1);
    reg.wrap('b', async () => 2);
    reg.wrap('c', async () => 3, { timeoutMs: 500 });
    reg.wrap('d', async () => 4, { errorFilter: () => false });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => reg.get(n)!.circuit);
    expect([a!.name, b!.name, c!.name, d!.name]).toEqual(['a', 'b', 'c', 'd']);
    expect(a!.group).toBe('a');
    // opossum keeps its options on `options` (not in @types/opossum)
    const opts = (n: string) => (reg.get(n)!.circuit as unknown as { options: { timeout?: number; rollingCountBuckets?: number } }).options;
    expect(opts('a')).toBe(opts('b'));
    expect(opts('c')).not.toBe(opts('a'));
    expect(opts('d')).not.toBe(opts('a'));
    expect(opts('c').timeout).toBe(500);
    expect(opts('a').rollingCountBuckets).toBe(2);
    // opossum's cache/coalesce/semaphore counters are never wired (those features are never on)
    expect(a!.listenerCount('cacheHit')).toBe(0);
    expect(a!.listenerCount('semaphoreLocked')).toBe(0);
  });

  test('counts, fallback (error, ...args), open, half-open probe and close', async () => {
    const states: BreakerState[] = [];
    reg.on('state', (_name, state) => states.push(state));
    let fail = true;
    const seen: string[] = [];
    const fn = reg.wrap(
      'vendor',
      async (call, id: string) => {
        seen.push(call.breaker);
        if (fail) throw new Error(`down ${id}`);
        return `ok ${id}`;
      },
      { fallback: (error, id) => `fallback ${id} (${error.message})` },
    );
    expect(await fn('1')).toBe('fallback 1 (down 1)');
    expect(await fn('2')).toBe('fallback 2 (down 2)');
    expect(reg.get('vendor')!.currentState).toBe('open');
    expect(await fn('3')).toBe('fallback 3 (breaker "vendor" is open)');
    expect(seen).toEqual(['vendor', 'vendor']);
    expect(reg.list()[0]!.counts).toMatchObject({ fires: 3, failures: 2, rejects: 1, fallbacks: 3, successes: 0 });
    await until(() => reg.get('vendor')!.currentState === 'half-open');
    await until(() => health.get('breaker.vendor')?.result?.status === 'warn');
    fail = false;
    expect(await fn('4')).toBe('ok 4');
    expect(reg.get('vendor')!.currentState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  test('a timeout aborts only its own call signal', async () => {
    const signals: AbortSignal[] = [];
    const fn = reg.wrap('slow', ({ signal }, ms: number) => {
      signals.push(signal);
      return new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms));
    });
    const [a, b] = await Promise.allSettled([fn(400), fn(10)]);
    expect(a.status).toBe('rejected');
    expect(b).toEqual({ status: 'fulfilled', value: 10 });
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });

  test('opening a never-called breaker (fleet) makes it and reports the state', async () => {
    const states: BreakerState[] = [];
    reg.on('state', (_n, s) => states.push(s));
    reg.wrap('never', async () => 1, { fallback: () => 0 });
    reg.get('never')!.close(); // nothing to close: stays idle
    expect(reg.get('never')!.active).toBe(false);
    reg.get('never')!.open();
    expect(states).toEqual(['open']);
    expect(reg.list()[0]).toMatchObject({ state: 'open' });
  });

  test('remove unregisters the /health check, and later calls are refused', async () => {
    const fn = reg.wrap('gone', async () => 1);
    reg.remove('gone');
    expect(health.get('breaker.gone')).toBeUndefined();
    expect(reg.list()).toEqual([]);
    await expect(fn()).rejects.toMatchObject({ code: 'ESHUTDOWN' });
    // the name is free again
    expect(await reg.wrap('gone', async () => 2)()).toBe(2);
  });

  test('without a fallback, open and timeout rejections carry zerodown codes, with opossum\'s error as cause', async () => {
    const fn = reg.wrap('codes', (_call, ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)));
    const timedOut = await fn(400).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(BreakerTimeoutError);
    expect(timedOut).toMatchObject({ code: 'ZERODOWN_BREAKER_TIMEOUT', breaker: 'codes', timeoutMs: 100, cause: expect.objectContaining({ code: 'ETIMEDOUT' }) });
    await fn(400).catch(() => undefined); // second failure: the volume threshold (2) is reached, it opens
    expect(reg.get('codes')!.currentState).toBe('open');
    const refused = await fn(1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect(refused).toMatchObject({ code: 'ZERODOWN_BREAKER_OPEN', breaker: 'codes', cause: expect.objectContaining({ code: 'EOPENBREAKER' }) });
    // an app error with an opossum-like code is passed through untouched
    const own = Object.assign(new Error('socket timed out'), { code: 'ETIMEDOUT' });
    const passthrough = reg.wrap('own', async () => {
      throw own;
    });
    await expect(passthrough()).rejects.toBe(own);
  });

  test('the signal of a timed-out call is aborted with the BreakerTimeoutError; a fallback gets the same codes', async () => {
    let signal: AbortSignal | undefined;
    const errors: unknown[] = [];
    const fn = reg.wrap(
      'fb',
      (call) => {
        signal = call.signal;
        return new Promise<string>(() => {});
      },
      { fallback: (error) => {
        errors.push(error);
        return 'fb';
      } },
    );
    expect(await fn()).toBe('fb');
    expect(signal!.reason).toBeInstanceOf(BreakerTimeoutError);
    expect(await fn()).toBe('fb');
    expect(await fn()).toBe('fb');
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['ZERODOWN_BREAKER_TIMEOUT', 'ZERODOWN_BREAKER_TIMEOUT', 'ZERODOWN_BREAKER_OPEN']);
  });

  test('every per-breaker option is validated: the error names breakers.<name>.<field>, the value and the expectation', () => {
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['alertLevel', { alertLevel: 'nope' }, /breakers\.b1\.alertLevel.*one of "critical".*got "nope"/],
      ['runbookUrl', { runbookUrl: 'not a url' }, /breakers\.b2\.runbookUrl.*http\(s\) URL.*got "not a url"/],
      ['statusPageUrl', { statusPageUrl: 42 }, /breakers\.b3\.statusPageUrl/],
      ['snapshots', { snapshots: 'yes' }, /breakers\.b4\.snapshots.*true or false.*got "yes"/],
      ['rollingPercentiles', { rollingPercentiles: 1 }, /breakers\.b5\.rollingPercentiles/],
      ['errorFilter', { errorFilter: true }, /breakers\.b6\.errorFilter.*function/],
      ['health', { health: 'no' }, /breakers\.b7\.health/],
      ['alert', { alert: 0 }, /breakers\.b8\.alert\b/],
      ['owner', { owner: 7 }, /breakers\.b9\.owner/],
      ['fallback', { fallback: 'x' }, /breakers\.b10\.fallback.*function/],
      ['alertForMs', { alertForMs: -1 }, /breakers\.b11\.alertForMs/],
      ['typo', { timeoutMS: 5 }, /unknown option "breakers\.b12\.timeoutMS"/],
    ];
    bad.forEach(([field, options, message], i) => {
      const name = `b${i + 1}`;
      let error: unknown;
      try {
        reg.wrap(name, async () => 1, options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ZerodownConfigError);
      expect((error as ZerodownConfigError).field).toBe(field === 'typo' ? `breakers.${name}.timeoutMS` : `breakers.${name}.${field}`);
      expect((error as Error).message).toMatch(message);
      expect(reg.get(name)).toBeUndefined();
    });
    expect(() => reg.wrap('good', async () => 1, { alertLevel: 'warning', runbookUrl: 'https://r.example/x', snapshots: false, health: true, alert: true, severity: 'SEV3', fallback: () => 0 })).not.toThrow();
  });

  test('the /health check of a breaker runs on a long interval and is refreshed by each state change', async () => {
    reg.wrap('evt', async () => {
      throw new Error('down');
    }, { fallback: () => 0 });
    const check = (): { intervalMs: number; runs: number; result?: { observedValue?: unknown } } => health.get('breaker.evt') as never;
    await until(() => check().result !== undefined);
    expect(check().intervalMs).toBe(BREAKER_CHECK_INTERVAL_MS);
    expect(BREAKER_CHECK_INTERVAL_MS).toBeGreaterThanOrEqual(60000);
    const fn = reg.get('evt')!.fire;
    await fn();
    await fn(); // opens
    await until(() => check().result?.observedValue === 'open', 1000);
    await until(() => check().result?.observedValue === 'half-open', 2000);
    // quick successive changes never leave a stale result: force open → close → open in one tick
    const b = reg.get('evt')!;
    b.close();
    b.open();
    await until(() => check().result?.observedValue === 'open', 1000);
    expect(health.get('breaker.evt')?.result?.status).toBe('warn');
    b.close();
    await until(() => check().result?.observedValue === 'closed', 1000);
    // between changes it does not re-run (the interval is a minute)
    const runs = check().runs;
    // a witness check on a 50 ms interval: once it has run 6 times, the scheduler has had 300 ms to re-run the breaker's
    health.register('witness', () => undefined, { intervalMs: 50 });
    await until(() => (health.get('witness')?.runs ?? 0) >= 6, 5000);
    expect(check().runs).toBe(runs);
  });

  test('invalid names, duplicates and options throw ZerodownConfigError naming the field', () => {
    reg.wrap('dup', async () => 1);
    expect(() => reg.wrap('dup', async () => 1)).toThrow(ZerodownConfigError);
    expect(() => reg.wrap('bad name!', async () => 1)).toThrow(/invalid breaker name/);
    expect(() => reg.wrap('x', async () => 1, { rollingCountBuckets: 0 })).toThrow(/breakers\.x\.rollingCountBuckets/);
    expect(() => reg.wrap('y', async () => 1, { timeoutMs: 1.5 })).toThrow(/breakers\.y\.timeoutMs/);
  });
});
