import type { AlertDeduper } from '../alerts/manager';
import type { DrainResult } from '../zerodown';
import { HostDeduper } from './host-dedupe';
import type { LifecycleState } from '../lifecycle/state';
import type { Logger } from '../logger';
import { isMasterMessage, type MasterMessage, type WorkerMessage } from './ipc-messages';
import { isSupervised, type IpcProcess } from './supervised';

/** What the worker link needs from a zerodown instance. */
export interface WorkerLinkTarget {
  readonly state: LifecycleState;
  readonly inflight: number;
  readonly connections: number;
  readonly logger: Logger;
  readonly probes: { isReady(): boolean };
  readonly lifecycle: { suspend(reason?: string): void };
  readonly alerts: { readonly currentDeduper: AlertDeduper | undefined; setDeduper(deduper: AlertDeduper | undefined): void };
  drain(reason?: string, options?: { delayMs?: number; deregister?: boolean; idleGraceMs?: number }): Promise<DrainResult>;
}

/**
 * A drained worker closes a kept-alive connection only once it stayed idle this long (ms): a client
 * still using it gets its next response with `Connection: close` and reconnects to a live worker,
 * instead of racing a close of an idle socket (an ECONNRESET).
 */
const IDLE_GRACE_MS = 2000;

/** How often readiness is checked until it first passes (ms). */
const READY_POLL_MS = 50;

/**
 * The worker side of `zerodown serve`: tells the master this process runs zerodown, reports readiness
 * once `zd.ready()` was called and every critical check passes, answers status requests, and drains
 * when the master asks (with no load-balancer delay and no deregistration: the master stops routing
 * to this worker at once, and the host's load-balancer registration belongs to the master).
 * Unless fleet mode (Redis) already de-duplicates them, fleet-scoped alerts (health checks, breakers)
 * and host-scoped ones (CPU, disk free) are de-duplicated across the host's workers by the master: one
 * firing and one resolved per host. Instance-scoped alerts (event loop, heap, RSS, drain, crash) stay per worker.
 */
export class WorkerLink {
  private timer: NodeJS.Timeout | undefined;
  private readonly onMessage = (m: unknown): void => this.handle(m);
  private readonly hostDeduper: HostDeduper | undefined;

  constructor(
    private readonly zd: WorkerLinkTarget,
    private readonly proc: IpcProcess,
  ) {
    proc.on('message', this.onMessage);
    if (!zd.alerts.currentDeduper) {
      this.hostDeduper = new HostDeduper((m) => this.send(m), zd.logger);
      zd.alerts.setDeduper(this.hostDeduper.dedupe);
    }
    this.send({ zerodown: 'hello' });
    this.timer = setInterval(() => this.checkReady(), READY_POLL_MS);
    this.timer.unref();
  }

  /** Stops reporting and removes the IPC listener. */
  dispose(): void {
    this.stopPolling();
    this.proc.removeListener('message', this.onMessage);
    if (this.hostDeduper) {
      if (this.zd.alerts.currentDeduper === this.hostDeduper.dedupe) this.zd.alerts.setDeduper(undefined);
      this.hostDeduper.dispose();
    }
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private checkReady(): void {
    if (this.zd.state === 'draining' || this.zd.state === 'stopped') return this.stopPolling();
    if (this.zd.state !== 'ready' || !this.zd.probes.isReady()) return;
    this.stopPolling();
    this.send({ zerodown: 'ready' });
  }

  private handle(m: unknown): void {
    if (!isMasterMessage(m)) return;
    const msg: MasterMessage = m;
    switch (msg.zerodown) {
      case 'status':
        this.send({ zerodown: 'status', id: msg.id, state: this.zd.state, ready: this.zd.probes.isReady(), inflight: this.zd.inflight, connections: this.zd.connections });
        return;
      case 'suspend':
        this.zd.lifecycle.suspend(msg.reason);
        return;
      case 'alert-dedupe':
        this.hostDeduper?.onReply(msg);
        return;
      case 'drain':
        this.stopPolling();
        this.zd.logger.info({ reason: msg.reason }, 'zerodown: the master asked this worker to drain');
        void this.zd.drain(msg.reason, { delayMs: 0, deregister: false, idleGraceMs: IDLE_GRACE_MS });
        return;
    }
  }

  /** Sends a message to the master; false when the channel is gone. */
  private send(m: WorkerMessage): boolean {
    if (this.proc.connected === false || typeof this.proc.send !== 'function') return false;
    try {
      this.proc.send(m);
      return true;
    } catch {
      // the master is gone: the worker will notice the disconnect
      return false;
    }
  }
}

/** Starts the {@link WorkerLink} when this process runs under `zerodown serve`; undefined otherwise. */
export function startWorkerLink(zd: WorkerLinkTarget, env: Record<string, string | undefined>, proc: IpcProcess = process): WorkerLink | undefined {
  return isSupervised(env, proc) ? new WorkerLink(zd, proc) : undefined;
}
