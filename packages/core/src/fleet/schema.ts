import { z } from 'zod';
import { e, hasMethods, ms, num, strictObject } from '../config/zod-helpers';

/** True for an ioredis `Redis` or `Cluster` (both have a `status` string, `call` and the EventEmitter `on`). */
function isRedisClient(v: unknown): boolean {
  return hasMethods(v, ['call', 'on']) && typeof (v as { status?: unknown }).status === 'string';
}

/** zod schema of the `fleet` option. */
export const fleetSchema = strictObject({
  redis: z.custom<object>(isRedisClient, e('an ioredis client (new Redis(...) or new Redis.Cluster(...)): an object with a string `status` and `call`, `on` methods')).optional(),
  keyPrefix: z.string(e('a non-empty string')).min(1, e('a non-empty string')).optional(),
  commandTimeoutMs: ms(1).optional(),
  syncIntervalMs: ms(50).optional(),
  openShare: num(0.01, 1).optional(),
  instanceTtlMs: ms(100).optional(),
  alertStateTtlMs: ms(1000).optional(),
});
