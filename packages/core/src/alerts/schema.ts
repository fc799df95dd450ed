import { z } from 'zod';
import { bool, e, hasMethods, int, ms, strictObject, url } from '../config/zod-helpers';

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
