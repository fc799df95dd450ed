import { InvalidArgumentError, Option, type Command } from 'commander';

/** Longest duration a flag accepts: 24 hours (anything longer is a typo, e.g. milliseconds typed as seconds). */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

/** How durations are written, for `--help`. */
export const DURATION_HELP = 'Durations: a number with a unit: ms, s, m or h (500ms, 30s, 5m, 1h).\nA bare number means seconds. At most 24h.';

const UNIT_MS = { ms: 1, s: 1000, m: 60000, h: 3600000 } as const;

/** Parses a duration: `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds; 1ms to 24h. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a duration such as 500ms, 30s, 5m or 1h (a bare number means seconds), got "${value}"`);
  const n = Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
  if (n < 1) throw new InvalidArgumentError(`expected a duration of at least 1ms, got "${value}"`);
  if (n > MAX_DURATION_MS) {
    const hint = m[2] === undefined ? ` (a bare number means seconds: for milliseconds write ${m[1]}ms)` : '';
    throw new InvalidArgumentError(`expected a duration of at most 24h, got "${value}"${hint}`);
  }
  return Math.round(n);
}

/** Formats a whole duration the way it is typed: `5m`, `30s`, `1h`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms % 3600000 === 0) return `${ms / 3600000}h`;
  if (ms % 60000 === 0) return `${ms / 60000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A `<duration>` option parsed by {@link parseDuration}, its default (ms) shown in `--help` as a duration (`5m`). */
export function durationOption(flags: string, description: string, defaultMs?: number): Option {
  const option = new Option(flags, description).argParser(parseDuration);
  return defaultMs === undefined ? option : option.default(defaultMs, formatDuration(defaultMs));
}

const withDurationHelp = new WeakSet<Command>();

/** Adds {@link DURATION_HELP} (once) to a command's `--help`. */
export function addDurationHelp(cmd: Command): Command {
  if (!withDurationHelp.has(cmd)) {
    withDurationHelp.add(cmd);
    cmd.addHelpText('after', `\n${DURATION_HELP}`);
  }
  return cmd;
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
