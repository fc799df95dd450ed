import { request } from 'node:http';
import { ControlRequestError } from './errors';
import { assertTrustedSocketPath } from './trust';
import type { ControlErrorBody } from './types';

/** A request to a control socket. */
export interface ControlRequestOptions {
  method?: 'GET' | 'POST';
  /** Path with query, e.g. `/status`. */
  path: string;
  body?: object;
  /** Give up after this (ms). Default 10000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Sends one JSON request to an app's control socket and returns the parsed answer. First refuses, with a
 * `ControlTrustError` and without connecting, a socket another user could control (its directory not
 * owned by the caller or root, or writable by others; the socket not owned by the caller or root). Throws
 * a {@link ControlRequestError} that explains the socket path when nothing listens there, and carries the
 * app's error code and message on a non-2xx answer (`timedOut` on 504 or when no answer came in time).
 */
export async function controlRequest<T>(socketPath: string, options: ControlRequestOptions): Promise<T> {
  await assertTrustedSocketPath(socketPath);
  return send<T>(socketPath, options);
}

function send<T>(socketPath: string, options: ControlRequestOptions): Promise<T> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const timeoutMs = options.timeoutMs ?? 10000;
  return new Promise<T>((resolve, reject) => {
    const req = request({
      socketPath,
      path: options.path,
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) },
      signal: options.signal,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new ControlRequestError(socketPath, `no answer from the control socket ${socketPath} within ${timeoutMs} ms`, { timedOut: true, reason: 'ETIMEDOUT' }));
    }, timeoutMs);
    timer.unref();
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error instanceof ControlRequestError) return reject(error);
      reject(new ControlRequestError(socketPath, explainSocketError(socketPath, error), { reason: error.code, cause: error }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(new ControlRequestError(socketPath, `control socket ${socketPath}: ${error.message}`, { cause: error }));
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return reject(new ControlRequestError(socketPath, `control socket ${socketPath} answered ${res.statusCode} with a body that is not JSON`, { statusCode: res.statusCode }));
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(body as T);
        const e = (body as Partial<ControlErrorBody>).error;
        reject(new ControlRequestError(socketPath, e?.message ?? `control socket answered ${status}`, { statusCode: status, timedOut: status === 504, reason: e?.code }));
      });
    });
    req.end(payload);
  });
}

/** A user-facing explanation of why a control socket could not be reached. */
export function explainSocketError(socketPath: string, error: NodeJS.ErrnoException): string {
  const how = "pass --socket PATH or set ZERODOWN_CONTROL_SOCKET to the socket the app listens on (the app's own ZERODOWN_CONTROL_SOCKET or control.socket option; by default $XDG_RUNTIME_DIR/zerodown, /run/zerodown or $TMPDIR/zerodown-<uid>, file <service>-<pid>.sock)";
  switch (error.code) {
    case 'ENOENT':
      return `no control socket at ${socketPath}: is the app running with zerodown, and with the same ZERODOWN_CONTROL_SOCKET? ${how}`;
    case 'ECONNREFUSED':
      return `nothing is listening on the control socket ${socketPath} (a stale file from a stopped app?); ${how}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied on the control socket ${socketPath}: it is owner-only (mode 0600); run zerodown as the user that runs the app`;
    default:
      return `could not reach the control socket ${socketPath}: ${error.code ?? error.message}`;
  }
}
