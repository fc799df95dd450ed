import type { HealthStatus } from '../health/types';
import type { LifecycleState } from '../lifecycle/state';

/** One check in {@link ControlStatus}: its latest cached result. */
export interface ControlCheckSummary {
  name: string;
  /** `pending` until the first run finishes. */
  status: HealthStatus | 'pending';
  critical: boolean;
  liveness: boolean;
  durationMs?: number;
  /** ISO time of the latest run. */
  time?: string;
  output?: string;
}

/** `GET /status` on the control socket. */
export interface ControlStatus {
  pid: number;
  service: string | undefined;
  version: string | undefined;
  state: LifecycleState;
  suspended: boolean;
  suspendedReason: string | undefined;
  /** What `/readyz` answers right now. */
  ready: boolean;
  /** What `/livez` answers right now. */
  live: boolean;
  inflight: number;
  connections: number;
  /** Name of the load-balancer adapter in use, if any. */
  loadBalancer: string | undefined;
  checks: ControlCheckSummary[];
  uptimeMs: number;
  socket: string;
}

/** Body (or query) of `POST /drain`. */
export interface ControlDrainRequest {
  /** Shown in `/health` and the logs. Default `control`. */
  reason?: string;
  /** Deregister through the app's load-balancer adapter (when it has one). Default true. */
  deregister?: boolean;
  /**
   * Also wait until no request is in flight. Default false. Without a load-balancer adapter the app first
   * waits `drain.delayMs` (the time the load balancer needs to see readiness fail), then for idle.
   */
  waitIdle?: boolean;
  /** Deadline of the whole call, the load-balancer wait included (ms). Default `drain.timeoutMs`. */
  timeoutMs?: number;
  /**
   * Deregister even when the adapter's min-healthy guard refuses (logged at warn). Default false: a refusal
   * answers 409 `ZERODOWN_LB_MIN_HEALTHY` and leaves readiness as it was.
   */
  force?: boolean;
}

/** Answer of `POST /drain`. */
export interface ControlDrainResponse {
  ok: true;
  /** True when the load-balancer adapter deregistered this instance (and it stopped routing here). */
  deregistered: boolean;
  /** True when in-flight reached zero (only with `waitIdle`). */
  idle: boolean;
  elapsedMs: number;
  status: ControlStatus;
}

/** Body (or query) of `POST /resume`. */
export interface ControlResumeRequest {
  /** Register again through the app's load-balancer adapter (when it has one). Default true. */
  register?: boolean;
  /** Deadline of the whole call, the load-balancer wait included (ms). Default `drain.timeoutMs`. */
  timeoutMs?: number;
}

/** Answer of `POST /resume`. */
export interface ControlResumeResponse {
  ok: true;
  registered: boolean;
  elapsedMs: number;
  status: ControlStatus;
}

/** Answer of `POST /wait-idle`. */
export interface ControlWaitIdleResponse {
  ok: true;
  inflight: number;
  elapsedMs: number;
}

/** Every error answer: a stable code and a message. */
export interface ControlErrorBody {
  error: { code: string; message: string };
}
