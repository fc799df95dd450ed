import { constants } from 'node:os';
import { z } from 'zod';
import { alertsSchema } from '../alerts/schema';
import { breakersSchema } from '../breakers/schema';
import { fleetSchema } from '../fleet/schema';
import { monitorsSchema } from '../monitors/schema';
import { sheddingSchema } from '../shedding/schema';
import { ms } from './zod-helpers';

const msg = (expected: string) => ({ error: expected });

const path = z
  .string(msg('a path starting with "/" (no query string)'))
  .regex(/^\/[^?#\s]*$/, msg('a path starting with "/" (no query string)'));

const logFn = z.custom<(...args: unknown[]) => void>((v) => typeof v === 'function', msg('a function'));

/** Signals a process cannot catch (SIGKILL, SIGSTOP) or must not run JavaScript on (faults). */
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL']);
const SIGNAL_EXPECTED = 'one of the signal names this platform knows that the process can catch, such as "SIGTERM" (not SIGKILL or SIGSTOP, which cannot be caught, nor SIGSEGV, SIGBUS, SIGFPE or SIGILL)';
/** True for a signal name of this platform that a drain can be started by. */
function isCatchableSignal(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(constants.signals, name) && !UNCATCHABLE.has(name);
}

/**
 * zod schema of {@link ZerodownOptions}; unknown keys are errors so typos fail fast. The common options
 * are first checked without zod by `quick.ts` (zod loads only when it defers): a rule changed here must
 * change there too (`quick.test.ts` compares the two on boundary values).
 */
export const optionsSchema = z
  .object({
    logger: z
      .object({ error: logFn, warn: logFn, info: logFn, debug: logFn }, msg('a pino-compatible logger with error, warn, info and debug methods'))
      .loose()
      .optional(),
    env: z.record(z.string(), z.string().optional(), msg('an object of environment variables')).optional(),
    serviceName: z.string(msg('a non-empty string')).min(1, msg('a non-empty string')).optional(),
    version: z.string(msg('a string')).optional(),
    health: z
      .object(
        {
          paths: z
            .object({ live: path.optional(), ready: path.optional(), health: path.optional() }, msg('an object { live, ready, health }'))
            .strict()
            .optional(),
          token: z.string(msg('a string (the bearer token)')).optional(), // its content is checked in resolve.ts, for the option and the env alike
          exposeDetails: z.boolean(msg('true or false')).optional(),
          intervalMs: ms(100).optional(),
          timeoutMs: ms(1).optional(),
          eventLoopStallMs: ms(0).optional(),
          eventLoopIntervalMs: ms(100).optional(),
        },
        msg('an object'),
      )
      .strict()
      .optional(),
    drain: z
      .object(
        {
          delayMs: ms(0).optional(),
          timeoutMs: ms(1).optional(),
          signals: z
            .union([z.literal(false), z.array(z.string(msg(SIGNAL_EXPECTED)).refine(isCatchableSignal, msg(SIGNAL_EXPECTED)))], msg('an array of signal names such as ["SIGTERM"], or false'))
            .optional(),
          hookTimeoutMs: ms(1).optional(),
          hookBudgetMs: ms(1).optional(),
          flushTimeoutMs: ms(0).optional(),
          exit: z.boolean(msg('true or false')).optional(),
        },
        msg('an object'),
      )
      .strict()
      .optional(),
    loadBalancer: z
      .object(
        {
          idleTimeoutMs: ms(1000).optional(),
          healthCheckIntervalMs: ms(1000).optional(),
          unhealthyThreshold: z.number(msg('a whole number between 1 and 10')).int(msg('a whole number between 1 and 10')).min(1, msg('a whole number between 1 and 10')).max(10, msg('a whole number between 1 and 10')).optional(),
        },
        msg('an object'),
      )
      .loose()
      .optional(),
    control: z
      .object({ socket: z.union([z.literal(false), z.string().min(1)], msg('a Unix socket path, or false')).optional() }, msg('an object { socket }'))
      .strict()
      .optional(),
    exit: z.custom<(code: number) => void>((v) => typeof v === 'function', msg('a function (code) => void')).optional(),
    runtime: z
      .custom<object>(
        (v) => typeof v === 'object' && v !== null && ['now', 'setTimeout', 'clearTimeout', 'onSignal', 'exit'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function'),
        msg('an object with now, setTimeout, clearTimeout, onSignal and exit functions'),
      )
      .optional(),
    breakers: breakersSchema.optional(),
    alerts: alertsSchema.optional(),
    monitors: z.union([z.literal(false), monitorsSchema], msg('an object or false')).optional(),
    shedding: sheddingSchema.optional(),
    fleet: fleetSchema.optional(),
  }, msg('an options object'))
  .strict();
