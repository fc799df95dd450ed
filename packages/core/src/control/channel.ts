import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { controlHandler, type ControlTarget } from './handler';
import { ControlSocketInUseError } from './errors';
import { MAX_CONTROL_BODY_BYTES } from './request-body';
import { prepareSocketPath, pruneStaleSockets } from './socket-file';

/** Options of {@link startControlChannel}. */
export interface ControlChannelOptions {
  /** Socket path. */
  path: string;
  /**
   * The path was configured (option or env): a live owner makes {@link ControlChannel.listening} reject.
   * A default path in use by this same process gets a `-2`, `-3`, ... suffix instead.
   */
  explicit: boolean;
  /** Serve this handler instead of the app's control endpoints (the `zerodown serve` master). */
  handler?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Socket paths this process listens on; removed synchronously at process exit if still there. */
const openPaths = new Map<string, number>();
/** Paths an instance of this process has chosen and is still preparing or binding (two instances must not race for one). */
const claimedPaths = new Set<string>();
let exitHookInstalled = false;
function onExit(): void {
  for (const [path, ino] of openPaths) unlinkIfOurs(path, ino);
}
function trackPath(path: string, ino: number): void {
  openPaths.set(path, ino);
  if (!exitHookInstalled) {
    process.on('exit', onExit);
    exitHookInstalled = true;
  }
}
function untrackPath(path: string): void {
  openPaths.delete(path);
  if (openPaths.size === 0 && exitHookInstalled) {
    process.removeListener('exit', onExit);
    exitHookInstalled = false;
  }
}
function unlinkIfOurs(path: string, ino: number): void {
  try {
    if (lstatSync(path).ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * The local control channel: JSON over HTTP on a Unix socket (mode 0600, owner only) serving
 * `GET /status`, `POST /drain`, `POST /resume` and `POST /wait-idle`. It never keeps the process alive.
 * It listens only in a directory no other user controls (see `DirectoryRule` in `./trust`); otherwise
 * {@link ControlChannel.listening} rejects with a `ControlTrustError`, logged at error level, and the app
 * keeps serving without the channel.
 */
export class ControlChannel {
  /** Resolves once accepting; rejects (and is logged) when the path cannot be used. */
  readonly listening: Promise<void>;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private closed = false;
  private ino: number | undefined;
  private actualPath: string;

  constructor(
    private readonly zd: ControlTarget,
    private readonly options: ControlChannelOptions,
  ) {
    this.actualPath = options.path;
    this.listening = this.open();
    this.listening.catch(() => claimedPaths.delete(this.actualPath));
    // the app keeps serving without the channel: a hostile local user must not be able to stop it from starting
    this.listening.catch((error: unknown) =>
      zd.logger.error({ err: error, socket: this.actualPath }, `zerodown: control channel not started (the app keeps serving without it): ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** The socket path in use (a default path may have got a suffix). */
  get path(): string {
    return this.actualPath;
  }

  /** Stops listening, ends open control connections and removes the socket file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    claimedPaths.delete(this.actualPath);
    const server = this.server;
    if (!server) return;
    server.close();
    for (const s of this.sockets) s.destroy();
    if (this.ino !== undefined) unlinkIfOurs(this.actualPath, this.ino);
    untrackPath(this.actualPath);
  }

  private async open(): Promise<void> {
    for (let n = 1; ; n++) {
      const path = n === 1 ? this.options.path : this.options.path.replace(/(\.sock)?$/, `-${n}$1`);
      if (openPaths.has(path) || claimedPaths.has(path)) {
        if (this.options.explicit) throw new ControlSocketInUseError(path);
        continue;
      }
      claimedPaths.add(path); // synchronously, before the first await: a second instance takes the next suffix
      try {
        await prepareSocketPath(path, this.options.explicit ? 'shared' : 'private');
      } catch (error) {
        claimedPaths.delete(path);
        if (error instanceof ControlSocketInUseError && !this.options.explicit && n < 20) continue;
        throw error;
      }
      this.actualPath = path;
      break;
    }
    if (this.closed) return;
    if (!this.options.explicit) void pruneStaleSockets(dirname(this.actualPath));
    const server = createServer({ maxHeaderSize: MAX_CONTROL_BODY_BYTES, requestTimeout: 10000, headersTimeout: 5000, keepAliveTimeout: 5000 }, this.options.handler ?? controlHandler(this.zd, this.actualPath));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const body = JSON.stringify({ error: tooLarge ? { code: 'ZERODOWN_CONTROL_TOO_LARGE', message: `request headers exceed ${MAX_CONTROL_BODY_BYTES} bytes` } : { code: 'ZERODOWN_CONTROL_BAD_REQUEST', message: 'malformed HTTP request' } }) + '\n';
      socket.end(`HTTP/1.1 ${tooLarge ? '413 Payload Too Large' : '400 Bad Request'}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // bind with a umask that leaves the socket owner-only from its first instant; chmod again after
      let previous: number | undefined;
      try {
        previous = process.umask(0o177);
      } catch {
        // worker threads cannot change the umask: the chmod below still runs before any request is served
      }
      try {
        server.listen(this.actualPath, () => {
          server.removeListener('error', reject);
          try {
            chmodSync(this.actualPath, 0o600);
            resolve();
          } catch (error) {
            server.close();
            reject(error);
          }
        });
      } finally {
        if (previous !== undefined) process.umask(previous);
      }
    });
    server.unref();
    server.on('error', (error) => this.zd.logger.error({ err: error }, 'zerodown: control channel error'));
    this.ino = lstatSync(this.actualPath).ino;
    trackPath(this.actualPath, this.ino);
    if (this.closed) {
      this.closed = false;
      this.close();
      return;
    }
    this.zd.logger.debug({ socket: this.actualPath }, `zerodown: control channel listening on ${this.actualPath}`);
  }
}

/** Starts the control channel of a zerodown instance (see {@link ControlChannel}). */
export function startControlChannel(zd: ControlTarget, options: ControlChannelOptions): ControlChannel {
  return new ControlChannel(zd, options);
}
