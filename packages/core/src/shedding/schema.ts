import { bool, int, ms, num, strictObject } from '../config/zod-helpers';

/** zod schema of the `shedding` option. */
export const sheddingSchema = strictObject({
  enabled: bool.optional(),
  eventLoopDelayMs: ms(1).optional(),
  heapUsedPercent: num(1, 100).optional(),
  sampleIntervalMs: ms(10).optional(),
  retryAfterSeconds: int(0, 86400).optional(),
});
