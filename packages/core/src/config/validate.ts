import type { z } from 'zod';
import { ZerodownConfigError } from '../errors';

/** Renders a value for an error message without leaking secrets or huge objects. */
export function describeValue(field: string, value: unknown): string {
  if (/token|secret|password|key/i.test(field) && value !== undefined) return '<redacted>';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    const s = JSON.stringify(value);
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
 * Parses `input` with `schema`, throwing a {@link ZerodownConfigError} that names the first bad field,
 * its value and what was expected.
 */
export function validate<T>(schema: z.ZodType<T>, input: unknown, prefix: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
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
