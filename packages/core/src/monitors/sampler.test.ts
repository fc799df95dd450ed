import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerSampler } from './sampler';

describe('ServerSampler disk reads', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zd-sampler-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('free space is read at most every diskIntervalMs: samples in between repeat the last reading', async () => {
    const sampler = new ServerSampler(new Set(['diskFreePercent']), dir, 0, 60_000);
    try {
      const first = await sampler.sample();
      expect(first.diskFreePercent).toBeGreaterThan(0);
      rmSync(dir, { recursive: true, force: true }); // a read now would fail (undefined)
      expect((await sampler.sample()).diskFreePercent).toBe(first.diskFreePercent);
    } finally {
      sampler.dispose();
    }
  });

  test('with diskIntervalMs 0 every sample reads the disk', async () => {
    const sampler = new ServerSampler(new Set(['diskFreePercent']), dir, 0, 0);
    try {
      expect((await sampler.sample()).diskFreePercent).toBeGreaterThan(0);
      rmSync(dir, { recursive: true, force: true });
      expect((await sampler.sample()).diskFreePercent).toBeUndefined();
    } finally {
      sampler.dispose();
    }
  });

  test('heap, RSS and event-loop utilisation: plausible values, and a busy interval reads as busy', () => {
    const sampler = new ServerSampler(new Set(['heapUsedPercent', 'rssBytes', 'eventLoopUtilization']), dir, 0, 0);
    try {
      const end = performance.now() + 200;
      while (performance.now() < end); // sleep-ok: a busy event loop for the whole interval is the subject of the test
      const s = sampler.sampleNow();
      if (s instanceof Promise) throw new Error('no disk metric: the sample is a plain value');
      expect(s.heapUsedPercent).toBeGreaterThan(0);
      expect(s.heapUsedPercent).toBeLessThan(100);
      expect(s.rssBytes).toBeGreaterThan(1024 * 1024);
      expect(s.eventLoopUtilization).toBeGreaterThan(0.5);
      expect(s.eventLoopUtilization).toBeLessThanOrEqual(1);
    } finally {
      sampler.dispose();
    }
  });
});
