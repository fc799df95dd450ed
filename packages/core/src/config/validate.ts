import type { z } from 'zod';
import { ZerodownConfigError } from '../errors';
import { REDACTED, isSecretName, redactValue } from './redact';

/**
 * Renders a value for an error message without leaking secrets or huge objects: a value under a
 * secret-like field name is `<redacted>`; inside objects, secret-like keys (headers such as
 * `Authorization`, `Cookie`, `x-api-key`; tokens, passwords) are `<redacted>`; URLs lose their userinfo
 * and query string (see `redactValue`).
 */
export function describeValue(field: string, value: unknown): string {
  if (value === undefined) return 'undefined';
  if (field.split('.').some(isSecretName)) return REDACTED;
  if (typeof value === 'function') return 'a function';
  try {
    const s = JSON.stringify(redactValue(value));
    return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * For a union (`webhook: {…} | [{…}]`), the issue of the branch the input was meant for (the one that
 * got past the type check), so the message names the bad field rather than the whole value.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  const branch = issue.errors.find((b) => b.length > 0 && !(b[0]!.code === 'invalid_type' && b[0]!.path.length === 0));
  if (!branch) return issue;
  const inner = branch[0]!;
  return innermost({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
}

/**
 * Parses `input` with `schema`, throwing a {@link ZerodownConfigError} that names the first bad field,
 * its value and what was expected.
 */
export function validate<T>(schema: z.ZodType<T>, input: unknown, prefix: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = innermost(r.error.issues[0]!);
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.map(String).join('.');
    const key = issue.keys[0]!;
    const field = [prefix, base, key].filter(Boolean).join('.');
    throw new ZerodownConfigError(field, `zerodown: unknown option "${field}" (check the spelling; see the README's options table)`);
  }
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const value = valueAt(input, issue.path);
  throw new ZerodownConfigError(field, `zerodown: invalid option "${field}": expected ${issue.message}, got ${describeValue(field, value)}`);
}

/** Reads an integer env var; a bad value throws naming the variable. */
export function envInt(env: Record<string, string | undefined>, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > 2 ** 31 - 1) {
    throw new ZerodownConfigError(name, `zerodown: invalid environment variable ${name}: expected a whole number of milliseconds between ${min} and ${2 ** 31 - 1}, got ${JSON.stringify(raw.length > 40 ? raw.slice(0, 37) + '...' : raw)}`);
  }
  return Number(raw);
}

/** `option "a.b"` for a code option, `environment variable NAME` for an env variable (all caps). */
export function describeSource(field: string): string {
  return /^[A-Z][A-Z0-9_]*$/.test(field) ? `environment variable ${field}` : `option "${field}"`;
}
