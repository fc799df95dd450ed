import { setTimeout as sleep } from 'node:timers/promises';
import { eventLoopDelayCheck } from './event-loop';
import { EventLoopDelay } from '../../monitors/event-loop-delay';
import type { CheckOutcome } from '../types';

const blockFor = (ms: number): void => {
  const until = Date.now() + ms;
  // sleep-ok: blocking the event loop is the condition under test
  while (Date.now() < until) {
    /* block the event loop */
  }
};

describe('eventLoopDelayCheck (the liveness check on the shared event-loop histogram)', () => {
  test('a block that starts right after a run is still seen by the next run', async () => {
    // bounds well above what a loaded machine's scheduling shows by itself
    const check = eventLoopDelayCheck({ maxMs: 300 });
    try {
      await check.run(new AbortController().signal); // starts reading
      await sleep(300); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      const quiet = (await check.run(new AbortController().signal)) as CheckOutcome;
      expect(quiet.status).toBe('pass'); // the histogram's first tick after its start is dropped by node (as after a reset)
      blockFor(900);
      await sleep(20); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      const after = (await check.run(new AbortController().signal)) as CheckOutcome;
      expect(after.status).toBe('fail');
      expect(after.observedValue).toBeGreaterThanOrEqual(700);
      expect(after.output).toMatch(/event loop blocked for \d+ ms/);
    } finally {
      check.dispose?.();
    }
  });

  test('a block right after a read that reset the histogram is still seen (the tick node drops after a reset)', async () => {
    const check = eventLoopDelayCheck({ maxMs: 300 });
    try {
      await check.run(new AbortController().signal); // starts reading
      await sleep(250); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      blockFor(400);
      await sleep(20); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      const first = (await check.run(new AbortController().signal)) as CheckOutcome; // sees the block and resets the histogram
      expect(first.observedValue).toBeGreaterThanOrEqual(250);
      blockFor(900); // at once: node drops the first tick after the reset, which this block delays
      await sleep(20); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      const second = (await check.run(new AbortController().signal)) as CheckOutcome;
      expect(second.status).toBe('fail');
      expect(second.observedValue).toBeGreaterThanOrEqual(700);
    } finally {
      check.dispose?.();
    }
  });

  test('readers of the one histogram each see a block, whoever read last', async () => {
    const check = eventLoopDelayCheck({ maxMs: 150 });
    const monitor = new EventLoopDelay(0);
    try {
      await check.run(new AbortController().signal);
      await sleep(150); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      blockFor(500);
      await sleep(150); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      // the monitor reads (and resets the histogram) first; the check still sees the block
      expect(monitor.read()).toBeGreaterThanOrEqual(300);
      const r = (await check.run(new AbortController().signal)) as CheckOutcome;
      expect(r.status).toBe('fail');
      expect(r.observedValue).toBeGreaterThanOrEqual(300);
      // and each reader starts a new interval at its own read
      await sleep(150); // sleep-ok: the event loop must turn for the histogram to record (the subject of the test)
      expect(monitor.read()).toBeLessThan(300);
    } finally {
      check.dispose?.();
      monitor.dispose();
    }
  });
});
