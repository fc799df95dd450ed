import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZerodownConfigError } from '../errors';

/** Longest Unix socket path most platforms accept (`sun_path` is 108 bytes on Linux, 104 on macOS). */
export const MAX_SOCKET_PATH_BYTES = 103;

/** Values of `ZERODOWN_CONTROL_SOCKET` that turn the control channel off. */
const OFF = new Set(['off', 'false', '0', 'none', 'disabled']);

/** True for the values of `ZERODOWN_CONTROL_SOCKET` (or `control.socket`) that turn the channel off: `off`, `false`, `0`, `none`, `disabled` (any case). */
export function isControlSocketOff(value: string | undefined): boolean {
  return value !== undefined && OFF.has(value.trim().toLowerCase());
}

/** Environment the control-socket paths are derived from. */
export type ControlEnv = Record<string, string | undefined>;

/**
 * Directories searched for control sockets, in order: `$XDG_RUNTIME_DIR/zerodown` (systemd user
 * runtime dir, tmpfs, owner only), `/run/zerodown` (root), then `<os.tmpdir()>/zerodown-<uid>`.
 * The app creates its socket in the first one; the CLI looks in all of them.
 */
export function controlSocketDirs(env: ControlEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.XDG_RUNTIME_DIR) dirs.push(join(env.XDG_RUNTIME_DIR, 'zerodown'));
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === 0) dirs.push('/run/zerodown');
  dirs.push(join(tmpdir(), `zerodown-${uid ?? 'user'}`));
  return dirs;
}

/** File name of an app's default control socket: `<service>-<pid>.sock` (service sanitised). */
export function controlSocketName(serviceName: string | undefined, pid: number = process.pid): string {
  const service = (serviceName ?? 'app').replace(/[^\w.-]+/g, '_').slice(0, 40) || 'app';
  return `${service}-${pid}.sock`;
}

/**
 * The control socket an app listens on: the `control.socket` option, else `ZERODOWN_CONTROL_SOCKET`,
 * else `<first of controlSocketDirs()>/<service>-<pid>.sock`. Returns `undefined` when turned off
 * (`socket: false`, or the env var set to a value {@link isControlSocketOff} accepts). A path too long for a Unix socket throws
 * a {@link ZerodownConfigError}.
 */
export function resolveControlSocket(option: string | false | undefined, env: ControlEnv, serviceName: string | undefined): { path: string; explicit: boolean } | undefined {
  if (option === false) return undefined;
  const raw = option ?? (env.ZERODOWN_CONTROL_SOCKET?.trim() || undefined);
  if (isControlSocketOff(raw)) return undefined;
  const field = option !== undefined ? 'control.socket' : 'ZERODOWN_CONTROL_SOCKET';
  const path = raw ?? join(controlSocketDirs(env)[0]!, controlSocketName(serviceName));
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new ZerodownConfigError(
      raw !== undefined ? field : 'XDG_RUNTIME_DIR',
      `zerodown: invalid ${raw !== undefined ? (option !== undefined ? 'option' : 'environment variable') : 'runtime directory for'} ${raw !== undefined ? `"${field}"` : 'the control socket'}: expected a Unix socket path of at most ${MAX_SOCKET_PATH_BYTES} bytes, got ${JSON.stringify(path)} (${Buffer.byteLength(path)} bytes)`,
    );
  }
  return { path, explicit: raw !== undefined };
}
