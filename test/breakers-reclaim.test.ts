import type { EventEmitter } from 'node:events';
import { BreakerOpenError, zerodown, type Zerodown } from '@zerodown/core';
import { until as waitUntil } from './helpers/wait';

// Reclaiming idle opossum instances: real zerodown, real opossum, real timers with a 200 ms window (2 buckets).

const WINDOW_MS = 200;
const until = (fn: () => boolean, ms = 3000): Promise<void> => waitUntil(fn, ms, 10);

/**
 * Resolves after `n` ticks of the breaker's shared bucket rotation: the registry sweeps idle breakers on
 * each tick, before this listener runs (it was added first), so `n` ticks are `n` chances to reclaim.
 */
async function rotations(breaker: { rotation: unknown }, n: number): Promise<void> {
  const emitter = breaker.rotation as EventEmitter;
  let seen = 0;
  const tick = (): void => void seen++;
  emitter.on('rotate', tick);
  try {
    await waitUntil(() => seen >= n, 10000, 10);
  } finally {
    emitter.off('rotate', tick);
  }
}

function makeZd(): Zerodown {
  return zerodown({
    serviceName: 'breakers-reclaim',
    logger: { error() {}, warn() {}, info() {}, debug() {} },
    drain: { signals: false, exit: false },
    control: { socket: false },
    monitors: false,
    alerts: { log: false },
    breakers: { timeoutMs: 2000, volumeThreshold: 2, resetTimeoutMs: 60000, rollingCountTimeoutMs: WINDOW_MS, rollingCountBuckets: 2 },
  });
}

describe('breakers: idle opossum instances are reclaimed', () => {
  let zd: Zerodown;
  beforeEach(() => {
    zd = makeZd();
  });
  afterEach(() => {
    zd.dispose();
  });

  test('a called-then-idle breaker drops its opossum instance after the window, and still works, opens and falls back', async () => {
    let fail = false;
    const call = zd.breakers.wrap('vendor', async (_call, x: number) => {
      if (fail) throw new Error('vendor down');
      return x * 2;
    });
    const down = async (): Promise<string> => {
      throw new Error('down');
    };
    const withFallback = zd.breakers.wrap('vendor-fb', down, { fallback: () => 'fallback' });
    const b = zd.breakers.get('vendor')!;
    expect(await call(1)).toBe(2);
    expect(await withFallback()).toBe('fallback');
    expect(b.active).toBe(true);
    expect(zd.breakers.list().find((i) => i.name === 'vendor')!.counts).toMatchObject({ fires: 1, successes: 1 });
    const started = Date.now();
    await until(() => !b.active && !zd.breakers.get('vendor-fb')!.active);
    // kept for at least one full window after the last call
    expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_MS - 20);
    expect(zd.breakers.list()).toEqual([
      { name: 'vendor', state: 'closed', counts: { fires: 0, successes: 0, failures: 0, timeouts: 0, rejects: 0, fallbacks: 0 }, fleetOpen: false },
      { name: 'vendor-fb', state: 'closed', counts: { fires: 0, successes: 0, failures: 0, timeouts: 0, rejects: 0, fallbacks: 0 }, fleetOpen: false },
    ]);
    // every listener of the dropped instances is gone: only the registry's sweep remains on the shared timer
    expect((b.rotation as EventEmitter).listenerCount('rotate')).toBe(1);
    // the next call makes a fresh instance
    expect(await call(21)).toBe(42);
    expect(b.active).toBe(true);
    expect(await withFallback()).toBe('fallback');
    // opening after threshold failures still happens (volumeThreshold 2, 50%)
    const states: string[] = [];
    const off = zd.breakers.on('state', (name, state) => {
      if (name === 'vendor') states.push(state);
    });
    fail = true;
    await expect(call(1)).rejects.toThrow('vendor down');
    await expect(call(1)).rejects.toThrow('vendor down');
    expect(b.currentState).toBe('open');
    expect(states).toEqual(['open']);
    await expect(call(1)).rejects.toBeInstanceOf(BreakerOpenError);
    off();
  });

  test('an open breaker is never reclaimed', async () => {
    const call = zd.breakers.wrap('down', async () => {
      throw new Error('down');
    });
    const b = zd.breakers.get('down')!;
    await expect(call()).rejects.toThrow('down');
    await expect(call()).rejects.toThrow('down');
    expect(b.currentState).toBe('open');
    await rotations(b, 8); // four windows of two buckets
    expect(b.active).toBe(true);
    expect(b.currentState).toBe('open');
    await expect(call()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(zd.breakers.list()[0]).toMatchObject({ state: 'open', counts: { rejects: 1 } });
  });

  test('a breaker with a call in flight is never reclaimed; it is once the call has settled and a window passed', async () => {
    let release: (v: string) => void = () => {};
    const call = zd.breakers.wrap('slow', () => new Promise<string>((r) => (release = r)));
    const b = zd.breakers.get('slow')!;
    const pending = call();
    await rotations(b, 8); // four windows of two buckets
    expect(b.active).toBe(true);
    release('done');
    expect(await pending).toBe('done');
    // the success lands in the current window (its fire has rotated out): counted until the window has passed
    expect(zd.breakers.list()[0]!.counts).toMatchObject({ successes: 1 });
    const settled = Date.now();
    await until(() => !b.active);
    expect(Date.now() - settled).toBeGreaterThanOrEqual(WINDOW_MS / 2 - 20);
  });

  test('a breaker whose opossum instance the app read is kept', async () => {
    const call = zd.breakers.wrap('raw', async () => 1);
    const b = zd.breakers.get('raw')!;
    await call();
    const circuit = b.circuit;
    await rotations(b, 8); // four windows of two buckets
    expect(b.active).toBe(true);
    expect(b.circuit).toBe(circuit);
  });
});
