import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { ControlSocketInUseError, ControlSocketPathError } from './errors';
import { assertTrustedDirectorySync, assertTrustedSocketSync, type DirectoryRule } from './trust';

/** How a socket path answered a connection attempt. */
export type SocketProbe = 'live' | 'stale' | 'missing';

/** Tries to connect to a Unix socket: `live` when something accepts, `stale` on ECONNREFUSED, `missing` on ENOENT. */
export function probeSocket(path: string, timeoutMs = 1000): Promise<SocketProbe> {
  return new Promise((resolve) => {
    const s = connect({ path });
    const done = (r: SocketProbe): void => {
      clearTimeout(t);
      s.destroy();
      resolve(r);
    };
    // a process that accepts but never answers within the timeout is still alive: never steal its path
    const t = setTimeout(() => done('live'), timeoutMs);
    t.unref();
    s.once('connect', () => done('live'));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ENOENT' ? 'missing' : err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK' ? 'stale' : 'live'));
  });
}

/**
 * Makes `path` free to listen on: creates its directory (mode 0700 when it is created here), then checks
 * it with `lstat` under `rule` (see {@link DirectoryRule}: `private` for a default path, `shared` for a
 * configured one) and throws `ControlTrustError` when another user could control it; removes a
 * stale socket left by a crashed process of ours, and throws {@link ControlSocketInUseError} when a live
 * process serves it, {@link ControlSocketPathError} when the path is not a socket, or
 * `ControlTrustError` when the socket there belongs to another user.
 *
 * The directory and path checks are synchronous (a few metadata calls on a local runtime directory):
 * the channel is bound within the app's startup instead of several event-loop turns after it. Only
 * probing a socket that is already there waits.
 */
export async function prepareSocketPath(path: string, rule: DirectoryRule = 'shared'): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  assertTrustedDirectorySync(dirname(path), rule);
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!isSocket) throw new ControlSocketPathError(path, 'exists and is not a socket');
  assertTrustedSocketSync(path);
  const probe = await probeSocket(path);
  if (probe === 'live') throw new ControlSocketInUseError(path);
  if (probe === 'stale') await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * Removes default-named sockets (`<service>-<pid>[-n].sock`) of processes that no longer exist and no
 * longer accept connections, left in the runtime directory by crashed or killed apps. Never throws.
 */
export async function pruneStaleSockets(dir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir); // synchronous like the path checks above: only probing a candidate waits
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /-(\d+)(?:-\d+)?\.sock$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processExists(pid)) continue;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isSocket() || (await probeSocket(path, 200)) !== 'stale') continue;
      await unlink(path);
      removed++;
    } catch {
      // raced with another pruner, or not ours to remove
    }
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
