import type { Worker } from 'node:cluster';
import type { HostAlertReporters } from './host-dedupe';
import { isWorkerMessage, type StatusReply } from './ipc-messages';
import type { Release } from './release';
import { StderrTail } from './stderr-tail';

/** Where a worker is in its life, as the master sees it. */
export type WorkerState = 'starting' | 'ready' | 'draining' | 'exited';

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

/** Why a worker did not become ready. */
export class NotReadyError extends Error {
  constructor(
    readonly reason: string,
    readonly stderr: string[],
  ) {
    super(reason);
  }
}

/** Where the worker's output goes (the master's own stdout/stderr by default). */
export interface WorkerOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * The master's view of one worker: pid, release, state, the tail of its stderr, and the IPC requests
 * (drain, suspend, status). A worker running zerodown is ready when it reports readiness over IPC; a
 * worker that does not run zerodown (it never says hello) is ready once it listens.
 */
export class WorkerHandle {
  readonly pid: number;
  readonly startedAt = new Date();
  state: WorkerState = 'starting';
  /** True once the worker said it runs zerodown. */
  usesZerodown = false;
  /** Set when the master planned this worker's end (drain, stop): its exit is not a crash. */
  planned = false;
  exit: WorkerExit | undefined;
  readonly exited: Promise<WorkerExit>;
  private readonly tail = new StderrTail();
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private nextId = 1;
  private readonly pending = new Map<number, (r: StatusReply) => void>();

  constructor(
    readonly worker: Worker,
    readonly release: Release,
    output: WorkerOutput,
    private readonly alertReporters?: HostAlertReporters,
  ) {
    this.pid = worker.process.pid ?? -1;
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    worker.process.stdout?.on('data', (d: Buffer) => output.stdout.write(d));
    worker.process.stderr?.on('data', (d: Buffer) => {
      output.stderr.write(d);
      this.tail.push(d.toString('utf8'));
    });
    worker.on('message', (m: unknown) => this.onMessage(m));
    worker.on('listening', () => {
      if (!this.usesZerodown) this.becomeReady();
    });
    worker.on('error', () => {});
    this.exited = new Promise((resolve) => {
      worker.process.once('exit', (code: number | null, signal: string | null) => {
        this.exit = { code, signal };
        this.state = 'exited';
        this.alertReporters?.forget(this.pid);
        for (const r of this.pending.values()) r({ zerodown: 'status', id: 0, state: 'stopped', ready: false, inflight: 0, connections: 0 });
        this.pending.clear();
        resolve(this.exit);
      });
    });
  }

  /** The worker's last stderr lines. */
  stderr(): string[] {
    return this.tail.get();
  }

  /** Resolves once ready and still running `minUptimeMs` later; rejects with a {@link NotReadyError} otherwise. */
  async whenReady(timeoutMs: number, minUptimeMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const first = await Promise.race([this.readyPromise.then(() => 'ready' as const), this.exited.then(() => 'exit' as const), deadline]);
      if (first === 'exit') throw new NotReadyError(`worker ${this.pid} ${describeExit(this.exit!)} before it was ready`, this.stderr());
      if (first === 'timeout') throw new NotReadyError(`worker ${this.pid} was not ready within ${timeoutMs} ms${this.usesZerodown ? ' (zd.ready() not called, or a critical check failing)' : ' (it never listened)'}`, this.stderr());
      if (minUptimeMs <= 0) return;
      let t2: NodeJS.Timeout | undefined;
      const stable = await Promise.race([this.exited.then(() => false), new Promise<boolean>((resolve) => (t2 = setTimeout(() => resolve(true), minUptimeMs)))]);
      clearTimeout(t2);
      if (!stable) throw new NotReadyError(`worker ${this.pid} ${describeExit(this.exit!)} right after it became ready (within ${minUptimeMs} ms)`, this.stderr());
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks for state and in-flight requests; undefined when the worker does not answer in time (or does not run zerodown). */
  status(timeoutMs = 1000): Promise<StatusReply | undefined> {
    if (!this.usesZerodown || this.state === 'exited' || !this.worker.isConnected()) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.send({ zerodown: 'status', id });
    });
  }

  /** Fails the worker's readiness while it keeps serving (host drain). */
  suspend(reason: string): void {
    if (this.usesZerodown) this.send({ zerodown: 'suspend', reason });
  }

  /**
   * Starts the worker's drain: a zerodown worker runs its drain pipeline (no load-balancer delay);
   * any other app is disconnected (its servers close, in-flight requests finish). Killed with SIGKILL
   * if still running after `timeoutMs`. Resolves with the exit.
   */
  drain(reason: string, timeoutMs: number): Promise<WorkerExit> {
    this.planned = true;
    if (this.state === 'exited') return this.exited;
    this.state = 'draining';
    if (this.usesZerodown) this.send({ zerodown: 'drain', reason });
    else if (this.worker.isConnected()) this.worker.disconnect();
    const t = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    void this.exited.then(() => clearTimeout(t));
    return this.exited;
  }

  /** Sends a signal to the worker process (no-op once exited). */
  kill(signal: NodeJS.Signals): void {
    if (this.state === 'exited') return;
    try {
      this.worker.process.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Stops the worker at once (a worker that never served): SIGKILL. */
  stop(): Promise<WorkerExit> {
    this.planned = true;
    this.kill('SIGKILL');
    return this.exited;
  }

  private becomeReady(): void {
    if (this.state !== 'starting') return;
    this.state = 'ready';
    this.markReady();
  }

  private onMessage(m: unknown): void {
    if (!isWorkerMessage(m)) return;
    if (m.zerodown === 'hello') this.usesZerodown = true;
    else if (m.zerodown === 'ready') this.becomeReady();
    else if (m.zerodown === 'alert-dedupe') this.send({ zerodown: 'alert-dedupe', id: m.id, send: this.alertReporters ? this.alertReporters.decide(this.pid, m.key, m.state) : true });
    else this.pending.get(m.id)?.(m);
  }

  private send(m: unknown): void {
    if (!this.worker.isConnected()) return;
    try {
      this.worker.send(m as object);
    } catch {
      // the channel closed: the exit follows
    }
  }
}

/** `exited with code 1` / `was killed by SIGKILL`. */
export function describeExit(e: WorkerExit): string {
  return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code ?? '?'}`;
}
