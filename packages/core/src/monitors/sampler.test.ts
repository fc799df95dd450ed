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
});
