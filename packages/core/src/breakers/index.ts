export { BreakerRegistry, BREAKER_CHECK_PREFIX, BREAKER_CHECK_INTERVAL_MS, type BreakerEvents } from './registry';
export { Breaker } from './breaker';
export { BreakerOpenError, BreakerTimeoutError } from './errors';
export { BREAKER_DEFAULTS, type BreakerAction, type BreakerCall, type BreakerDefaults, type BreakerFallback, type BreakerInfo, type BreakerOptions, type BreakerState, type ResolvedBreakerDefaults } from './types';
