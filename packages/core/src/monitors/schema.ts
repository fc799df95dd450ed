import { z } from 'zod';
import { bool, e, int, level, ms, num, onCall, strictObject } from '../config/zod-helpers';

const threshold = z.union(
  [z.literal(false), strictObject({ threshold: num(0, Number.MAX_SAFE_INTEGER), clear: num(0, Number.MAX_SAFE_INTEGER).optional(), samples: int(1, 1000).optional(), level: level.optional(), forMs: ms(0).optional(), ...onCall }, '{ threshold, clear?, samples?, level?, forMs? } or false')],
  e('{ threshold, clear?, samples?, level?, forMs? } or false'),
);

/** zod schema of the `monitors` option. */
export const monitorsSchema = strictObject({
  enabled: bool.optional(),
  intervalMs: ms(10).optional(),
  eventLoopDelayMs: threshold.optional(),
  eventLoopUtilization: threshold.optional(),
  heapUsedPercent: threshold.optional(),
  rssBytes: threshold.optional(),
  cpuPercent: threshold.optional(),
  diskFreePercent: threshold.optional(),
  diskPath: z.string(e('a filesystem path')).min(1, e('a filesystem path')).optional(),
  diskIntervalMs: ms(10).optional(),
});
