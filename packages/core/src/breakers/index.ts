/** `@zerodown/core/breakers`: the types of `zd.breakers` and of the breakers it returns, and its errors. */
export type { BreakerRegistry, BreakerEvents } from './registry';
export type { Breaker } from './breaker';
export { BreakerOpenError, BreakerTimeoutError } from './errors';
export type { BreakerAction, BreakerCall, BreakerDefaults, BreakerFallback, BreakerInfo, BreakerOptions, BreakerState } from './types';
