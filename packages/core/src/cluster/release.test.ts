import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRelease, resolveRelease } from './release';
import { resolveMasterOptions } from './options';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'zd-release-'));
  for (const v of ['1.0.0', '2.0.0']) {
    mkdirSync(path.join(root, 'releases', v), { recursive: true });
    writeFileSync(path.join(root, 'releases', v, 'package.json'), JSON.stringify({ name: 'shop', version: v }));
    writeFileSync(path.join(root, 'releases', v, 'server.js'), '');
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('follows a switched `current` symlink on every resolution', () => {
  const current = path.join(root, 'current');
  symlinkSync(path.join('releases', '1.0.0'), current);
  const r1 = resolveRelease('server.js', current);
  expect(r1).toEqual({ entry: path.join(root, 'releases/1.0.0/server.js'), cwd: path.join(root, 'releases/1.0.0'), package: 'shop@1.0.0', name: 'shop' });
  symlinkSync(path.join('releases', '2.0.0'), current + '.new');
  renameSync(current + '.new', current);
  expect(resolveRelease('server.js', current).package).toBe('shop@2.0.0');
  expect(describeRelease(r1)).toBe(`shop@1.0.0 (${r1.entry})`);
});

test('a missing entry or directory is a config error naming the field', () => {
  expect(() => resolveRelease('nope.js', root)).toThrow(expect.objectContaining({ code: 'ZERODOWN_CONFIG', field: 'entry' }));
  expect(() => resolveRelease('server.js', path.join(root, 'missing'))).toThrow(expect.objectContaining({ code: 'ZERODOWN_CONFIG', field: 'cwd' }));
});

test('master options: defaults fit the machine, bad values name the field', () => {
  const o = resolveMasterOptions({ entry: 'server.js' });
  expect(o.workers).toBeGreaterThanOrEqual(1);
  expect(o.surge).toBe(1);
  expect(() => resolveMasterOptions({ entry: 'server.js', workers: 0 })).toThrow(expect.objectContaining({ code: 'ZERODOWN_CONFIG', field: 'workers' }));
  expect(() => resolveMasterOptions({ entry: 'server.js', surge: 1.5 })).toThrow(/invalid surge: expected a whole number >= 1, got 1.5/);
  expect(() => resolveMasterOptions({ entry: '' })).toThrow(expect.objectContaining({ field: 'entry' }));
});
