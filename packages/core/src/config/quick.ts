import { constants } from 'node:os';

/**
 * A zod-free check of the common options (logger, serviceName, version, health, drain,
 * loadBalancer, control, exit, runtime, `monitors: false`) that returns what `optionsSchema.parse`
 * would return, or `undefined` when the input needs the full zod schema: anything it is unsure of
 * (another option, a wrong value, an object that is not a plain object) defers, so every error
 * message still comes from zod. It keeps zod (~4 MB of heap: its modules and the schemas) out of a
 * process that does not need it, which keeps the first major GC away from the first requests.
 * test/config-quick.test.ts checks it against the schema.
 */
export function quickValidate(input: unknown): object | undefined {
  try {
    return object(input, TOP);
  } catch (error) {
    if (error === DEFER) return undefined;
    throw error;
  }
}

const DEFER = Symbol('defer');
type Check = (v: unknown) => unknown;
const defer = (): never => {
  throw DEFER;
};

const MAX_MS = 2 ** 31 - 1;
const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? undefined : check(v);
const ms =
  (min: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= MAX_MS ? v : defer();
const str: Check = (v) => (typeof v === 'string' ? v : defer());
const nonEmpty: Check = (v) => (typeof v === 'string' && v.length >= 1 ? v : defer());
const bool: Check = (v) => (typeof v === 'boolean' ? v : defer());
const func: Check = (v) => (typeof v === 'function' ? v : defer());
const path: Check = (v) => (typeof v === 'string' && /^\/[^?#\s]*$/.test(v) ? v : defer());
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL']);
const signals: Check = (v) => {
  if (v === false) return v;
  if (!Array.isArray(v)) return defer();
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (typeof s !== 'string' || !Object.prototype.hasOwnProperty.call(constants.signals, s) || UNCATCHABLE.has(s)) return defer();
    out.push(s);
  }
  return out;
};

/** A plain object with only `shape`'s keys (zod's strict object: keys present in the input are kept, even when undefined). */
function object(v: unknown, shape: Record<string, Check>): Record<string, unknown> {
  if (!isPlain(v)) return defer();
  for (const key in v) if (!Object.prototype.hasOwnProperty.call(shape, key)) defer();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) if (key in v) out[key] = shape[key]!(v[key]);
  return out;
}
const strict =
  (shape: Record<string, Check>): Check =>
  (v) =>
    v === undefined ? undefined : object(v, shape);

/** The logger: zod's loose object copies the four methods (own or inherited), then the other enumerable keys. */
const LOG_METHODS = ['error', 'warn', 'info', 'debug'];
const logger: Check = (v) => {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return defer();
  const l = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const m of LOG_METHODS) out[m] = func(l[m]);
  for (const key in l) if (!LOG_METHODS.includes(key) && key !== '__proto__') out[key] = l[key];
  return out;
};
const RUNTIME_METHODS = ['now', 'setTimeout', 'clearTimeout', 'onSignal', 'exit'];
const runtime: Check = (v) =>
  v === undefined || (typeof v === 'object' && v !== null && RUNTIME_METHODS.every((k) => typeof (v as Record<string, unknown>)[k] === 'function')) ? v : defer();
const unhealthyThreshold: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 10 ? v : defer());

const TOP: Record<string, Check> = {
  logger,
  serviceName: optional(nonEmpty),
  version: optional(str),
  health: strict({
    paths: strict({ live: optional(path), ready: optional(path), health: optional(path) }),
    token: optional(str),
    exposeDetails: optional(bool),
    intervalMs: optional(ms(100)),
    timeoutMs: optional(ms(1)),
    eventLoopStallMs: optional(ms(0)),
  }),
  drain: strict({
    delayMs: optional(ms(0)),
    timeoutMs: optional(ms(1)),
    signals: optional(signals),
    hookTimeoutMs: optional(ms(1)),
    hookBudgetMs: optional(ms(1)),
    flushTimeoutMs: optional(ms(0)),
    exit: optional(bool),
  }),
  // (a loose object in the schema: extra keys defer here)
  loadBalancer: strict({ idleTimeoutMs: optional(ms(1000)), healthCheckIntervalMs: optional(ms(1000)), unhealthyThreshold: optional(unhealthyThreshold) }),
  control: strict({ socket: optional((v) => (v === false ? v : nonEmpty(v))) }),
  exit: optional(func),
  runtime,
  monitors: (v) => (v === undefined || v === false ? v : defer()),
};
