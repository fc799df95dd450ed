import { zerodown } from '../index';
import type { Logger } from '../logger';

// The drain's flush step with real timers: flushers added with zd.onFlush.

test('a flusher that throws synchronously: the others still run and are waited for, and the log names the failure', async () => {
  const lines: string[] = [];
  const log = (a: object | string, b?: string): void => void lines.push(typeof a === 'string' ? a : (b ?? ''));
  const logger: Logger = { error: log, warn: log, info: log, debug: log };
  const zd = zerodown({ logger, env: {}, control: { socket: false }, monitors: false, health: { eventLoopStallMs: 0 }, drain: { exit: false, signals: false, delayMs: 0, timeoutMs: 2000, flushTimeoutMs: 10_000 } });
  try {
    let slowDone = false;
    let lastCalled = false;
    zd.onFlush('slow', () => new Promise<void>((r) => setTimeout(() => { slowDone = true; r(); }, 200))); // sleep-ok: the flush work itself
    zd.onFlush('broken', () => {
      throw new Error('boom');
    });
    zd.onFlush('last', () => {
      lastCalled = true;
    });
    const result = await zd.drain('test');
    expect(slowDone).toBe(true);
    expect(lastCalled).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(lines).toContain('zerodown: flush step "broken" failed');
    expect(lines.some((l) => /flush did not finish/.test(l))).toBe(false);
  } finally {
    zd.dispose();
  }
});
