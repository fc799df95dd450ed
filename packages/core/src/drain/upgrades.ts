import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ZerodownConfigError } from '../errors';
import type { Timers } from '../util/time';
import type { AttachableServer } from './server-tracker';

/** The part of a `ws` WebSocket (or compatible) the drain uses. */
export interface WebSocketLike {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** The part of a `ws` WebSocketServer (or compatible) the drain uses: its live clients. */
export interface WebSocketServerLike {
  readonly clients: Set<WebSocketLike>;
}

/** WebSocket close code 1001 "going away": the server is shutting down. */
export const GOING_AWAY = 1001;
const CLOSED = 3; // WebSocket.CLOSED
// an unmasked server frame: FIN + close opcode, 2-byte payload = 1001
const CLOSE_FRAME_1001 = Buffer.from([0x88, 0x02, 0x03, 0xe9]);

/** How long a WebSocket peer gets to answer the close frame before its socket is destroyed. */
export const UPGRADE_CLOSE_GRACE_MS = 2000;

type Closer = (timers: Timers) => Promise<number>;

/**
 * Upgraded connections the drain closes at its stop step, before waiting for in-flight requests:
 * a `ws` WebSocketServer's clients get `close(1001)`; raw upgraded sockets of a server get a 1001
 * close frame (when the upgrade was to `websocket`) and are ended. A peer that does not close within
 * {@link UPGRADE_CLOSE_GRACE_MS} is destroyed.
 */
export class UpgradeClosers {
  private readonly closers = new Set<Closer>();

  /** Registers a WebSocketServer or an http(s) server whose upgraded sockets the drain closes; returns a disposer. */
  add(target: WebSocketServerLike | AttachableServer): () => void {
    if (target && (target as WebSocketServerLike).clients instanceof Set) {
      const wss = target as WebSocketServerLike;
      const closer: Closer = (timers) => closeAll([...wss.clients], (ws) => closeWebSocket(ws, timers));
      this.closers.add(closer);
      return () => this.closers.delete(closer);
    }
    if (!target || typeof (target as AttachableServer).prependListener !== 'function') {
      throw new ZerodownConfigError('trackUpgrades', 'zd.trackUpgrades: expected a ws WebSocketServer (with .clients) or a node:http(s) server');
    }
    const server = target as AttachableServer;
    const sockets = new Map<Duplex, boolean>();
    const onUpgrade = (req: unknown, socket: unknown): void => {
      const s = socket as Duplex;
      sockets.set(s, String((req as IncomingMessage).headers.upgrade).toLowerCase() === 'websocket');
      s.once('close', () => sockets.delete(s));
    };
    server.prependListener('upgrade', onUpgrade as (...args: unknown[]) => void);
    const closer: Closer = (timers) => closeAll([...sockets], ([s, ws]) => closeSocket(s, ws, timers));
    this.closers.add(closer);
    return () => {
      server.removeListener('upgrade', onUpgrade as (...args: unknown[]) => void);
      this.closers.delete(closer);
    };
  }

  /** Closes every registered upgraded connection; resolves with how many were open once all are closed. */
  async closeAll(timers: Timers): Promise<number> {
    const counts = await Promise.all([...this.closers].map((c) => c(timers)));
    return counts.reduce((a, b) => a + b, 0);
  }
}

async function closeAll<T>(items: T[], close: (item: T) => Promise<void>): Promise<number> {
  await Promise.all(items.map(close));
  return items.length;
}

function closeWebSocket(ws: WebSocketLike, timers: Timers): Promise<void> {
  if (ws.readyState === CLOSED) return Promise.resolve();
  return closeWithGrace(ws, timers, () => ws.close(GOING_AWAY, 'server shutting down'), () => ws.terminate());
}

function closeSocket(socket: Duplex, websocket: boolean, timers: Timers): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return closeWithGrace(socket, timers, () => (websocket ? socket.end(CLOSE_FRAME_1001) : socket.end()), () => socket.destroy());
}

/** Starts a graceful `close()`; resolves on the peer's 'close', or calls `kill()` after the grace. */
function closeWithGrace(peer: { once(event: 'close', fn: () => void): unknown }, timers: Timers, close: () => void, kill: () => void): Promise<void> {
  return new Promise((resolve) => {
    const t = timers.setTimeout(() => {
      kill();
      resolve();
    }, UPGRADE_CLOSE_GRACE_MS);
    peer.once('close', () => {
      timers.clearTimeout(t);
      resolve();
    });
    close();
  });
}
