import { fullJitter } from '../lb/retry';
import { sleep } from '../util/time';
import { FleetGuardError, FleetLockTimeoutError } from './errors';
import type { RedisClient } from '../util/redis-client';

// KEYS[1] = set; ARGV = holder, limit, ttlMs. Expired holders are dropped first (Redis TIME: one clock
// for every host); a holder already in the set renews; otherwise it joins when fewer than `limit` hold.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key, holder, limit, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local ok = 0
if redis.call('ZSCORE', key, holder) or redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + ttl, holder)
  ok = 1
end
local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if top[2] then redis.call('PEXPIRE', key, tonumber(top[2]) - now + 1000) end
return { ok, redis.call('ZRANGE', key, 0, -1) }
`;

const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
return { removed, redis.call('ZRANGE', KEYS[1], 0, -1) }
`;

/** Settings of a {@link FleetSemaphore}. */
export interface FleetSemaphoreOptions {
  /** The service whose instances are counted. */
  service: string;
  /** Instances of the service that may be out at once. Default 1. */
  limit?: number;
  /** A slot expires this long after it was taken or last renewed (ms). Default 1800000 (30 min). */
  ttlMs?: number;
  /** Redis key prefix. Default `zerodown:fleet:`. */
  keyPrefix?: string;
}

/** Options of {@link FleetSemaphore.acquire}. */
export interface FleetAcquireOptions {
  /** Give up after this (ms). Default 0: one attempt. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called before each wait with the current holders. */
  onWait?: (holders: string[], elapsedMs: number) => void;
}

/**
 * A counting semaphore per service in Redis (a sorted set of holders scored by expiry): at most `limit`
 * holders at once across every host and every parallel deploy run. Taking a slot again with the same
 * holder id renews it, so a drain in one command and a resume in another can share one slot.
 */
export class FleetSemaphore {
  readonly service: string;
  readonly limit: number;
  readonly ttlMs: number;
  readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    options: FleetSemaphoreOptions,
  ) {
    if (!options.service) throw new FleetGuardError('fleet guard: a service name is required');
    this.service = options.service;
    this.limit = options.limit ?? 1;
    this.ttlMs = options.ttlMs ?? 30 * 60 * 1000;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new FleetGuardError(`fleet guard: limit must be a whole number >= 1, got ${String(options.limit)}`);
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1000) throw new FleetGuardError(`fleet guard: ttlMs must be a whole number >= 1000, got ${String(options.ttlMs)}`);
    this.key = `${options.keyPrefix ?? 'zerodown:fleet:'}${this.service}`;
  }

  /** One attempt to take (or renew) a slot; returns whether it was taken and the current holders. */
  async tryAcquire(holder: string): Promise<{ acquired: boolean; holders: string[] }> {
    const [ok, holders] = await this.run(ACQUIRE, holder, this.limit, this.ttlMs);
    return { acquired: ok === 1, holders };
  }

  /** Takes a slot, waiting (full-jitter backoff, up to 2 s between attempts) until `timeoutMs`. */
  async acquire(holder: string, options: FleetAcquireOptions = {}): Promise<void> {
    const t0 = performance.now();
    const timeoutMs = options.timeoutMs ?? 0;
    for (let attempt = 0; ; attempt++) {
      const { acquired, holders } = await this.tryAcquire(holder);
      if (acquired) return;
      const elapsed = performance.now() - t0;
      if (elapsed >= timeoutMs || options.signal?.aborted) throw new FleetLockTimeoutError(this.service, this.limit, holders, Math.round(elapsed));
      options.onWait?.(holders, Math.round(elapsed));
      await sleep(Math.min(timeoutMs - elapsed, 50 + fullJitter(attempt, 100, 2000)), options.signal).catch(() => {});
    }
  }

  /** Renews a slot this holder has (takes it again if it expired and one is free). */
  async renew(holder: string): Promise<boolean> {
    return (await this.tryAcquire(holder)).acquired;
  }

  /** Gives the slot back; returns whether the holder had one. */
  async release(holder: string): Promise<boolean> {
    const [removed] = await this.run(RELEASE, holder);
    return removed === 1;
  }

  /** Current holders (expired ones dropped). */
  async holders(): Promise<string[]> {
    const [, holders] = await this.run(RELEASE, '\u0000none');
    return holders;
  }

  private async run(script: string, ...args: Array<string | number>): Promise<[number, string[]]> {
    let r: unknown;
    try {
      r = await this.redis.call('EVAL', script, 1, this.key, ...args);
    } catch (error) {
      throw new FleetGuardError(`fleet guard: Redis command failed: ${(error as Error).message}`, { cause: error });
    }
    if (!Array.isArray(r) || typeof r[0] !== 'number' || !Array.isArray(r[1])) throw new FleetGuardError('fleet guard: unexpected answer from Redis');
    return [r[0], (r[1] as unknown[]).map(String)];
  }
}
