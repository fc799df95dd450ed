import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Master } from './master';
import type { ReloadEvent } from './reload';

/** One line of the `POST /reload` stream (NDJSON): progress events, then one `done` or `error` line. */
export type ReloadStreamLine =
  | { event: 'progress'; progress: ReloadEvent }
  | { event: 'done'; result: import('./reload').ReloadResult }
  | { event: 'error'; error: { code: string; message: string; reason?: string; stderr?: string[] } };

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/**
 * The master's control-socket handler: `GET /status` (every worker) and `POST /reload`, which streams
 * NDJSON progress lines and ends with a `done` or `error` line. A reload while one runs gets 409 with
 * `ZERODOWN_RELOAD_BUSY`, before any streaming; the running reload goes on. A client that goes away
 * does not stop a reload.
 */
export function masterControlHandler(master: Pick<Master, 'status' | 'reload' | 'reloading'>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    if (path === '/status' && req.method === 'GET') {
      master.status().then(
        (s) => send(res, 200, s),
        (error: unknown) => send(res, 500, { error: { code: 'ZERODOWN_CONTROL', message: String(error) } }),
      );
      return;
    }
    if (path === '/reload' && req.method === 'POST') {
      let first = true;
      const line = (l: ReloadStreamLine): void => {
        if (first) {
          res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
          first = false;
        }
        if (!res.destroyed) res.write(JSON.stringify(l) + '\n');
      };
      let p;
      try {
        p = master.reload((progress) => line({ event: 'progress', progress }));
      } catch (error) {
        return send(res, 500, { error: errorBody(error) });
      }
      p.then(
        (result) => {
          line({ event: 'done', result });
          res.end();
        },
        (error: unknown) => {
          const body = errorBody(error);
          if (first) return send(res, body.code === 'ZERODOWN_RELOAD_BUSY' || body.code === 'ZERODOWN_STATE' ? 409 : 500, { error: body });
          line({ event: 'error', error: body });
          res.end();
        },
      );
      return;
    }
    const known = path === '/status' || path === '/reload';
    send(res, known ? 405 : 404, { error: { code: known ? 'ZERODOWN_CONTROL_METHOD' : 'ZERODOWN_CONTROL_NOT_FOUND', message: known ? `${path} expects ${path === '/status' ? 'GET' : 'POST'}, got ${req.method ?? '?'}` : `no such endpoint ${path} on the zerodown serve master; try GET /status, POST /reload` } });
  };
}

function errorBody(error: unknown): { code: string; message: string; reason?: string; stderr?: string[] } {
  const e = error as { code?: unknown; message?: unknown; reason?: unknown; stderr?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'ZERODOWN_CONTROL',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.reason === 'string' ? { reason: e.reason } : {}),
    ...(Array.isArray(e?.stderr) ? { stderr: e.stderr as string[] } : {}),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
