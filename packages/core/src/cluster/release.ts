import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ZerodownConfigError } from '../errors';

/** The code a worker runs: its entry and working directory with every symlink resolved, and the package version. */
export interface Release {
  /** Real path of the entry file (a `current` symlink resolved). */
  entry: string;
  /** Real path of the working directory. */
  cwd: string;
  /** `name@version` of the nearest package.json above the entry, if any. */
  package: string | undefined;
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
    realEntry = realpathSync(resolve(cwd, entry));
  } catch {
    throw new ZerodownConfigError('entry', `zerodown serve: invalid entry: expected an existing file, got ${JSON.stringify(resolve(cwd, entry))}`);
  }
  return { entry: realEntry, cwd: realCwd, package: packageOf(dirname(realEntry)) };
}

function packageOf(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: unknown; version?: unknown };
        return `${typeof pkg.name === 'string' ? pkg.name : 'app'}@${typeof pkg.version === 'string' ? pkg.version : '?'}`;
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
