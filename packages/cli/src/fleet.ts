import { hostname } from 'node:os';
import type { Command } from 'commander';
import { loadFleet } from './core-loader';
import type { Output } from './output';
import { addDurationHelp, durationOption, parseCount } from './parse';

/** Options of the fleet guard shared by `drain`, `resume` and `rolling`. */
export interface FleetCliOptions {
  redis?: string;
  maxOut?: number;
  lockTtl?: number;
  lockTimeout?: number;
  holder?: string;
}

/** Adds `--redis`, `--max-out`, `--lock-ttl`, `--lock-timeout`. */
export function addFleetOptions(cmd: Command): Command {
  return addDurationHelp(cmd)
    .option('--redis <url>', 'fleet guard: take a per-service Redis slot so at most --max-out instances are out at once (env ZERODOWN_REDIS_URL; needs the ioredis package)')
    .option('--max-out <n>', 'fleet guard: instances of the service that may be out at once', parseCount(1), 1)
    .addOption(durationOption('--lock-ttl <duration>', 'fleet guard: a slot expires after this unless renewed or released', 30 * 60 * 1000))
    .addOption(durationOption('--lock-timeout <duration>', 'fleet guard: how long to wait for a free slot', 10 * 60 * 1000));
}

/** Message when `--redis` is used without ioredis installed. */
export const IOREDIS_MISSING =
  '--redis (the fleet guard) needs the ioredis package, an optional peer dependency of @zerodown/cli: install it next to the CLI with `npm install ioredis` (for a global CLI: `npm install -g ioredis`)';

/** True when `error` (or its cause) says a module could not be found. */
function isModuleMissing(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND') return true;
  }
  return false;
}

/** A connected fleet guard for one service. */
export interface CliFleet {
  readonly service: string;
  acquire(holder: string, out: Output): Promise<void>;
  release(holder: string): Promise<boolean>;
  /** Takes a slot and renews it until released; `signal` stops the wait for a free slot. */
  hold(holder: string, out: Output, signal?: AbortSignal): Promise<{ release(): Promise<boolean> }>;
  close(): Promise<void>;
}

/** Default holder id of this host for a service: `<hostname>:<service>`. */
export function defaultHolder(service: string): string {
  return `${hostname()}:${service}`;
}

/** Connects the fleet guard when `--redis` (or `ZERODOWN_REDIS_URL`) is given; `undefined` otherwise. */
export async function openFleet(opts: FleetCliOptions, service: string, env: NodeJS.ProcessEnv = process.env): Promise<CliFleet | undefined> {
  const url = opts.redis ?? env.ZERODOWN_REDIS_URL;
  if (!url) return undefined;
  const { FleetSemaphore, holdFleetSlot, connectFleetRedis, FleetGuardError } = loadFleet();
  const client = await connectFleetRedis(url).catch((error: unknown) => {
    throw isModuleMissing(error) ? new FleetGuardError(IOREDIS_MISSING, { cause: error }) : error;
  });
  const sem = new FleetSemaphore(client, { service, limit: opts.maxOut ?? 1, ttlMs: opts.lockTtl ?? 30 * 60 * 1000 });
  const timeoutMs = opts.lockTimeout ?? 10 * 60 * 1000;
  const onWait = (out: Output, t0: number) => (holders: string[]) => out.progress(`fleet slot for ${service}`, `waiting (held by ${holders.join(', ')})`, performance.now() - t0, timeoutMs);
  return {
    service,
    async acquire(holder, out) {
      const t0 = performance.now();
      await sem.acquire(holder, { timeoutMs, onWait: onWait(out, t0) });
      out.note(`fleet guard: took a slot of ${service} as ${holder} (at most ${sem.limit} out)`);
    },
    release: (holder) => sem.release(holder),
    async hold(holder, out, signal) {
      const t0 = performance.now();
      const h = await holdFleetSlot(sem, holder, { timeoutMs, ...(signal ? { signal } : {}), onWait: onWait(out, t0), onError: (e) => out.note(`fleet guard: renewing the slot failed: ${(e as Error).message}`) });
      out.note(`fleet guard: took a slot of ${service} as ${holder} (at most ${sem.limit} out)`);
      return h;
    },
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}
