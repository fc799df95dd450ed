export { LoadBalancerError, LoadBalancerTimeoutError, MinHealthyError, ImdsError } from './errors';
export type { LbProgress, LbProgressListener } from './progress';
export { withRetry, fullJitter, RETRY_DEFAULTS, type RetryOptions } from './retry';
export * from './elbv2';
export * from './haproxy';
