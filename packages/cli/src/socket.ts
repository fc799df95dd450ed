import type { ControlStatus } from '@zerodown/core/control';
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
 * found in the default directories (filtered by `--service`). Errors explain what was tried.
 */
export async function resolveSocket(opts: SocketOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (opts.socket) return opts.socket;
  const { findControlSockets, ControlRequestError, isControlSocketOff } = loadControl();
  const fromEnv = env.ZERODOWN_CONTROL_SOCKET?.trim();
  const turnedOff = isControlSocketOff(fromEnv);
  if (fromEnv && !turnedOff) return fromEnv;
  const { searched, found } = await findControlSockets({ env, service: opts.service });
  const where = searched.map((d) => `${d}/*.sock`).join(', ');
  if (found.length === 1) return found[0]!.path;
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
