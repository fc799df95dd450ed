import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ZerodownConfigError } from '../errors';

/** The code a worker runs: its entry and working directory with every symlink resolved, and the package version. */
export interface Release {
  /** Real path of the entry file (a `current` symlink resolved). */
  entry: string;
  /** Real path of the working directory. */
  cwd: string;
  /** `name@version` of the nearest package.json above the entry (`name` alone without a version), if any. */
  package: string | undefined;
  /** `name` of that package.json. */
  name: string | undefined;
}

/**
 * Resolves the release on disk now: the entry (relative to `cwd`) and `cwd` through `fs.realpath`, so
 * a `current` symlink switched to a new release directory is followed on the next reload. Throws a
 * {@link ZerodownConfigError} naming the path when it does not exist.
 */
export function resolveRelease(entry: string, cwd: string): Release {
  let realCwd: string;
  let realEntry: string;
  try {
    realCwd = realpathSync(cwd);
  } catch {
    throw new ZerodownConfigError('cwd', `zerodown serve: invalid working directory: expected an existing directory, got ${JSON.stringify(cwd)}`);
  }
  try {
    // against the resolved cwd: a `current` switched between the two calls cannot mix two releases
    realEntry = realpathSync(resolve(realCwd, entry));
  } catch {
    throw new ZerodownConfigError('entry', `zerodown serve: invalid entry: expected an existing file, got ${JSON.stringify(resolve(cwd, entry))}`);
  }
  const pkg = packageOf(dirname(realEntry));
  return { entry: realEntry, cwd: realCwd, package: pkg && (pkg.version ? `${pkg.name ?? 'app'}@${pkg.version}` : pkg.name), name: pkg?.name };
}

function packageOf(dir: string): { name: string | undefined; version: string | undefined } | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: unknown; version?: unknown };
        return { name: typeof pkg.name === 'string' ? pkg.name : undefined, version: typeof pkg.version === 'string' ? pkg.version : undefined };
      } catch {
        return undefined;
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

/** One line for logs and progress: `name@version (/real/entry.js)`. */
export function describeRelease(r: Release): string {
  return r.package ? `${r.package} (${r.entry})` : r.entry;
}
