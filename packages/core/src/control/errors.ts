import { ZerodownError } from '../errors';

/** The control socket path is served by a live process: zerodown never steals it. */
export class ControlSocketInUseError extends ZerodownError {
  readonly socketPath: string;
  constructor(socketPath: string) {
    super(
      'ZERODOWN_CONTROL',
      `zerodown: control socket ${socketPath} is in use by a running process; stop it, or give this process another path (option control.socket or ZERODOWN_CONTROL_SOCKET)`,
    );
    this.socketPath = socketPath;
  }
}

/** The control socket path exists but is not a socket (zerodown never deletes other files). */
export class ControlSocketPathError extends ZerodownError {
  readonly socketPath: string;
  constructor(socketPath: string, what: string) {
    super('ZERODOWN_CONTROL', `zerodown: control socket path ${socketPath} ${what}; remove it or choose another path (option control.socket or ZERODOWN_CONTROL_SOCKET)`);
    this.socketPath = socketPath;
  }
}

/** A control request failed: nothing listening, an error answer, or no answer in time. */
export class ControlRequestError extends ZerodownError {
  readonly socketPath: string;
  /** HTTP status of the answer, when there was one. */
  readonly statusCode: number | undefined;
  /** True when the request (or the operation it asked for) ran out of time. */
  readonly timedOut: boolean;
  /** The `code` of the error, as sent by the app or the socket (`ENOENT`, `ECONNREFUSED`, ...). */
  readonly reason: string | undefined;
  constructor(socketPath: string, message: string, details: { statusCode?: number; timedOut?: boolean; reason?: string; cause?: unknown } = {}) {
    super('ZERODOWN_CONTROL', message, { cause: details.cause });
    this.socketPath = socketPath;
    this.statusCode = details.statusCode;
    this.timedOut = details.timedOut ?? false;
    this.reason = details.reason;
  }
}

/**
 * A control socket directory or socket that another user could control: not a real directory, owned by
 * someone else, or writable by others (app side), or a socket not owned by the caller or root (CLI side).
 * zerodown never listens in, or talks to, such a path. The message names the path, owner, mode and a fix.
 */
export class ControlTrustError extends ZerodownError {
  /** The refused path. */
  readonly socketPath: string;
  /** Whether the directory or the socket itself was refused. */
  readonly refused: 'directory' | 'socket';
  /** Owner uid of the refused path. */
  readonly ownerUid: number;
  /** Its mode bits (`st_mode & 0o7777`). */
  readonly mode: number;
  constructor(path: string, refused: 'directory' | 'socket', message: string, details: { ownerUid: number; mode: number }) {
    super('ZERODOWN_CONTROL_TRUST', message);
    this.socketPath = path;
    this.refused = refused;
    this.ownerUid = details.ownerUid;
    this.mode = details.mode;
  }
}
