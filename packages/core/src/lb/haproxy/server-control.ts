import { sleep } from '../../util/time';
import { runWithDeadline, type Deadline } from '../deadline';
import type { LbProgress, LbProgressListener } from '../progress';
import type { HaproxyServerStat } from './parse';
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
}

/** Defaults of the HAProxy waits. */
export const HAPROXY_DEFAULTS = { pollIntervalMs: 250, timeoutMs: 600000 } as const;

async function run(what: string, options: HaproxyWaitOptions, fn: (dl: Deadline, progress: (phase: LbProgress['phase'], s: HaproxyServerStat, message: string) => void) => Promise<void>, label: string, backend: string): Promise<void> {
  await runWithDeadline(what, options.timeoutMs ?? HAPROXY_DEFAULTS.timeoutMs, options.signal, (dl) =>
    fn(dl, (phase, s, message) => {
      dl.lastStates[label] = `${s.status}, ${s.currentSessions} session(s)${s.checkStatus ? `, check ${s.checkStatus}` : ''}`;
      try {
        options.onProgress?.({ phase, target: label, group: backend, state: s.status, reason: s.checkStatus, elapsedMs: dl.elapsed(), deadlineMs: dl.deadlineMs, message });
      } catch {
        // a progress listener must not break the operation
      }
    }),
  );
}

/**
 * Sets the server to `drain` (no new connections, health checks go on) and waits until HAProxy counts no
 * current session on it, or the app reports nothing in flight.
 */
export function drainServer(client: HaproxyRuntimeClient, backend: string, server: string, options: HaproxyWaitOptions = {}): Promise<void> {
  const label = `${backend}/${server}`;
  return run(`draining ${label} in HAProxy (waiting for 0 current sessions)`, options, async (dl, progress) => {
    await client.setServerState(backend, server, 'drain', dl.signal);
    for (;;) {
      const s = await client.serverStat(backend, server, dl.signal);
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
  return run(`making ${label} ready in HAProxy (waiting for UP)`, options, async (dl, progress) => {
    await client.setServerState(backend, server, 'ready', dl.signal);
    for (;;) {
      const s = await client.serverStat(backend, server, dl.signal);
      if (options.noWait) return progress('register', s, 'ready set');
      if (/^UP\b/.test(s.status) || s.status === 'no check') return progress('register', s, 'UP');
      progress('register', s, `${s.status}: waiting for the health check to pass`);
      await sleep(options.pollIntervalMs ?? HAPROXY_DEFAULTS.pollIntervalMs, dl.signal);
    }
  }, label, backend);
}
