import { LoadBalancerError } from '../errors';

/** Socket errors of the runtime API worth another attempt: HAProxy restarting or reloading (socket briefly gone or refusing). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ENOENT', 'EAGAIN']);

/** A runtime-API command that failed; `transient` when another attempt may succeed (see {@link isTransientHaproxyError}). */
export class HaproxyRuntimeError extends LoadBalancerError {
  readonly transient: boolean;
  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.transient = transient;
  }

  /** The error for a socket error (`connect`/`read`), transient for the codes a restart or reload produces. */
  static fromSocket(message: string, cause: NodeJS.ErrnoException): HaproxyRuntimeError {
    return new HaproxyRuntimeError(message, TRANSIENT_CODES.has(cause.code ?? ''), { cause });
  }
}

/**
 * True for a runtime-API failure another attempt may fix: connection refused/reset, socket missing
 * (HAProxy restarting), no answer within the command timeout, or an empty answer to a `show` command.
 * A refusal by HAProxy (unknown server, permission) is not transient.
 */
export function isTransientHaproxyError(error: unknown): boolean {
  return error instanceof HaproxyRuntimeError && error.transient;
}
