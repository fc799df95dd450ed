import type { OnCallMeta } from './types';

const ON_CALL_FIELDS = ['owner', 'runbookUrl', 'statusPageUrl', 'severity'] as const;

/** The on-call fields of `meta` that are set (an unset one is left out, not copied as `undefined`). */
export function onCallOf(meta: OnCallMeta): OnCallMeta {
  const out: OnCallMeta = {};
  for (const k of ON_CALL_FIELDS) if (meta[k] !== undefined) out[k] = meta[k];
  return out;
}
