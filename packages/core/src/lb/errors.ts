import { ZerodownError } from '../errors';

/** A load-balancer API call or state change failed (ELBv2 or HAProxy). */
export class LoadBalancerError extends ZerodownError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZERODOWN_LB', message, options);
  }
}

/** A load-balancer wait (deregister, register) did not finish before its deadline. */
export class LoadBalancerTimeoutError extends ZerodownError {
  /** Last state seen per target group (or backend/server). */
  readonly lastStates: Readonly<Record<string, string>>;
  readonly elapsedMs: number;
  constructor(message: string, lastStates: Record<string, string>, elapsedMs: number, options?: { cause?: unknown }) {
    super('ZERODOWN_LB_TIMEOUT', message, options);
    this.lastStates = lastStates;
    this.elapsedMs = elapsedMs;
  }
}

/** Taking this target out would leave fewer than `minHealthy` other healthy targets. */
export class MinHealthyError extends ZerodownError {
  readonly targetGroup: string;
  readonly healthyOthers: number;
  readonly minHealthy: number;
  constructor(message: string, targetGroup: string, healthyOthers: number, minHealthy: number) {
    super('ZERODOWN_LB_MIN_HEALTHY', message);
    this.targetGroup = targetGroup;
    this.healthyOthers = healthyOthers;
    this.minHealthy = minHealthy;
  }
}

/** The EC2 instance metadata service (IMDSv2) could not tell who this instance is. */
export class ImdsError extends ZerodownError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZERODOWN_IMDS', message, options);
  }
}

/** A load-balancer operation was cancelled because a newer one on the same adapter started (see `serialOperations`). */
export class LoadBalancerSupersededError extends ZerodownError {
  /** The operation that was cancelled (`register`, `deregister`). */
  readonly operation: string;
  /** The newer operation that cancelled it. */
  readonly supersededBy: string;
  constructor(operation: string, supersededBy: string) {
    super('ZERODOWN_LB_SUPERSEDED', `load-balancer ${operation} cancelled: a newer ${supersededBy} on the same adapter started`);
    this.operation = operation;
    this.supersededBy = supersededBy;
  }
}
