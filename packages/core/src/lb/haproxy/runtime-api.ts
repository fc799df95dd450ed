import { connect, type Socket } from 'node:net';
import { ZerodownConfigError } from '../../errors';
import { LoadBalancerError } from '../errors';
import { HaproxyRuntimeError } from './retryable';
import { parseServersState, parseShowStat, type HaproxyServerStat, type HaproxyServerState } from './parse';

/** Where HAProxy's runtime API listens: a UNIX socket path, or TCP. */
export type HaproxySocketAddress = string | { host: string; port: number };

/** Server states settable through the runtime API. */
export type HaproxyServerAdminState = 'ready' | 'drain' | 'maint';

/** Options of {@link HaproxyRuntimeClient}. */
export interface HaproxyRuntimeOptions {
  /** `/run/haproxy/admin.sock`, `unix:/path`, `127.0.0.1:9999`, `tcp://host:port`, or `{ host, port }`. The socket needs `level admin` for `set server`. */
  socket: HaproxySocketAddress;
  /** Timeout of each command (ms). Default 5000. */
  timeoutMs?: number;
}

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Validates a backend or server name: HAProxy allows letters, digits, `-`, `_`, `.`, `:` (so no spaces, `;` or newlines). */
export function checkHaproxyName(field: string, value: string): void {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new ZerodownConfigError(field, `${field} must be an HAProxy name (letters, digits, "-", "_", ".", ":"), got ${JSON.stringify(value)}`);
  }
}

type Endpoint = { path: string } | { host: string; port: number };

function parseAddress(socket: HaproxySocketAddress): Endpoint {
  if (typeof socket === 'object' && socket !== null) {
    if (typeof socket.host !== 'string' || !Number.isInteger(socket.port)) throw new ZerodownConfigError('socket', `socket must be { host, port }, got ${JSON.stringify(socket)}`);
    return { host: socket.host, port: socket.port };
  }
  if (typeof socket !== 'string' || socket.length === 0) throw new ZerodownConfigError('socket', `socket must be a UNIX socket path or host:port, got ${JSON.stringify(socket)}`);
  const s = socket.replace(/^unix:(\/\/)?/, '');
  if (s.startsWith('/') || s.startsWith('.')) return { path: s };
  const m = /^(?:tcp:\/\/|ipv4@)?\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s);
  if (!m) throw new ZerodownConfigError('socket', `socket must be a UNIX socket path (/run/haproxy/admin.sock) or host:port (127.0.0.1:9999), got ${JSON.stringify(socket)}`);
  return { host: m[1]!, port: Number(m[2]) };
}

function emptyAnswer(address: string, cmd: string): HaproxyRuntimeError {
  return new HaproxyRuntimeError(`HAProxy runtime API at ${address} closed the connection without answering "${cmd}" (restarting?)`, true);
}

/**
 * A client of HAProxy's runtime API over its stats socket: one command per connection (non-interactive mode),
 * answer read until HAProxy closes. Names are validated, so nothing can be injected into a command.
 * Each command is tried once; a failure another attempt may fix is a `HaproxyRuntimeError` with
 * `transient: true` (`drainServer`/`readyServer` retry those within their deadline).
 */
export class HaproxyRuntimeClient {
  private readonly endpoint: Endpoint;
  private readonly timeoutMs: number;
  /** Printable address, for messages. */
  readonly address: string;

  constructor(options: HaproxyRuntimeOptions) {
    this.endpoint = parseAddress(options.socket);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.address = 'path' in this.endpoint ? this.endpoint.path : `${this.endpoint.host}:${this.endpoint.port}`;
  }

  /** Sends one raw command and returns HAProxy's answer. Newlines and `;` (command separator) are refused. */
  command(cmd: string, signal?: AbortSignal): Promise<string> {
    if (/[\r\n;]/.test(cmd) || cmd.trim().length === 0) return Promise.reject(new ZerodownConfigError('command', `an HAProxy runtime command must be one line without ";", got ${JSON.stringify(cmd)}`));
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sock: Socket = 'path' in this.endpoint ? connect(this.endpoint.path) : connect(this.endpoint.port, this.endpoint.host);
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        sock.destroy();
        if (error) reject(error);
        else resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const onAbort = (): void => finish(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      sock.setTimeout(this.timeoutMs, () => finish(new HaproxyRuntimeError(`HAProxy runtime API at ${this.address} did not answer "${cmd.split(' ').slice(0, 3).join(' ')}" within ${this.timeoutMs} ms`, true)));
      sock.on('connect', () => sock.write(`${cmd}\n`));
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('end', () => finish());
      sock.on('close', () => finish());
      sock.on('error', (e: NodeJS.ErrnoException) => {
        const hint = e.code === 'ENOENT' ? ' (no such socket: check the `stats socket` line of haproxy.cfg)' : e.code === 'EACCES' ? ' (permission denied: the socket is mode 600, run as its owner or adjust `stats socket ... mode/user`)' : e.code === 'ECONNREFUSED' ? ' (is HAProxy running?)' : '';
        finish(HaproxyRuntimeError.fromSocket(`cannot reach the HAProxy runtime API at ${this.address}: ${e.code ?? e.message}${hint}`, e));
      });
    });
  }

  /** `set server <backend>/<server> state ready|drain|maint`. */
  async setServerState(backend: string, server: string, state: HaproxyServerAdminState, signal?: AbortSignal): Promise<void> {
    checkHaproxyName('backend', backend);
    checkHaproxyName('server', server);
    if (state !== 'ready' && state !== 'drain' && state !== 'maint') throw new ZerodownConfigError('state', `state must be "ready", "drain" or "maint", got ${JSON.stringify(state)}`);
    const answer = (await this.command(`set server ${backend}/${server} state ${state}`, signal)).trim();
    if (answer.length > 0) throw new LoadBalancerError(`HAProxy refused "set server ${backend}/${server} state ${state}": ${answer}`);
  }

  /** `show servers state [backend]`: operational and administrative state of each server. */
  async serversState(backend?: string, signal?: AbortSignal): Promise<HaproxyServerState[]> {
    if (backend !== undefined) checkHaproxyName('backend', backend);
    const answer = await this.command(backend ? `show servers state ${backend}` : 'show servers state', signal);
    if (answer.trim().length === 0) throw emptyAnswer(this.address, 'show servers state');
    if (!/^\s*\d+\s*\n/.test(answer)) throw new LoadBalancerError(`HAProxy refused "show servers state${backend ? ` ${backend}` : ''}": ${answer.trim()}`);
    return parseServersState(answer);
  }

  /** `show stat`: per-server status and current sessions. */
  async stats(signal?: AbortSignal): Promise<HaproxyServerStat[]> {
    const answer = await this.command('show stat', signal);
    if (answer.trim().length === 0) throw emptyAnswer(this.address, 'show stat');
    if (!answer.startsWith('#')) throw new LoadBalancerError(`HAProxy refused "show stat": ${answer.trim()}`);
    return parseShowStat(answer);
  }

  /** One server's `show stat` row; a clear error when HAProxy has no such server. */
  async serverStat(backend: string, server: string, signal?: AbortSignal): Promise<HaproxyServerStat> {
    checkHaproxyName('backend', backend);
    checkHaproxyName('server', server);
    const row = (await this.stats(signal)).find((r) => r.backend === backend && r.server === server);
    if (!row) throw new LoadBalancerError(`HAProxy at ${this.address} has no server ${backend}/${server}`);
    return row;
  }

  /** Current sessions on one server (`scur`). */
  async currentSessions(backend: string, server: string, signal?: AbortSignal): Promise<number> {
    return (await this.serverStat(backend, server, signal)).currentSessions;
  }
}
