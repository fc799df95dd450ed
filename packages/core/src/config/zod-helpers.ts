import { z } from 'zod';
import { isHttpUrl } from './url';

export { isHttpUrl };

/** The largest timer delay Node accepts (ms). */
export const MAX_MS = 2 ** 31 - 1;
/** A zod error option that says what was expected. */
export const e = (expected: string) => ({ error: expected });
/** True when `v` is an object with these methods (instances are passed through, never copied). */
export function hasMethods(v: unknown, names: string[]): boolean {
  return typeof v === 'object' && v !== null && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');
}
/** A whole number of milliseconds in [min, 2^31-1]. */
export function ms(min = 0): z.ZodNumber {
  const m = e(`a whole number of milliseconds between ${min} and ${MAX_MS}`);
  return z.number(m).int(m).min(min, m).max(MAX_MS, m);
}
/** A whole number in [min, max]. */
export const int = (min: number, max: number) => {
  const m = e(`a whole number between ${min} and ${max}`);
  return z.number(m).int(m).min(min, m).max(max, m);
};
/** A number in [min, max]. */
export const num = (min: number, max: number) => {
  const m = e(`a number between ${min} and ${max}`);
  return z.number(m).min(min, m).max(max, m);
};
/** A boolean. */
export const bool = z.boolean(e('true or false'));
/** A `.strict()` object schema whose type error says `expected`. */
export const strictObject = <S extends z.ZodRawShape>(shape: S, expected = 'an object') => z.object(shape, e(expected)).strict();
/** A function (its signature is described by `expected`). */
export const fn = (expected: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', e(expected));
/** An http(s) URL. */
export const url = z.string(e('an http(s) URL')).refine(isHttpUrl, e('an http(s) URL'));
/** An alert level. */
export const level = z.enum(['critical', 'error', 'warning', 'info'], e('one of "critical", "error", "warning", "info"'));
/** The on-call fields an alerting option may carry (owner, runbook, status page, severity). */
export const onCall = { owner: z.string(e('a string')).optional(), runbookUrl: url.optional(), statusPageUrl: url.optional(), severity: z.string(e('a string')).optional() };
