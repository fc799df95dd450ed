import type { IncomingMessage } from 'node:http';

/** Largest request body the control channel reads (bytes). */
export const MAX_CONTROL_BODY_BYTES = 16 * 1024;

/** A request the control channel refuses, with the HTTP status to answer. */
export class ControlHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Reads a JSON object body of at most {@link MAX_CONTROL_BODY_BYTES}; an empty body is `{}`. */
export function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_CONTROL_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_CONTROL_BODY_BYTES) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (error) => {
      if (!failed) reject(new ControlHttpError(400, 'ZERODOWN_CONTROL_BAD_REQUEST', `could not read the request body: ${error.message}`));
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return reject(new ControlHttpError(400, 'ZERODOWN_CONTROL_BAD_REQUEST', 'the request body is not valid JSON'));
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return reject(new ControlHttpError(400, 'ZERODOWN_CONTROL_BAD_REQUEST', 'the request body must be a JSON object'));
      }
      resolve(value as Record<string, unknown>);
    });
  });
}

function tooLarge(): ControlHttpError {
  return new ControlHttpError(413, 'ZERODOWN_CONTROL_TOO_LARGE', `the request body exceeds ${MAX_CONTROL_BODY_BYTES} bytes`);
}

/** Field readers for control requests: query string first, then the JSON body; a bad value is a 400. */
export class ControlParams {
  constructor(
    private readonly query: URLSearchParams,
    private readonly body: Record<string, unknown>,
  ) {}

  /** A boolean (`true`/`false`/`1`/`0` in the query). */
  bool(name: string): boolean | undefined {
    const q = this.query.get(name);
    const v: unknown = q !== null ? ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[q] ?? q : this.body[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw bad(name, 'true or false', v);
    return v;
  }

  /** A whole number of milliseconds between 1 and 2^31-1. */
  ms(name: string): number | undefined {
    const q = this.query.get(name);
    const v: unknown = q !== null ? (/^\d+$/.test(q) ? Number(q) : q) : this.body[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1) throw bad(name, 'a whole number of milliseconds between 1 and 2147483647', v);
    return v;
  }

  /** A short printable string (at most 200 characters). */
  text(name: string): string | undefined {
    const q = this.query.get(name);
    const v: unknown = q ?? this.body[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length > 200 || /[\x00-\x1f]/.test(v)) throw bad(name, 'a string of at most 200 printable characters', v);
    return v;
  }
}

function bad(name: string, expected: string, got: unknown): ControlHttpError {
  const shown = JSON.stringify(got) ?? String(got);
  return new ControlHttpError(400, 'ZERODOWN_CONTROL_BAD_REQUEST', `invalid "${name}": expected ${expected}, got ${shown.length > 60 ? shown.slice(0, 57) + '...' : shown}`);
}
