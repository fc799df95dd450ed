import { bool, fn, int, level, ms, onCall, strictObject } from '../config/zod-helpers';

const breakerDefaults = {
  timeoutMs: ms(1).optional(),
  errorThresholdPercentage: int(1, 100).optional(),
  volumeThreshold: int(0, 1e6).optional(),
  resetTimeoutMs: ms(1).optional(),
  rollingCountTimeoutMs: ms(10).optional(),
  rollingCountBuckets: int(1, 1000).optional(),
  rollingPercentiles: bool.optional(),
  snapshots: bool.optional(),
};

/** zod schema of the `breakers` option. */
export const breakersSchema = strictObject(breakerDefaults);

/** zod schema of the options of one breaker (the third argument of `zd.breakers.wrap`). */
export const breakerOptionsSchema = strictObject(
  {
    ...breakerDefaults,
    fallback: fn('a function (error, ...args) => value').optional(),
    errorFilter: fn('a function (error) => boolean').optional(),
    alert: bool.optional(),
    alertLevel: level.optional(),
    alertForMs: ms(0).optional(),
    health: bool.optional(),
    ...onCall,
  },
  'an options object',
);
