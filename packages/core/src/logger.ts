/** One pino-style log method: `(obj, msg)` or `(msg)`. */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

/** The subset of pino's interface zerodown uses; pino, bunyan-style and console wrappers fit. */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
/** Log levels understood by the built-in logger. */
export type LogLevel = keyof typeof LEVELS | 'silent';

function noop(): void {}

/**
 * A small pino-compatible JSON-lines logger writing to stderr, used when the app passes none.
 * Disabled levels are no-ops decided once at construction.
 */
export function createDefaultLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = level === 'silent' ? Infinity : LEVELS[level];
  const make = (name: keyof typeof LEVELS): LogFn => {
    if (LEVELS[name] < min) return noop;
    const lvl = LEVELS[name];
    return ((a: object | string, b?: string) => {
      const base = { level: lvl, time: Date.now(), name: 'zerodown' };
      const rec = typeof a === 'string' ? { ...base, msg: a } : { ...base, ...a, msg: b };
      write(JSON.stringify(rec, errorReplacer) + '\n');
    }) as LogFn;
  };
  return { error: make('error'), warn: make('warn'), info: make('info'), debug: make('debug') };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message: value.message, ...(code !== undefined ? { code } : {}), ...(value.stack !== undefined ? { stack: value.stack } : {}) };
  }
  return value;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { error: noop, warn: noop, info: noop, debug: noop };
