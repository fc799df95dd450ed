import { z } from 'zod';

const MAX_MS = 2 ** 31 - 1;
const e = (expected: string) => ({ error: expected });
/** True when `v` is an object with these methods (instances are passed through, never copied). */
function hasMethods(v: unknown, names: string[]): boolean {
  return typeof v === 'object' && v !== null && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');
}
/** True for an ioredis `Redis` or `Cluster` (both have a `status` string, `call` and the EventEmitter `on`). */
function isRedisClient(v: unknown): boolean {
  return hasMethods(v, ['call', 'on']) && typeof (v as { status?: unknown }).status === 'string';
}
const ms = (min = 0) => {
  const m = e(`a whole number of milliseconds between ${min} and ${MAX_MS}`);
  return z.number(m).int(m).min(min, m).max(MAX_MS, m);
};
const int = (min: number, max: number) => {
  const m = e(`a whole number between ${min} and ${max}`);
  return z.number(m).int(m).min(min, m).max(max, m);
};
const num = (min: number, max: number) => {
  const m = e(`a number between ${min} and ${max}`);
  return z.number(m).min(min, m).max(max, m);
};
const bool = z.boolean(e('true or false'));
/** A `.strict()` object schema whose type error says `expected`. */
const strictObject = <S extends z.ZodRawShape>(shape: S, expected = 'an object') => z.object(shape, e(expected)).strict();
/** True for a string `new URL` accepts with an http(s) scheme. */
export function isHttpUrl(v: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(v)) return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}
const url = z.string(e('an http(s) URL')).refine(isHttpUrl, e('an http(s) URL'));
const level = z.enum(['critical', 'error', 'warning', 'info'], e('one of "critical", "error", "warning", "info"'));
const onCall = { owner: z.string(e('a string')).optional(), runbookUrl: url.optional(), statusPageUrl: url.optional(), severity: z.string(e('a string')).optional() };

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
const fn = (expected: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', e(expected));

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

const webhook = strictObject(
  {
    url,
    headers: z.record(z.string(), z.string(e('a header value (a string)')), e('an object of header strings')).optional(),
    timeoutMs: ms(1).optional(),
    retries: int(0, 10).optional(),
    backoffMs: ms(0).optional(),
    maxPending: int(1, 100000).optional(),
  },
  'an object { url, headers?, timeoutMs?, retries? }',
);

/** zod schema of the `alerts` option. */
export const alertsSchema = strictObject({
  enabled: bool.optional(),
  forMs: ms(0).optional(),
  instanceId: z.string(e('1-128 characters without spaces')).regex(/^\S{1,128}$/, e('1-128 characters without spaces')).optional(),
  maxPerMinute: int(1, 100000).optional(),
  rollbar: z.custom<object | false>((v) => v === false || hasMethods(v, ['critical', 'error', 'warning', 'info', 'wait']), e('a rollbar instance or false')).optional(),
  newrelic: z.custom<object>((v) => hasMethods(v, ['recordCustomEvent', 'recordMetric', 'noticeError']), e('the newrelic module')).optional(),
  webhook: z.union([webhook, z.array(webhook)], e('a webhook { url } or an array of them')).optional(),
  log: bool.optional(),
  sinks: z.array(z.custom<object>((v) => hasMethods(v, ['send']) && typeof (v as { name?: unknown }).name === 'string', e('a sink { name, send }')), e('an array of sinks')).optional(),
  healthChecks: bool.optional(),
  processErrors: bool.optional(),
});

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
});

/** zod schema of the `shedding` option. */
export const sheddingSchema = strictObject({
  enabled: bool.optional(),
  eventLoopDelayMs: ms(1).optional(),
  heapUsedPercent: num(1, 100).optional(),
  sampleIntervalMs: ms(10).optional(),
  retryAfterSeconds: int(0, 86400).optional(),
});

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
