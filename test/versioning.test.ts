/**
 * lerna in fixed mode: one version for the four packages. A version bump in a scratch clone of this
 * repository (no tag, no commit, no push) moves all four, and the internal dependency ranges and the
 * lockfile follow. Also: one range per dependency across the workspace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// semver is lerna's and npm's own dependency (no @types/semver here): the two functions used, typed
const semver = require('semver') as { inc(version: string, release: 'minor'): string | null; subset(sub: string, dom: string): boolean };
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const PACKAGES = ['core', 'express', 'fastify', 'cli'];
type Manifest = { name: string; version: string; private?: boolean } & Partial<Record<'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies', Record<string, string>>>;
const manifest = (root: string, dir: string): Manifest => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as Manifest;

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('`lerna version` bumps the four packages in lockstep; internal ranges and the lockfile follow', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'zerodown-lerna-'));
  const clone = path.join(dir, 'repo');
  await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
  const before = manifest(clone, 'packages/core').version;
  const next = semver.inc(before, 'minor')!;
  const lerna = path.join(ROOT, 'node_modules/lerna/dist/cli.js');
  await run(process.execPath, [lerna, 'version', next, '--yes', '--no-git-tag-version', '--no-push'], {
    cwd: clone,
    env: { ...process.env, GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.invalid', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.invalid' },
    timeout: 240_000,
  });
  const lock = JSON.parse(readFileSync(path.join(clone, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
  for (const pkg of PACKAGES) {
    const m = manifest(clone, `packages/${pkg}`);
    expect({ pkg, version: m.version }).toEqual({ pkg, version: next });
    for (const [name, range] of Object.entries(m.dependencies ?? {})) {
      if (name.startsWith('@zerodown/')) expect({ pkg, name, range }).toEqual({ pkg, name, range: next });
    }
    expect({ pkg, lock: lock.packages[`packages/${pkg}`]?.version }).toEqual({ pkg, lock: next });
  }
  expect((JSON.parse(readFileSync(path.join(clone, 'lerna.json'), 'utf8')) as { version: string }).version).toBe(next);
  // the working tree itself is untouched
  expect(manifest(ROOT, 'packages/core').version).toBe(before);
}, 300_000);

test('one range per dependency across the workspace; every devDependency satisfies the peer range it stands in for', () => {
  const all = [manifest(ROOT, '.'), ...PACKAGES.map((p) => manifest(ROOT, `packages/${p}`))];
  const ranges = new Map<string, Set<string>>();
  for (const m of all) {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      for (const [name, range] of Object.entries(m[field] ?? {})) {
        if (name.startsWith('@zerodown/')) continue;
        if (field === 'peerDependencies') continue;
        (ranges.get(name) ?? ranges.set(name, new Set()).get(name)!).add(range);
      }
    }
  }
  const several = [...ranges].filter(([, r]) => r.size > 1).map(([name, r]) => `${name}: ${[...r].join(', ')}`);
  expect(several).toEqual([]);
  for (const m of all) {
    for (const [name, peer] of Object.entries(m.peerDependencies ?? {})) {
      const used = [...(ranges.get(name) ?? [])][0];
      if (used) expect({ name, used, satisfies: semver.subset(used, peer) }).toEqual({ name, used, satisfies: true });
    }
  }
  const aws = '@aws-sdk/client-elastic-load-balancing-v2';
  const awsRanges = new Set(all.flatMap((m) => [m.dependencies, m.devDependencies, m.optionalDependencies, m.peerDependencies].map((d) => d?.[aws]).filter((r): r is string => r !== undefined)));
  expect([...awsRanges]).toHaveLength(1);
});
