import { InvalidArgumentError } from 'commander';

/** Parses a duration: `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a duration such as 500ms, 30s, 5m or 1h, got "${value}"`);
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (n < 1 || n > 2 ** 31 - 1) throw new InvalidArgumentError(`expected a duration between 1ms and 24 days, got "${value}"`);
  return Math.round(n);
}

/** Parses a whole number >= `min`. */
export function parseCount(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new InvalidArgumentError(`expected a whole number >= ${min}, got "${value}"`);
    return Number(value);
  };
}

/** Parses a TCP port. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535) throw new InvalidArgumentError(`expected a port between 1 and 65535, got "${value}"`);
  return n;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Formats milliseconds as `1.2s` / `3m04s`. */
export function formatMs(ms: number): string {
  if (ms < 60000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
