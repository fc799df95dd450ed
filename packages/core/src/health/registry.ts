import { DuplicateCheckError, ZerodownConfigError } from '../errors';
import type { Logger } from '../logger';
import { Emitter, type Disposer } from '../util/emitter';
import { withTimeout, type TimedResult } from '../util/time';
import type { CheckDefinition, CheckFn, CheckOptions, CheckOutcome, CheckResult, CheckState, HealthStatus } from './types';

interface Entry extends CheckState {
  critical: boolean;
  result: CheckResult | undefined;
  runs: number;
  def: CheckDefinition;
  timer: NodeJS.Timeout | undefined;
  /** The run in progress, if any: runs never overlap. */
  running: Promise<void> | undefined;
  /** The check's last call returned a plain value (not a promise): its scheduled runs are plain calls. */
  sync: boolean;
  /** The timer's callback, a bound function: no closure compiled when the timer first fires. */
  onTimer: () => void;
}

/** Events of the health registry. */
export type HealthEvents = {
  /** A check's status changed (first result included, with `previous` undefined). */
  change: [name: string, result: CheckResult, previous: CheckResult | undefined, state: CheckState];
};

/**
 * The registry of dependency checks. Each check runs in the background on its own interval with its own
 * timeout; probes read the cached results, so probe traffic never multiplies load on a dependency.
 */
export class HealthRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly events: Emitter<HealthEvents>;
  private started = false;

  constructor(
    private readonly defaults: { intervalMs: number; timeoutMs: number },
    private readonly logger: Logger,
  ) {
    this.events = new Emitter((error) => logger.error({ err: error }, 'zerodown: health listener threw'));
  }

  /** Registers a check and runs it at once (if started); returns a disposer that unregisters it. */
  register(name: string, check: CheckFn | CheckDefinition, options: CheckOptions = {}): Disposer {
    if (typeof name !== 'string' || !/^[\w.\-/]{1,64}$/.test(name)) {
      throw new ZerodownConfigError('name', `zerodown: invalid check name ${JSON.stringify(name)}: expected 1-64 characters of letters, digits, "_", "-", "." or "/"`);
    }
    if (this.entries.has(name)) throw new DuplicateCheckError(name);
    const def: CheckDefinition = typeof check === 'function' ? { run: check } : check;
    if (!def || typeof def.run !== 'function') {
      throw new ZerodownConfigError(`checks.${name}`, `zerodown: invalid check "${name}": expected a function or { run: function }, got ${typeof check}`);
    }
    const intervalMs = options.intervalMs ?? this.defaults.intervalMs;
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
    for (const [field, v, min] of [['intervalMs', intervalMs, 10], ['timeoutMs', timeoutMs, 1]] as const) {
      if (!Number.isInteger(v) || v < min || v > 2 ** 31 - 1) {
        throw new ZerodownConfigError(`checks.${name}.${field}`, `zerodown: invalid option "checks.${name}.${field}": expected a whole number of milliseconds >= ${min}, got ${JSON.stringify(v)}`);
      }
    }
    const entry: Entry = {
      name,
      critical: options.critical ?? true,
      liveness: options.liveness ?? false,
      componentType: options.componentType ?? def.componentType ?? 'component',
      measurement: options.measurement ?? def.measurement ?? 'responseTime',
      intervalMs,
      timeoutMs,
      owner: options.owner,
      runbookUrl: options.runbookUrl,
      result: undefined,
      runs: 0,
      def,
      timer: undefined,
      running: undefined,
      sync: false,
      onTimer: () => undefined,
    };
    entry.onTimer = this.scheduledRun.bind(this, entry);
    this.entries.set(name, entry);
    if (this.started) this.scheduledRun(entry);
    return () => this.unregister(name);
  }

  /** Removes a check and stops its timer. */
  unregister(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    if (e.timer) clearTimeout(e.timer);
    e.def.dispose?.();
  }

  /** Starts the background runs (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of this.entries.values()) this.scheduledRun(e);
  }

  /** Stops every timer; cached results stay readable. */
  stop(): void {
    this.started = false;
    for (const e of this.entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.timer = undefined;
    }
  }

  /** Disposes every check (stops timers, frees resources). */
  dispose(): void {
    this.stop();
    for (const name of [...this.entries.keys()]) this.unregister(name);
  }

  /** Subscribes to status changes. */
  on<K extends keyof HealthEvents>(event: K, fn: (...args: HealthEvents[K]) => void): Disposer {
    return this.events.on(event, fn);
  }

  /** Every registered check with its cached result. */
  list(): CheckState[] {
    return [...this.entries.values()];
  }

  /** One check's state, or undefined. */
  get(name: string): CheckState | undefined {
    return this.entries.get(name);
  }

  /**
   * Runs one check now (outside its schedule) and returns the result of a run that started after this
   * call: a run already in progress may have read older state, so it is awaited and followed by a new one.
   */
  async runNow(name: string): Promise<CheckResult | undefined> {
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (e.running) await e.running;
    await this.runOnce(e);
    return e.result;
  }

  /** True when every critical readiness check has passed (or warned) its latest run. */
  isReady(): boolean {
    for (const e of this.entries.values()) {
      if (e.critical && !e.liveness && (e.result === undefined || e.result.status === 'fail')) return false;
    }
    return true;
  }

  /** True when no critical liveness check is failing. Pending liveness checks count as passing. */
  isLive(): boolean {
    for (const e of this.entries.values()) {
      if (e.liveness && e.critical && e.result !== undefined && e.result.status === 'fail') return false;
    }
    return true;
  }

  /** Aggregate IETF status: `fail` if a critical check fails, `warn` if a non-critical one fails or any warns. */
  status(filter?: (s: CheckState) => boolean): HealthStatus {
    let status: HealthStatus = 'pass';
    for (const e of this.entries.values()) {
      if (filter && !filter(e)) continue;
      const s = e.result?.status ?? (e.critical ? 'fail' : 'warn');
      if (s === 'fail') {
        if (e.critical) return 'fail';
        status = 'warn';
      } else if (s === 'warn') status = 'warn';
    }
    return status;
  }

  private async runAndSchedule(e: Entry): Promise<void> {
    await this.runOnce(e);
    this.schedule(e);
  }

  private schedule(e: Entry): void {
    if (!this.started || this.entries.get(e.name) !== e) return;
    e.timer = setTimeout(e.onTimer, e.intervalMs);
    e.timer.unref();
  }

  /**
   * A run on the schedule (the first one included). A check whose last call returned a plain value (the built-in eventloop check) is
   * called directly and its result recorded at once: a synchronous call cannot be timed out while it
   * runs, so the timeout's timer and promises would only cost. Should it now return a promise, that
   * promise gets the check's timeout (from then on, counted from when the call returned) and its
   * signal aborts when it expires, and later runs take the usual path.
   */
  private scheduledRun(e: Entry): void {
    if (!e.sync || e.running) {
      void this.runAndSchedule(e);
      return;
    }
    const start = performance.now();
    // every run gets its own signal: a check may read it through a rest or default parameter, or keep a listener on it
    const ac = new AbortController();
    let value: ReturnType<CheckFn>;
    let plain: boolean;
    try {
      value = e.def.run(ac.signal);
      plain = !isThenable(value); // (a throwing `then` getter fails the run like a throw)
    } catch (error) {
      this.record(e, { ok: false, timedOut: false, error }, start);
      this.schedule(e);
      return;
    }
    if (plain) {
      this.record(e, { ok: true, value: value as CheckOutcome | void }, start);
      this.schedule(e);
      return;
    }
    e.sync = false;
    const pending = value;
    const timed = withTimeout((signal) => {
      signal.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
      return pending;
    }, e.timeoutMs);
    e.running = timed
      .then((r) => this.record(e, r, start))
      .finally(() => {
        e.running = undefined;
      });
    void e.running.then(() => this.schedule(e));
  }

  private runOnce(e: Entry): Promise<void> {
    e.running ??= this.execute(e).finally(() => {
      e.running = undefined;
    });
    return e.running;
  }

  private async execute(e: Entry): Promise<void> {
    const start = performance.now();
    const r = await withTimeout((signal) => {
      const value = e.def.run(signal);
      e.sync = !isThenable(value);
      return value;
    }, e.timeoutMs);
    this.record(e, r, start);
  }

  /** Caches a run's result; logs and emits `change` when the status changed. */
  private record(e: Entry, r: TimedResult<CheckOutcome | void>, start: number): void {
    const durationMs = Math.round((performance.now() - start) * 100) / 100;
    let result: CheckResult;
    if (r.ok) {
      const o = r.value ?? {};
      result = {
        status: o.status ?? 'pass',
        observedValue: o.observedValue ?? durationMs,
        observedUnit: o.observedUnit ?? (o.observedValue === undefined ? 'ms' : undefined),
        output: o.output,
        time: new Date().toISOString(),
        durationMs,
      };
    } else {
      const output = r.timedOut ? `timed out after ${e.timeoutMs} ms` : errorText(r.error);
      result = { status: 'fail', observedValue: durationMs, observedUnit: 'ms', output, time: new Date().toISOString(), durationMs };
    }
    e.runs++;
    const previous = e.result;
    e.result = result;
    if (previous?.status !== result.status) {
      if (result.status !== 'pass' || previous !== undefined) {
        this.logger[result.status === 'fail' ? (e.critical ? 'error' : 'warn') : 'info'](
          { check: e.name, status: result.status, previous: previous?.status, output: result.output },
          `zerodown: check "${e.name}" is ${result.status}`,
        );
      }
      this.events.emit('change', e.name, result, previous, e);
    }
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
