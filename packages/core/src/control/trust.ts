import { lstat } from 'node:fs/promises';
import { lstatSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { ControlTrustError } from './errors';

/**
 * Which directories zerodown trusts to hold a control socket:
 * - `private`: a default runtime directory (`$XDG_RUNTIME_DIR/zerodown`, `/run/zerodown`,
 *   `$TMPDIR/zerodown-<uid>`): a real directory (not a symlink) owned by this uid with no group/other
 *   permission bits (what zerodown itself creates: mode 0700).
 * - `shared`: the directory of a configured path (`control.socket`, `ZERODOWN_CONTROL_SOCKET`, `--socket`):
 *   a real directory owned by this uid or root that no other user can write to (no group/other write
 *   bit, unless the sticky bit is set, as on `/tmp`, where others cannot rename or remove our files).
 */
export type DirectoryRule = 'private' | 'shared';

/** lstat errors that connecting reports better (no such path, or no permission to look): not a trust problem. */
const UNREACHABLE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

/** `lstat(path)`, or `undefined` when `unreachableOk` and the path is missing or cannot be looked at. */
async function lstatUnlessUnreachable(path: string, unreachableOk: boolean): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    return unreachable(error, unreachableOk);
  }
}

/** {@link lstatUnlessUnreachable}, synchronously (the app's own socket path at startup: a local runtime directory). */
function lstatSyncUnlessUnreachable(path: string, unreachableOk: boolean): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    return unreachable(error, unreachableOk);
  }
}

function unreachable(error: unknown, unreachableOk: boolean): undefined {
  if (unreachableOk && UNREACHABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
  throw error;
}

/** This process's uid, or `undefined` where there are none (Windows): no ownership checks there. */
export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** `0755`-style octal rendering of a mode's permission bits (with the sticky bit when set). */
export function formatMode(mode: number): string {
  return '0' + (mode & 0o1777).toString(8).padStart(3, '0');
}

/** Why `st` (the lstat of `dir`) is not a trusted directory under `rule`, or `undefined` when it is. */
function directoryProblem(st: Stats, rule: DirectoryRule, uid: number): string | undefined {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isDirectory()) return 'is not a directory';
  const ownerOk = st.uid === uid || (rule === 'shared' && st.uid === 0);
  if (!ownerOk) return `is owned by uid ${st.uid}, not by uid ${uid}${rule === 'shared' ? ' or root' : ''}`;
  if (rule === 'private' && (st.mode & 0o077) !== 0) return `has mode ${formatMode(st.mode)}: group/other permission bits are set (expected 0700)`;
  if (rule === 'shared' && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `has mode ${formatMode(st.mode)}: other users can write to it (expected no group/other write bit, or the sticky bit as on /tmp)`;
  return undefined;
}

/** How to repair a refused directory, for the error message. */
function directoryFix(dir: string, st: Stats, rule: DirectoryRule, uid: number): string {
  const redo = rule === 'private' ? `remove it (rm -rf ${dir}) so zerodown recreates it with mode 0700` : 'use a directory only you can write to';
  if (st.isSymbolicLink() || !st.isDirectory()) return `${redo}, or set ZERODOWN_CONTROL_SOCKET to a path in a directory only you can write to`;
  if (st.uid !== uid && !(rule === 'shared' && st.uid === 0)) return `another user may have planted it: ${redo}, or set ZERODOWN_CONTROL_SOCKET to a path in a directory only you can write to`;
  return `chmod ${rule === 'private' ? '700' : 'go-w'} ${dir}, or ${redo}, or set ZERODOWN_CONTROL_SOCKET to a path in a directory only you can write to`;
}

/**
 * Throws a {@link ControlTrustError} unless `dir` is a directory zerodown may keep (or look for) a control
 * socket in (see {@link DirectoryRule}). A directory that does not exist or cannot be looked at passes
 * when `missingOk` (connecting reports it), else the lstat error is thrown. Never follows a symlink.
 */
export async function assertTrustedDirectory(dir: string, rule: DirectoryRule, options: { missingOk?: boolean } = {}): Promise<void> {
  const uid = currentUid();
  if (uid === undefined) return;
  checkDirectory(dir, await lstatUnlessUnreachable(dir, options.missingOk === true), rule, uid);
}

/** {@link assertTrustedDirectory}, synchronously. */
export function assertTrustedDirectorySync(dir: string, rule: DirectoryRule, options: { missingOk?: boolean } = {}): void {
  const uid = currentUid();
  if (uid === undefined) return;
  checkDirectory(dir, lstatSyncUnlessUnreachable(dir, options.missingOk === true), rule, uid);
}

function checkDirectory(dir: string, st: Stats | undefined, rule: DirectoryRule, uid: number): void {
  if (st === undefined) return;
  const problem = directoryProblem(st, rule, uid);
  if (problem === undefined) return;
  throw new ControlTrustError(dir, 'directory', `zerodown: refusing the control socket directory ${dir}: it ${problem} (owner uid ${st.uid}, mode ${formatMode(st.mode)}); ${directoryFix(dir, st, rule, uid)}`, { ownerUid: st.uid, mode: st.mode & 0o7777 });
}

/**
 * Throws a {@link ControlTrustError} when `path` exists but is not a socket owned by this uid or root
 * (a socket another user planted answers whatever they like). A missing or unreadable path passes:
 * connecting reports it.
 */
export async function assertTrustedSocket(path: string): Promise<void> {
  const uid = currentUid();
  if (uid === undefined) return;
  checkSocket(path, await lstatUnlessUnreachable(path, true), uid);
}

/** {@link assertTrustedSocket}, synchronously. */
export function assertTrustedSocketSync(path: string): void {
  const uid = currentUid();
  if (uid === undefined) return;
  checkSocket(path, lstatSyncUnlessUnreachable(path, true), uid);
}

function checkSocket(path: string, st: Stats | undefined, uid: number): void {
  if (st === undefined) return;
  if (st.isSocket() && (st.uid === uid || st.uid === 0)) return;
  const what = st.isSymbolicLink() ? 'is a symbolic link' : !st.isSocket() ? 'is not a socket' : `is owned by uid ${st.uid}, not by you (uid ${uid}) or root`;
  throw new ControlTrustError(
    path,
    'socket',
    `zerodown: refusing the control socket ${path}: it ${what} (owner uid ${st.uid}, mode ${formatMode(st.mode)}); it may be a fake socket planted by another user. If uid ${st.uid} really runs the app, run zerodown as that user; otherwise remove it (rm ${path})`,
    { ownerUid: st.uid, mode: st.mode & 0o7777 },
  );
}

/**
 * The checks the CLI makes before talking to a configured socket path: its directory is `shared`-trusted
 * (see {@link DirectoryRule}) and the socket, when it exists, is owned by the caller or root.
 */
export async function assertTrustedSocketPath(path: string): Promise<void> {
  await assertTrustedDirectory(dirname(path), 'shared', { missingOk: true });
  await assertTrustedSocket(path);
}
