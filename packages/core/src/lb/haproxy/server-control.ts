import { sleep } from '../../util/time';
import { runWithDeadline, type Deadline } from '../deadline';
import { MinHealthyError } from '../errors';
import type { LbProgress, LbProgressListener } from '../progress';
import { withRetry, type RetryOptions } from '../retry';
import type { HaproxyServerStat, HaproxyServerState } from './parse';
import { isTransientHaproxyError } from './retryable';
import type { HaproxyRuntimeClient } from './runtime-api';

/** Options of {@link drainServer} and {@link readyServer}. */
export interface HaproxyWaitOptions {
  signal?: AbortSignal;
  /** Deadline (ms). Default 600000. */
  timeoutMs?: number;
  /** Poll interval (ms). Default 250. */
  pollIntervalMs?: number;
  /** For {@link drainServer}: the app's in-flight count; 0 counts as emptied even if HAProxy still counts a session. */
  inflight?: () => number;
  /** Return once the state is set, without waiting. */
  noWait?: boolean;
  onProgress?: LbProgressListener;
  /** For {@link drainServer}: other servers of the backend that must be UP (running, not in drain or maintenance) first. Default 1. */
  minHealthy?: number;
  /** For {@link drainServer}: skip the `minHealthy` check. */
  force?: boolean;
  /** For {@link drainServer}: a refusal of the `minHealthy` guard is reported here and the server drained anyway. */
  onGuardBypassed?: (refusal: MinHealthyError) => void;
  /** For {@link drainServer}: called once the guard passed (or was bypassed), before `set server ... state drain`. */
  onDeregistering?: () => void;
  /** Full-jitter retries of runtime-API commands that failed transiently (see `isTransientHaproxyError`), within the deadline. */
  retry?: RetryOptions;
  /** Told about each retry (the error and the backoff before the next attempt). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Defaults of the HAProxy waits. */
export const HAPROXY_DEFAULTS = { pollIntervalMs: 250, timeoutMs: 600000, minHealthy: 1 } as const;

type Progress = (phase: LbProgress['phase'], s: HaproxyServerStat, message: string) => void;
/** Runs one runtime-API command, retrying transient failures with full jitter until the deadline. */
type Retrying = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

async function run(what: string, options: HaproxyWaitOptions, fn: (dl: Deadline, progress: Progress, retrying: Retrying) => Promise<void>, label: string, backend: string): Promise<void> {
  await runWithDeadline(what, options.timeoutMs ?? HAPROXY_DEFAULTS.timeoutMs, options.signal, (dl) =>
    fn(
      dl,
      (phase, s, message) => {
        dl.lastStates[label] = `${s.status}, ${s.currentSessions} session(s)${s.checkStatus ? `, check ${s.checkStatus}` : ''}`;
        try {
          options.onProgress?.({ phase, target: label, group: backend, state: s.status, reason: s.checkStatus, elapsedMs: dl.elapsed(), deadlineMs: dl.deadlineMs, message });
        } catch {
          // a progress listener must not break the operation
        }
      },
      (call) =>
        withRetry(() => call(dl.signal), isTransientHaproxyError, dl.signal, options.retry, (error, attempt, delayMs) => {
          dl.lastError = (error as Error).message;
          try {
            options.onRetry?.(error, attempt, delayMs);
          } catch {
            // a listener must not break the operation
          }
        }),
    ),
  );
}

/** True when a server takes traffic: running, and neither in maintenance nor draining. */
function isUp(s: HaproxyServerState): boolean {
  return s.opState === 'running' && s.adminFlags.length === 0;
}

/** Throws a {@link MinHealthyError} when fewer than `minHealthy` other servers of the backend are up. */
function checkMinHealthy(rows: HaproxyServerState[], backend: string, server: string, minHealthy: number): void {
  const others = rows.filter((r) => r.backend === backend && r.server !== server);
  const healthy = others.filter(isUp).length;
  if (healthy >= minHealthy) return;
  const list = others.map((r) => `${r.server} ${r.opState}${r.adminFlags.length ? ` (${r.adminFlags.join(',')})` : ''}`).join(', ') || 'none';
  throw new MinHealthyError(
    `refusing to drain ${backend}/${server} in HAProxy: only ${healthy} other server(s) of backend ${backend} are up, at least ${minHealthy} required (other servers: ${list}). Use force to drain anyway.`,
    backend,
    healthy,
    minHealthy,
  );
}

/**
 * Checks that at least `minHealthy` other servers of the backend are up (`show servers state`; unless `force`),
 * then sets the server to `drain` (no new connections, health checks go on) and waits until HAProxy counts no
 * current session on it, or the app reports nothing in flight. A guard refusal throws a {@link MinHealthyError}
 * before the state is changed (or, with `onGuardBypassed`, is reported there and the server drained anyway).
 */
export function drainServer(client: HaproxyRuntimeClient, backend: string, server: string, options: HaproxyWaitOptions = {}): Promise<void> {
  const label = `${backend}/${server}`;
  return run(`draining ${label} in HAProxy (waiting for 0 current sessions)`, options, async (dl, progress, retrying) => {
    const minHealthy = options.minHealthy ?? HAPROXY_DEFAULTS.minHealthy;
    if (!options.force && minHealthy > 0) {
      const rows = await retrying((signal) => client.serversState(backend, signal));
      const self = rows.find((r) => r.backend === backend && r.server === server);
      // a server already put out of rotation (drain or maintenance) takes nothing away from the others
      if (self && self.adminFlags.length === 0) {
        try {
          checkMinHealthy(rows, backend, server, minHealthy);
        } catch (error) {
          if (!(error instanceof MinHealthyError) || !options.onGuardBypassed) throw error;
          options.onGuardBypassed(error);
        }
      }
    }
    options.onDeregistering?.();
    await retrying((signal) => client.setServerState(backend, server, 'drain', signal));
    for (;;) {
      const s = await retrying((signal) => client.serverStat(backend, server, signal));
      if (options.noWait) return progress('deregister', s, 'drain set');
      if (s.currentSessions === 0) return progress('deregister', s, 'drained: no current session');
      const n = options.inflight?.();
      if (n === 0) return progress('deregister', s, 'draining, and no request is in flight here: done');
      progress('deregister', s, `draining, ${s.currentSessions} session(s)${n === undefined ? '' : `, ${n} request(s) in flight here`}`);
      await sleep(options.pollIntervalMs ?? HAPROXY_DEFAULTS.pollIntervalMs, dl.signal);
    }
  }, label, backend);
}

/** Sets the server to `ready` and waits until HAProxy reports it `UP` (its health check passes). */
export function readyServer(client: HaproxyRuntimeClient, backend: string, server: string, options: HaproxyWaitOptions = {}): Promise<void> {
  const label = `${backend}/${server}`;
  return run(`making ${label} ready in HAProxy (waiting for UP)`, options, async (dl, progress, retrying) => {
    await retrying((signal) => client.setServerState(backend, server, 'ready', signal));
    for (;;) {
      const s = await retrying((signal) => client.serverStat(backend, server, signal));
      if (options.noWait) return progress('register', s, 'ready set');
      if (/^UP\b/.test(s.status) || s.status === 'no check') return progress('register', s, 'UP');
      progress('register', s, `${s.status}: waiting for the health check to pass`);
      await sleep(options.pollIntervalMs ?? HAPROXY_DEFAULTS.pollIntervalMs, dl.signal);
    }
  }, label, backend);
}
