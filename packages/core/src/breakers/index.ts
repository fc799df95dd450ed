export { BreakerRegistry, BREAKER_CHECK_PREFIX, type BreakerEvents } from './registry';
export { Breaker } from './breaker';
export { BreakerOpenError } from './errors';
export { BREAKER_DEFAULTS, type BreakerAction, type BreakerCall, type BreakerDefaults, type BreakerFallback, type BreakerInfo, type BreakerOptions, type BreakerState, type ResolvedBreakerDefaults } from './types';
