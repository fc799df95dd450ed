import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2Session, ServerHttp2Stream } from 'node:http2';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { InflightCounter } from './inflight';

/** Anything with node:http's server events: http, https, http2 (incl. allowHTTP1). */
export interface AttachableServer {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  prependListener(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  listeners(event: string): unknown[];
  listenerCount(event: string): number;
  close(callback?: (err?: Error) => void): unknown;
  readonly listening: boolean;
  keepAliveTimeout?: number;
  headersTimeout?: number;
}

/** Answers a request before the app (probes, load shedding); returns true when it answered. */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Tells from a request URL's second character that a {@link FrontHandler} would not answer it (so it
 * is not called): 1 at the char codes (< 128) it may answer (`Probes.gate()`).
 */
export type FrontGate = Uint8Array;

/** A server's `'request'` listener. */
export type RequestListener = (this: unknown, req: IncomingMessage, res: ServerResponse) => void;

// `_httpMessage` is node:http's (long-stable) pointer from a socket to the response being written on it.
// Reading it at stop time avoids holding a reference to every response between requests, which keeps
// responses alive across young-generation GCs and costs measurably under load.
// A socket that ever pipelined requests (a response queued behind another) never gets
// `Connection: close` on a response that may have others queued behind it: node would drop them.
const kPipelined = Symbol('zerodown.pipelined');
type TrackedSocket = Socket & { _httpMessage?: ServerResponse | null; [kPipelined]?: true };

/**
 * Tracks sockets, HTTP/2 sessions and in-flight requests of one server, and closes them gracefully on
 * stop: responses after the stop carry `Connection: close`, idle keep-alive sockets are closed only
 * when no request is on them, HTTP/2 sessions get GOAWAY.
 */
export class ServerTracker {
  /**
   * Open HTTP/1 sockets, each removed at its `'close'`. A socket destroyed but not closed yet (its
   * `'close'` comes a tick later) is skipped wherever the set is read.
   */
  private readonly sockets = new Set<TrackedSocket>();
  private readonly sessions = new Set<Http2Session>();
  /** Upgraded (WebSocket) sockets: the app's, but cut and reported at the deadline if still open. */
  private readonly upgraded = new Set<Socket>();
  private stopping = false;
  /** True from the stop on, or while someone waits for idle: HTTP/1 responses are counted one by one. */
  private counting = false;
  private closed: Promise<void> | undefined;
  private readonly connectionEvent: 'connection' | 'secureConnection';
  private readonly handlers: Array<[string, (...args: never[]) => void]>;
  private readonly wrapped: RequestListener[];
  private readonly armed = new WeakSet<ServerResponse>();
  private readonly onArmedClose: (this: ServerResponse) => void;

  /**
   * `front`, when given, answers probe paths (and sheds load) before the app's own request listener:
   * the tracker replaces the server's request listener(s) with one that tracks the request, asks
   * `front`, then calls the original(s) — one listener per request, and probes never pass through the
   * app's middleware (sessions, auth, body parsers).
   */
  constructor(
    readonly server: AttachableServer,
    private readonly inflight: InflightCounter,
    front?: FrontHandler,
    /** When given, `front` is called only for URLs it lets through. */
    gate?: FrontGate,
    /** Maps a request listener to the one called instead (a `zd.requestListener` wrapper to its handler: `front` answers probes already). */
    unwrap?: (listener: RequestListener) => RequestListener,
  ) {
    this.connectionEvent = server instanceof TlsServer ? 'secureConnection' : 'connection';
    // HTTP/2 connections are handled per session (GOAWAY), never as HTTP/1 sockets
    const isHttp2 = typeof (server as { updateSettings?: unknown }).updateSettings === 'function';
    const tracker = this;
    // Before the stop nothing is added per request: a socket's `_httpMessage` says whether a response is
    // being written on it. From the stop on, every response still in flight (and every request that
    // still arrives on an open connection) is "armed": counted until its 'close'.
    const onArmedClose = function (this: ServerResponse): void {
      const socket = this.req?.socket as TrackedSocket | null | undefined;
      if (socket && !socket.destroyed) {
        const next = socket._httpMessage;
        if (next && next !== this) tracker.arm(next); // a pipelined response took over the socket (counted before this one ends)
        else if (!next && tracker.stopping) endWhenFlushed(socket); // idle now: close it (an idle() wait alone closes nothing)
      }
      tracker.inflight.dec();
    };
    this.onArmedClose = onArmedClose;
    const onStreamClose = (): void => tracker.inflight.dec();
    this.handlers = [
      [this.connectionEvent, (socket: TrackedSocket) => {
        if (isHttp2 && (this.connectionEvent === 'connection' || (socket as TrackedSocket & { alpnProtocol?: string | false }).alpnProtocol === 'h2')) return;
        tracker.add(socket);
      }],
      ['request', onRequest],
      ['session', (session: Http2Session) => {
        tracker.sessions.add(session);
        session.once('close', () => tracker.sessions.delete(session));
        if (tracker.stopping) session.close();
      }],
      ['stream', (stream: ServerHttp2Stream) => {
        tracker.inflight.inc();
        stream.once('close', onStreamClose);
      }],
    ];
    // wrap the app's request listener(s) when there are any; otherwise only observe
    this.wrapped = server.listeners('request') as RequestListener[];
    /** The listeners as the app registered them (what a pass-through tracker calls: {@link passthrough}). */
    const registered = [...this.wrapped];
    const originals = front !== undefined && unwrap !== undefined ? registered.map(unwrap) : registered;
    const single = originals.length === 1 ? originals[0]! : undefined;
    let passthrough = false;
    this.passthrough = () => (passthrough = true);
    function onRequest(this: unknown, req: IncomingMessage | Http2ServerRequest, res: ServerResponse): void {
      if (passthrough) {
        // detached, but another tracker wrapped this listener: the app's listeners only
        for (const fn of registered) fn.call(this, req as IncomingMessage, res);
        return;
      }
      // node:http assigns the socket at once unless the response is queued behind a pipelined one
      if (res.socket === null) (req.socket as TrackedSocket)[kPipelined] = true;
      if (tracker.counting && req.httpVersionMajor !== 2) {
        // (HTTP/2 requests are counted per stream)
        tracker.arm(res);
        // (before the stop it is counted for an idle() wait only)
        if (tracker.stopping) {
          if (res.socket !== null) res.setHeader('connection', 'close');
          else {
            // queued behind the current response: that one must not close the connection before this one
            const current = (req.socket as TrackedSocket)._httpMessage;
            if (current && !current.headersSent) current.removeHeader('connection');
          }
        }
      }
      if (originals.length === 0) return; // observing only: the app's listener runs after this one
      // answer probes first (also when other request listeners were added after attach: an observer, or a
      // dispatcher such as engine.io's that calls this one; a second listener answering every request
      // would be a broken app anyway). The gate inline, not a call: one more function compiled on the
      // request path costs more than the check.
      if (front !== undefined) {
        const url = req.url;
        let c: number;
        if ((gate === undefined || (url !== undefined && (c = url.charCodeAt(1)) < 128 && gate[c] === 1)) && front(req as IncomingMessage, res)) return;
      }
      if (single !== undefined) single.call(this, req as IncomingMessage, res);
      else for (const fn of originals) fn.call(this, req as IncomingMessage, res);
    }
    // Upgraded sockets (WebSockets) belong to the app from their 'upgrade' on (zd.trackUpgrades closes
    // them). The tracker listens to 'upgrade' only while the app does: with any 'upgrade' listener node
    // hands a request carrying an Upgrade header (curl --http2 sends `Upgrade: h2c`) to 'upgrade' instead
    // of 'request', where nobody would answer it. ('newListener' fires before the add, 'removeListener' after.)
    const onUpgrade = (req: IncomingMessage): void => {
      const socket = req.socket as TrackedSocket;
      tracker.sockets.delete(socket);
      tracker.upgraded.add(socket);
      socket.once('close', () => tracker.upgraded.delete(socket));
    };
    this.onUpgrade = onUpgrade;
    this.handlers.push(
      ['newListener', (event: string | symbol, fn: unknown) => {
        if (event === 'upgrade' && fn !== onUpgrade && !server.listeners('upgrade').includes(onUpgrade)) server.prependListener('upgrade', onUpgrade as (...args: unknown[]) => void);
      }],
      ['removeListener', (event: string | symbol) => {
        if (event === 'upgrade' && server.listenerCount('upgrade') === 1 && server.listeners('upgrade')[0] === onUpgrade) server.removeListener('upgrade', onUpgrade as (...args: unknown[]) => void);
      }],
    );
    if (server.listenerCount('upgrade') > 0) server.prependListener('upgrade', onUpgrade as (...args: unknown[]) => void);
    for (const fn of this.wrapped) server.removeListener('request', fn as (...args: unknown[]) => void);
    for (const [event, fn] of this.handlers) {
      if (event === 'request' && originals.length > 0) server.on(event, fn as (...args: unknown[]) => void);
      else if (event === this.connectionEvent) this.connectionHandler = wrapConnectionListener(server, event, fn as (socket: TrackedSocket) => void);
      else server.prependListener(event, fn as (...args: unknown[]) => void);
    }
  }

  /** What the tracker put on the server's connection event: the wrapped listener, or its own prepended one. */
  private connectionHandler: ConnectionWrap | undefined;
  /** Makes the request listener call the app's listeners only (set by detach when it cannot remove it). */
  private readonly passthrough: () => void;
  /** The tracker's 'upgrade' listener (on the server while the app has one of its own). */
  private readonly onUpgrade: (req: IncomingMessage) => void;

  private add(socket: TrackedSocket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** The open sockets (destroyed ones are removed first). */
  private open(): Set<TrackedSocket> {
    for (const s of this.sockets) if (s.destroyed) this.sockets.delete(s);
    return this.sockets;
  }

  /** HTTP/1 responses in flight that are not armed yet (before the stop); O(connections), on demand. */
  unarmedInflight(): number {
    if (this.counting) return 0;
    let n = 0;
    for (const socket of this.open()) {
      const res = socket._httpMessage;
      if (res && !this.armed.has(res)) n++;
    }
    return n;
  }

  /**
   * Counts every HTTP/1 response one by one from now on (for an idle() wait), until `watch(false)`;
   * a stopped tracker always counts. Responses already counted stay counted until they close.
   */
  watch(on: boolean): void {
    if (this.stopping || this.counting === on) return;
    this.counting = on;
    if (on) for (const socket of this.open()) if (socket._httpMessage) this.arm(socket._httpMessage);
  }

  /**
   * Responses counted in flight whose request is still arriving (headers parsed, body incomplete) and
   * whose response has not started: a partial request, not in flight for the drain.
   */
  partialRequests(): number {
    let n = 0;
    for (const socket of this.sockets) if (!socket.destroyed && isPartial(socket._httpMessage)) n++;
    return n;
  }

  /**
   * Once no request is in flight: closes the sockets with no response in progress (idle keep-alive,
   * connections that never sent a byte or sent part of their headers: end, then destroy once flushed)
   * and destroys those whose request body is still arriving. With `idle` false (an idle grace is
   * running: its timers close the idle ones), only the latter. Returns what it closed.
   */
  closeLeftovers(idle = true): ClosedSocket[] {
    const closed: ClosedSocket[] = [];
    for (const socket of this.open()) {
      const res = socket._httpMessage;
      if (!res) {
        if (!idle) continue;
        closed.push({ kind: socket.bytesRead === 0 ? 'idle connection (no byte received)' : 'idle connection (kept alive, or partial request headers)' });
        endWhenFlushed(socket);
      } else if (isPartial(res)) {
        closed.push({ kind: 'partial request body', request: describe(res) });
        socket.destroy();
      }
    }
    return closed;
  }

  private arm(res: ServerResponse): void {
    if (this.armed.has(res) || res.closed) return;
    this.armed.add(res);
    this.inflight.inc();
    res.once('close', this.onArmedClose);
  }

  /** Number of open connections (HTTP/1 sockets plus HTTP/2 sessions). */
  get connections(): number {
    return this.open().size + this.sessions.size;
  }

  /**
   * Stops accepting new connections and starts closing the open ones gracefully. Returns a promise
   * that resolves when the server has closed (every connection gone). With `idleGraceMs` > 0, an idle
   * keep-alive connection is closed only after it stayed idle that long: a client still using it gets
   * its next response with `Connection: close` instead of racing a close (under `zerodown serve`).
   */
  stop(idleGraceMs = 0): Promise<void> {
    if (this.closed) return this.closed;
    this.stopping = true;
    this.counting = true;
    let closed: Promise<void> = Promise.resolve();
    // a master-driven worker drain keeps idle keep-alive sockets for a grace period (a client may be
    // sending on one right now); otherwise node:http closes the idle ones at once
    const graceful = idleGraceMs > 0 && this.server instanceof NetServer;
    sparingSlowReaders(this.sockets, () => {
      closed = closeServer(this.server, graceful);
      // idle keep-alive connections: node:http knows which ones are not receiving a request right now
      if (!graceful) (this.server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    });
    this.closed = closed;
    if (graceful) this.closeWhenIdleFor(idleGraceMs);
    for (const socket of this.sockets) {
      const res = socket._httpMessage;
      if (!res) continue;
      if (!res.headersSent && !socket[kPipelined]) res.setHeader('connection', 'close');
      this.arm(res);
    }
    for (const session of this.sessions) session.close();
    return this.closed;
  }

  private closeWhenIdleFor(ms: number): void {
    for (const socket of this.open()) {
      if (socket._httpMessage) continue;
      const t = setTimeout(() => {
        if (!socket._httpMessage) endWhenFlushed(socket);
      }, ms);
      t.unref();
      socket.once('close', () => clearTimeout(t));
    }
  }

  /**
   * At the deadline: answers `503` + `Connection: close` where a response was not started (ending the
   * connection after it), destroys every other connection still open (started responses, idle and
   * partial requests, upgraded sockets, HTTP/2 sessions) and returns what it cut.
   */
  cutAll(): ClosedSocket[] {
    const cut: ClosedSocket[] = [];
    for (const socket of this.open()) {
      if (socket.destroyed) continue;
      const res = socket._httpMessage;
      if (!res) {
        cut.push({ kind: 'idle connection' });
        socket.destroy();
      } else if (isPartial(res)) {
        cut.push({ kind: 'partial request body', request: describe(res) });
        socket.destroy();
      } else if (!res.headersSent && !socket[kPipelined]) {
        cut.push({ kind: 'request in flight', request: describe(res), answered503: true });
        res.on('error', ignore); // the app may still write to it
        res.writeHead(503, { connection: 'close', 'content-type': 'text/plain', 'retry-after': '1' });
        res.end('Service Unavailable: the server is shutting down\n');
        socket.once('finish', () => socket.destroy());
      } else {
        cut.push({ kind: 'request in flight', request: describe(res) });
        socket.destroy();
      }
    }
    for (const socket of this.upgraded) {
      if (socket.destroyed) continue;
      cut.push({ kind: 'upgraded socket' });
      socket.destroy();
    }
    for (const session of this.sessions) {
      if (session.destroyed) continue;
      cut.push({ kind: 'h2 session' });
      session.destroy();
    }
    return cut;
  }

  /** Removes every listener this tracker added. */
  detach(): void {
    let restore = true;
    for (const [event, fn] of this.handlers) {
      if (event === this.connectionEvent && this.connectionHandler) this.connectionHandler = unwrapConnectionListener(this.server, event, this.connectionHandler);
      else if (event === 'request' && this.wrapped.length > 0 && !this.server.listeners('request').includes(fn)) {
        // someone (another instance's tracker) wrapped this listener in turn: it stays in their chain,
        // calling the app's listeners only, and they are not added back a second time
        this.passthrough();
        restore = false;
      } else this.server.removeListener(event, fn as (...args: unknown[]) => void);
    }
    this.server.removeListener('upgrade', this.onUpgrade as (...args: unknown[]) => void);
    if (restore) for (const fn of this.wrapped) this.server.on('request', fn as (...args: unknown[]) => void);
    this.wrapped.length = 0;
  }
}

/** A connection closed by the drain, for the log: what it was and, for a request, `METHOD path`. */
export interface ClosedSocket {
  kind: 'idle connection' | 'idle connection (no byte received)' | 'idle connection (kept alive, or partial request headers)' | 'partial request body' | 'request in flight' | 'upgraded socket' | 'h2 session';
  request?: string;
  /** The request got `503` + `Connection: close` (its response had not started). */
  answered503?: true;
}

/**
 * Puts `track` in front of the server's own connection listener: when the server has exactly one
 * (node:http's), it is replaced by a single function that calls `track` then it; otherwise `track` is
 * prepended. Measured (bench/instructions.js, issue 9's method): the prepended `track` cost node:http
 * 391.3k instructions per request against 379.3k wrapped (bare 378.7k), Fastify 425.8k against 416.2k —
 * TurboFan compiling node's connection and request path differently, not work done per request (a no-op
 * listener prepended beside the wrapper measured nothing).
 */
function wrapConnectionListener(server: AttachableServer, event: string, track: (socket: TrackedSocket) => void): ConnectionWrap {
  const raw = (server as { rawListeners?: (event: string) => unknown[] }).rawListeners?.(event) ?? [];
  const own = server.listeners(event);
  if (raw.length === 1 && raw[0] === own[0] && typeof own[0] === 'function') {
    const original = own[0] as (this: unknown, socket: TrackedSocket) => void;
    const h: ConnectionWrap = {
      fn: function (this: unknown, socket: TrackedSocket): void {
        if (!h.disabled) track(socket);
        original.call(this, socket);
      } as (...args: unknown[]) => void,
      wrapped: original as (...args: unknown[]) => void,
      disabled: false,
    };
    server.removeListener(event, original as (...args: unknown[]) => void);
    server.on(event, h.fn);
    return h;
  }
  server.prependListener(event, track as (...args: unknown[]) => void);
  return { fn: track as (...args: unknown[]) => void, disabled: false };
}

/** What {@link wrapConnectionListener} put on the server. */
interface ConnectionWrap {
  fn: (...args: unknown[]) => void;
  /** The server's own listener that `fn` calls (undefined: `fn` was prepended beside it). */
  wrapped?: (...args: unknown[]) => void;
  /** Set when `fn` could not be taken off the server: it then only calls `wrapped`. */
  disabled: boolean;
}

/**
 * Undoes {@link wrapConnectionListener}: the server's own listener goes back first in line. When the
 * wrapper is no longer on the server (another tracker wrapped it in turn), it stays in that chain and
 * only calls the server's listener from then on (putting that back too would run it twice per socket).
 */
function unwrapConnectionListener(server: AttachableServer, event: string, h: ConnectionWrap): undefined {
  if (h.wrapped && !server.listeners(event).includes(h.fn)) {
    h.disabled = true;
    return undefined;
  }
  server.removeListener(event, h.fn);
  if (h.wrapped) server.prependListener(event, h.wrapped);
  return undefined;
}

function isPartial(res: ServerResponse | null | undefined): boolean {
  return !!res && !res.headersSent && res.req !== undefined && !res.req.complete;
}

function describe(res: ServerResponse): string {
  return `${res.req?.method ?? '?'} ${(res.req?.url ?? '?').split('?')[0]}`;
}

function ignore(): void {}

/**
 * Runs `fn` (server.close(), closeIdleConnections()) without node destroying a slow reader: node:http
 * (19+) closes "idle" connections on close(), counting a response as done once `end()` was called,
 * even while most of it still waits in the socket's buffer for a client that reads slowly. Such
 * responses are marked unfinished for the duration of the synchronous call.
 */
function sparingSlowReaders(sockets: Iterable<TrackedSocket>, fn: () => void): void {
  const spared: Array<ServerResponse & { finished: boolean }> = [];
  for (const socket of sockets) {
    const res = socket._httpMessage as (ServerResponse & { finished: boolean }) | null | undefined;
    if (res && res.finished && !res.writableFinished) {
      res.finished = false;
      spared.push(res);
    }
  }
  try {
    fn();
  } finally {
    for (const res of spared) res.finished = true;
  }
}

function endWhenFlushed(socket: Socket): void {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end();
  socket.once('finish', () => socket.destroy());
}

function closeServer(server: AttachableServer, keepIdle = false): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    // node:http's close() also closes idle connections at once; net's close() only stops accepting
    if (keepIdle) NetServer.prototype.close.call(server as unknown as NetServer, () => resolve());
    else server.close(() => resolve());
  });
}
