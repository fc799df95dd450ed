import { request } from 'node:http';
import { ControlRequestError } from '../control/errors';
import { explainSocketError } from '../control/client';
import type { ReloadStreamLine } from './master-control';
import type { ReloadEvent, ReloadResult } from './reload';

/** A failed `POST /reload`: `reason` is the master's error code (`ZERODOWN_RELOAD_BUSY`, `ZERODOWN_RELOAD_FAILED`). */
export class ReloadRequestError extends ControlRequestError {
  /** The new worker's last stderr lines (a failed reload). */
  readonly stderr: string[];
  /** Why the new release was refused, in a few words (a failed reload). */
  readonly failure: string | undefined;
  constructor(socket: string, body: { code: string; message: string; reason?: string; stderr?: string[] }, statusCode?: number) {
    super(socket, body.message, { statusCode, reason: body.code });
    this.failure = body.reason;
    this.stderr = body.stderr ?? [];
  }
}

/**
 * Asks the `zerodown serve` master on `socketPath` to reload, calling `onProgress` for each progress
 * line it streams; resolves with the result once every worker runs the new code, rejects with a
 * {@link ReloadRequestError} (busy, failed) or a `ControlRequestError` (socket unreachable).
 */
export function requestReload(socketPath: string, onProgress: (e: ReloadEvent) => void, options: { timeoutMs?: number } = {}): Promise<ReloadResult> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/reload', method: 'POST', headers: { accept: 'application/x-ndjson', 'content-length': '0' }, agent: false });
    const timer = options.timeoutMs ? setTimeout(() => req.destroy(new ControlRequestError(socketPath, `the reload did not finish within ${options.timeoutMs} ms (it goes on in the master)`, { timedOut: true, reason: 'ETIMEDOUT' })), options.timeoutMs) : undefined;
    const done = (f: () => void): void => {
      clearTimeout(timer);
      f();
    };
    req.on('error', (error: NodeJS.ErrnoException) => done(() => reject(error instanceof ControlRequestError ? error : new ControlRequestError(socketPath, explainSocketError(socketPath, error), { reason: error.code, cause: error }))));
    req.on('response', (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      let settled = false;
      const handle = (text: string): void => {
        let l: ReloadStreamLine | { error?: { code: string; message: string } };
        try {
          l = JSON.parse(text) as ReloadStreamLine;
        } catch {
          return;
        }
        if (!('event' in l)) {
          settled = true;
          const body = l.error ?? { code: 'ZERODOWN_CONTROL', message: `the master answered ${res.statusCode}` };
          // an app's own control socket (no /reload): say so rather than relay "no such endpoint"
          if (res.statusCode === 404) body.message = `${socketPath} is not the control socket of a \`zerodown serve\` master (it has no /reload: ${body.message}); pass the master's --socket`;
          return done(() => reject(new ReloadRequestError(socketPath, body, res.statusCode)));
        }
        if (l.event === 'progress') onProgress(l.progress);
        else if (l.event === 'done') {
          settled = true;
          done(() => resolve(l.result));
        } else {
          settled = true;
          done(() => reject(new ReloadRequestError(socketPath, l.error, res.statusCode)));
        }
      };
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
          const text = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          if (text.trim()) handle(text);
        }
      });
      res.on('end', () => {
        if (buffer.trim()) handle(buffer);
      });
      // 'close' also when the connection is cut mid-stream (the master exited): no 'end' then
      res.on('error', () => {});
      res.on('close', () => {
        if (!settled) {
          settled = true;
          done(() => reject(new ControlRequestError(socketPath, 'the master closed the reload stream before the reload finished (did it stop?)', { reason: 'ECONNRESET' })));
        }
      });
    });
    req.end();
  });
}
