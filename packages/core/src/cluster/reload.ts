import { ReloadFailedError } from './errors';
import { describeRelease, type Release } from './release';
import { NotReadyError, type WorkerHandle } from './worker-handle';

/** One progress line of a reload. */
export interface ReloadEvent {
  /** `start`, `fork`, `ready`, `drain`, `done`, `failed`. */
  step: 'start' | 'fork' | 'ready' | 'drain' | 'done' | 'failed';
  message: string;
  pid?: number;
  /** Elapsed since the reload started (ms). */
  elapsedMs: number;
}

/** What a finished reload did. */
export interface ReloadResult {
  ok: true;
  release: Release;
  /** Pids of the new workers. */
  started: number[];
  /** Pids of the old workers, each drained (some may still be finishing their in-flight requests). */
  replaced: number[];
  durationMs: number;
}

/** What {@link runReload} needs from the master. */
export interface ReloadContext {
  /** Workers to end up with (N). */
  workers: number;
  /** New workers started at once (K); never more than N + K alive. */
  surge: number;
  readyTimeoutMs: number;
  minUptimeMs: number;
  workerDrainTimeoutMs: number;
  /** Every live worker process (serving, starting or draining). */
  alive(): WorkerHandle[];
  /** Starts a worker on `release`, on probation (its exit is the reload's to handle, not a crash). */
  fork(release: Release): WorkerHandle;
  /** The worker passed probation: from now on its exit is a crash. */
  adopt(w: WorkerHandle): void;
  /** True when the master started stopping: the reload ends. */
  stopping(): boolean;
}

/**
 * The Unicorn dance: start K new workers on `release`, wait until each is ready (and stays up
 * `minUptimeMs`), then drain K old ones (the least busy first, so a long request gets the most time);
 * repeat until N new workers serve. Before each start it waits until N + K processes at most would be
 * alive. A new worker that exits or is not ready in time stops the reload: the new workers of that
 * step are killed, the old ones keep serving, and a {@link ReloadFailedError} carries the reason and
 * the worker's last stderr lines.
 */
export async function runReload(ctx: ReloadContext, release: Release, progress: (e: ReloadEvent) => void): Promise<ReloadResult> {
  const t0 = performance.now();
  const say = (step: ReloadEvent['step'], message: string, pid?: number): void => progress({ step, message, pid, elapsedMs: Math.round(performance.now() - t0) });
  const old = ctx.alive().filter((w) => w.state !== 'draining');
  const fresh = new Set<WorkerHandle>();
  const started: number[] = [];
  const replaced: number[] = [];
  say('start', `replacing ${old.length} worker(s) with ${ctx.workers} on ${describeRelease(release)}`);

  while (started.length < ctx.workers) {
    const k = Math.min(ctx.surge, ctx.workers - started.length);
    // capacity: never more than N + K processes, draining ones included
    while (ctx.alive().length + k > ctx.workers + ctx.surge) {
      const draining = ctx.alive().filter((w) => w.state === 'draining');
      if (draining.length === 0) break;
      await Promise.race(draining.map((w) => w.exited));
    }
    if (ctx.stopping()) throw stopped(ctx);
    const batch = Array.from({ length: k }, () => ctx.fork(release));
    for (const w of batch) say('fork', `started worker ${w.pid}`, w.pid);
    const outcomes = await Promise.allSettled(batch.map((w) => w.whenReady(ctx.readyTimeoutMs, ctx.minUptimeMs)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      await Promise.all(batch.map((w) => w.stop()));
      const e = failed.reason instanceof NotReadyError ? failed.reason : new NotReadyError(String(failed.reason), []);
      const kept = ctx.alive().filter((w) => w.state === 'ready').map((w) => w.pid);
      const message = `reload failed: ${e.reason}; stopped the new worker(s) ${batch.map((w) => w.pid).join(', ')}; ${kept.length} worker(s) keep serving (${kept.join(', ')})`;
      say('failed', message);
      throw new ReloadFailedError(e.reason, message, e.stderr);
    }
    if (ctx.stopping()) throw stopped(ctx);
    for (const w of batch) {
      fresh.add(w);
      ctx.adopt(w);
      started.push(w.pid);
      say('ready', `worker ${w.pid} is ready`, w.pid);
    }
    // the old workers still serving (one respawned after a crash during the reload included)
    const serving = ctx.alive().filter((w) => !fresh.has(w) && w.state === 'ready');
    const load = await Promise.all(serving.map(async (w) => ({ w, inflight: (await w.status(1000))?.inflight ?? 0 })));
    load.sort((a, b) => a.inflight - b.inflight);
    const last = started.length >= ctx.workers;
    for (const { w, inflight } of last ? load : load.slice(0, k)) {
      void w.drain('reload', ctx.workerDrainTimeoutMs);
      replaced.push(w.pid);
      say('drain', `draining old worker ${w.pid} (${inflight} in flight)`, w.pid);
    }
  }
  const durationMs = Math.round(performance.now() - t0);
  say('done', `reloaded: ${started.length} worker(s) on ${describeRelease(release)} (${started.join(', ')}) in ${durationMs} ms`);
  return { ok: true, release, started, replaced, durationMs };
}

function stopped(ctx: ReloadContext): ReloadFailedError {
  return new ReloadFailedError('the master is stopping', `reload stopped: the master is stopping (${ctx.alive().length} worker(s) alive)`, []);
}
