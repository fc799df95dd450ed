import { ZerodownConfigError } from '../errors';
import { formatTarget } from './elbv2/target-groups';
import type { LbProgress } from './progress';
import type { DeregisterOptions, Elbv2Target, RegisterOptions, TargetHealth } from './elbv2/types';

/** The target-group operations a rolling run needs (an `Elbv2TargetGroups` fits). */
export interface RollingTargetGroups {
  describe(targetGroupArn?: string, options?: { signal?: AbortSignal }): Promise<TargetHealth[]>;
  deregister(target: Elbv2Target, options?: DeregisterOptions): Promise<void>;
  register(target: Elbv2Target, options?: RegisterOptions): Promise<void>;
}

/** Runs the patch command for one target; resolves with its exit code (0 = success). */
export type RollingExec = (target: Elbv2Target, signal: AbortSignal) => Promise<number>;

/** A step of a rolling run. */
export type RollingStep = 'deregister' | 'exec' | 'register';

/** What a rolling run reports as it goes. */
export type RollingEvent =
  | { type: 'plan'; targets: Elbv2Target[] }
  | { type: 'step'; target: Elbv2Target; step: RollingStep; index: number }
  | { type: 'progress'; target: Elbv2Target; progress: LbProgress }
  | { type: 'done'; target: Elbv2Target; elapsedMs: number }
  | { type: 'failed'; target: Elbv2Target; step: RollingStep; error: string; exitCode?: number }
  | { type: 'restore'; target: Elbv2Target; ok: boolean; error?: string };

/** Options of {@link rollingPatch}. */
export interface RollingOptions {
  targetGroups: RollingTargetGroups;
  exec: RollingExec;
  /** Targets out of the load balancer at once. Default 1. */
  maxUnavailable?: number;
  /** Only these targets (in this order). Default: every target of the groups, in the order described. */
  targets?: Elbv2Target[];
  /** Deadline of each deregister and each register wait (ms). Default: the target groups' own. */
  timeoutMs?: number;
  /** Other healthy targets required before one is pulled. Default: the target groups' own (1). */
  minHealthy?: number;
  /** Skip the `minHealthy` check. */
  force?: boolean;
  /**
   * Deadline (ms) of putting a target back after a failure or an abort. The restore runs under its own
   * signal, so it still happens after `signal` aborted. Default: `timeoutMs`, else {@link ROLLING_RESTORE_TIMEOUT_MS}.
   */
  restoreTimeoutMs?: number;
  /** Stops the run: no new target starts, the command gets its abort, and the target in progress is put back. */
  signal?: AbortSignal;
  onEvent?: (event: RollingEvent) => void;
  /**
   * Called before a target is pulled (fleet guard: take a slot), with the run's signal; a throw fails that
   * target before it is touched.
   */
  beforeTarget?: (target: Elbv2Target, signal: AbortSignal) => Promise<void>;
  /** Called once a target is back, or restored after a failure (fleet guard: give the slot back). */
  afterTarget?: (target: Elbv2Target) => Promise<void>;
}

/** Outcome of {@link rollingPatch}. */
export interface RollingResult {
  ok: boolean;
  targets: string[];
  completed: string[];
  /** Targets never started because the run stopped. */
  skipped: string[];
  /** The run's `signal` aborted (Ctrl-C in the CLI). */
  aborted: boolean;
  failure?: {
    target: string;
    step: RollingStep | 'guard';
    error: string;
    /** The command's exit code when the command failed. */
    exitCode?: number;
    /** The step ran out of time (a load-balancer wait, or the fleet slot wait of `beforeTarget`). */
    timedOut: boolean;
    /**
     * The target had been taken out of the load balancer (its deregistration had started). False when the
     * run stopped before touching it (`beforeTarget` failed, or the run was aborted before it started).
     */
    wasOut: boolean;
    /** The target is in the load balancer: put back (registered and healthy), or never taken out. */
    restored: boolean;
  };
}

/** Every distinct target of the groups, in the order DescribeTargetHealth lists them. */
export async function rollingPlan(targetGroups: RollingTargetGroups, signal?: AbortSignal): Promise<Elbv2Target[]> {
  const seen = new Map<string, Elbv2Target>();
  for (const h of await targetGroups.describe(undefined, { signal })) {
    const t: Elbv2Target = h.target.port !== undefined ? { id: h.target.id, port: h.target.port } : { id: h.target.id };
    if (!seen.has(formatTarget(t))) seen.set(formatTarget(t), t);
  }
  return [...seen.values()];
}

/** Default deadline of putting a target back after a failure or an abort: 10 minutes. */
export const ROLLING_RESTORE_TIMEOUT_MS = 600_000;

const TIMEOUT_CODES = new Set(['ZERODOWN_LB_TIMEOUT', 'ZERODOWN_FLEET_TIMEOUT', 'ZERODOWN_TIMEOUT']);

function isTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; timedOut?: unknown };
  return TIMEOUT_CODES.has(String(e?.code)) || e?.name === 'TimeoutError' || e?.timedOut === true;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A rolling patch across a target group: for each target (at most `maxUnavailable` at a time)
 * deregister and wait until it is out, run the command, register and wait until healthy. Stops at the
 * first failure (no new target starts; targets already out finish), puts the failed target back, and
 * reports. Never throws for a failed target: the result says what happened.
 */
export async function rollingPatch(options: RollingOptions): Promise<RollingResult> {
  const { targetGroups, exec, signal } = options;
  const emit = (e: RollingEvent): void => {
    try {
      options.onEvent?.(e);
    } catch {
      // a listener's error never stops the run
    }
  };
  const maxUnavailable = options.maxUnavailable ?? 1;
  if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) throw new ZerodownConfigError('maxUnavailable', `maxUnavailable must be a whole number >= 1, got ${String(options.maxUnavailable)}`);
  const targets = options.targets ?? (await rollingPlan(targetGroups, signal));
  emit({ type: 'plan', targets });
  const result: RollingResult = { ok: true, targets: targets.map(formatTarget), completed: [], skipped: [], aborted: false };
  const wait = { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(signal ? { signal } : {}) };
  const restoreTimeoutMs = options.restoreTimeoutMs ?? options.timeoutMs ?? ROLLING_RESTORE_TIMEOUT_MS;
  const runSignal = signal ?? new AbortController().signal;
  let next = 0;
  let stop = false;

  // a fresh signal: a restore after Ctrl-C must not inherit the aborted one
  const restore = async (target: Elbv2Target): Promise<boolean> => {
    try {
      await targetGroups.register(target, { timeoutMs: restoreTimeoutMs, signal: AbortSignal.timeout(restoreTimeoutMs), onProgress: (progress) => emit({ type: 'progress', target, progress }) });
      emit({ type: 'restore', target, ok: true });
      return true;
    } catch (error) {
      emit({ type: 'restore', target, ok: false, error: message(error) });
      return false;
    }
  };

  const one = async (target: Elbv2Target, index: number): Promise<void> => {
    const t0 = performance.now();
    const onProgress = (progress: LbProgress): void => emit({ type: 'progress', target, progress });
    let step: RollingStep | 'guard' = 'guard';
    let out = false;
    try {
      await options.beforeTarget?.(target, runSignal);
      step = 'deregister';
      emit({ type: 'step', target, step, index });
      out = true;
      await targetGroups.deregister(target, { ...wait, onProgress, ...(options.minHealthy !== undefined ? { minHealthy: options.minHealthy } : {}), ...(options.force ? { force: true } : {}) });
      step = 'exec';
      emit({ type: 'step', target, step, index });
      const code = await exec(target, runSignal);
      if (code !== 0) {
        const error = `command exited with ${code}`;
        emit({ type: 'failed', target, step, error, exitCode: code });
        stop = true;
        result.ok = false;
        result.failure ??= { target: formatTarget(target), step, error, exitCode: code, timedOut: false, wasOut: true, restored: false };
        const restored = await restore(target);
        if (result.failure.target === formatTarget(target)) result.failure.restored = restored;
        return;
      }
      step = 'register';
      emit({ type: 'step', target, step, index });
      await targetGroups.register(target, { ...wait, onProgress });
      out = false;
      result.completed.push(formatTarget(target));
      emit({ type: 'done', target, elapsedMs: Math.round(performance.now() - t0) });
    } catch (error) {
      stop = true;
      result.ok = false;
      emit({ type: 'failed', target, step: step === 'guard' ? 'deregister' : step, error: message(error) });
      // a target never taken out is still in the load balancer
      const failure = { target: formatTarget(target), step, error: message(error), timedOut: isTimeout(error), wasOut: out, restored: !out };
      result.failure ??= failure;
      // a target that may be out (deregistering, or its registration failed) is put back once more
      if (out) {
        const restored = await restore(target);
        if (result.failure === failure) failure.restored = restored;
      }
    } finally {
      await options.afterTarget?.(target).catch(() => undefined);
    }
  };

  const worker = async (): Promise<void> => {
    while (!stop && !signal?.aborted && next < targets.length) {
      const index = next++;
      await one(targets[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxUnavailable, targets.length) }, worker));
  result.skipped = targets.slice(next).map(formatTarget);
  result.aborted = signal?.aborted === true;
  if (result.aborted && result.ok && result.skipped.length > 0) {
    result.ok = false;
    result.failure = { target: result.skipped[0]!, step: 'deregister', error: `aborted: ${message(signal!.reason)}`, timedOut: false, wasOut: false, restored: true };
  }
  return result;
}
