import type { ControlStatus } from '@zerodown/core';
import { loadControl } from './core-loader';

function envNote(value: string | undefined, turnedOff: boolean): string {
  if (turnedOff) return `ZERODOWN_CONTROL_SOCKET is "${value}", which turns the control channel off: an app started with this value opens no socket`;
  return 'ZERODOWN_CONTROL_SOCKET is not set';
}

/** How the local commands find the app. */
export interface SocketOptions {
  socket?: string;
  service?: string;
}

/**
 * The control socket to talk to: `--socket`, else `ZERODOWN_CONTROL_SOCKET`, else the only running app
 * found in the default directories (filtered by `--service`). Errors explain what was tried. When nothing
 * is found and a directory or socket was refused because another user could control it, that refusal
 * (`ZERODOWN_CONTROL_TRUST`: path, owner, mode, fix) is the error. Core's `controlRequest` makes the same
 * ownership checks on a `--socket`/`ZERODOWN_CONTROL_SOCKET` path before connecting.
 */
export async function resolveSocket(opts: SocketOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (opts.socket) return opts.socket;
  const { findControlSockets, ControlRequestError, isControlSocketOff } = loadControl();
  const fromEnv = env.ZERODOWN_CONTROL_SOCKET?.trim();
  const turnedOff = isControlSocketOff(fromEnv);
  if (fromEnv && !turnedOff) return fromEnv;
  const { searched, found, refused } = await findControlSockets({ env, service: opts.service });
  const where = searched.map((d) => `${d}/*.sock`).join(', ');
  if (found.length === 1) return found[0]!.path;
  // a directory or socket another user could control is never talked to: say so rather than "not found"
  if (found.length === 0 && refused.length === 1) throw refused[0];
  if (found.length === 0 && refused.length > 1) throw Object.assign(refused[0]!, { message: refused.map((e) => e.message).join('\n') });
  if (found.length === 0) {
    throw new ControlRequestError(
      searched[0] ?? '',
      `no running zerodown app found${opts.service ? ` for service "${opts.service}"` : ''}: searched ${where} (${envNote(fromEnv, turnedOff)}). Pass --socket PATH or set ZERODOWN_CONTROL_SOCKET to the path the app uses (the app's own ZERODOWN_CONTROL_SOCKET, or its control.socket option)`,
      { reason: 'ENOENT' },
    );
  }
  const list = found.map((f: { path: string; status: ControlStatus }) => `${f.path} (${f.status.service ?? 'app'}, pid ${f.status.pid})`).join('; ');
  throw new ControlRequestError(searched[0] ?? '', `several zerodown apps are running: ${list}; choose one with --socket PATH or --service NAME`, { reason: 'EAMBIGUOUS' });
}
