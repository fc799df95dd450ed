export { LoadBalancerError, LoadBalancerTimeoutError, MinHealthyError, ImdsError, LoadBalancerSupersededError } from './errors';
export { serialOperations } from './serial-operations';
export type { LbProgress, LbProgressListener } from './progress';
export { withRetry, fullJitter, RETRY_DEFAULTS, type RetryOptions } from './retry';
export * from './elbv2';
export * from './haproxy';
