import type { AlertState } from '../alerts/types';
import type { Breaker } from '../breakers/breaker';
import type { BreakerRegistry } from '../breakers/registry';
import type { BreakerState } from '../breakers/types';
import type { Logger } from '../logger';
import type { Disposer } from '../util/emitter';
import { SafeRedis } from './safe-redis';
import type { RedisClient } from '../util/redis-client';
import type { ResolvedFleetOptions } from './types';

/**
 * Firing a fleet-scoped alert key (one Lua call, atomic). KEYS: state, reporters (a sorted set of instance
 * ids scored by expiry). ARGV: instance, now, reporter expiry, state TTL. Adds this instance as a reporter and
 * returns 1 when it must send: the key was not firing, or it was but nobody live reports it any more.
 */
const FIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
local others = redis.call('ZCARD', KEYS[2])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then others = others - 1 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local prev = redis.call('SET', KEYS[1], 'firing', 'PX', ARGV[4], 'GET')
if prev == 'firing' and others > 0 then return 0 end
return 1`;

/**
 * Resolving a fleet-scoped alert key: removes this instance from the reporters (and the expired ones);
 * returns 1 (send) only when no live reporter is left and the key was not already resolved.
 */
const RESOLVE_SCRIPT = `
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
local prev = redis.call('SET', KEYS[1], 'resolved', 'PX', ARGV[4], 'GET')
if prev == 'resolved' then return 0 end
return 1`;

/**
 * Fleet mode over one Redis: a fleet-scoped alert key fires once per state change across the fleet and
 * resolves only when the last instance reporting it recovers (Lua over a state key and a reporter set); one
 * instance at a time holds a breaker's half-open probe lease (`SET NX PX`), and breaker open state is
 * shared (an instance opens when `openShare` of live instances report it open). Every Redis problem falls
 * back to local behaviour; no request ever waits on Redis.
 */
export class FleetCoordinator {
  private readonly redis: SafeRedis;
  private readonly k: {
    instances: string;
    open: string;
    closed: string;
    alert: (key: string) => string;
    reporters: (key: string) => string;
    probe: (name: string) => string;
  };
  /** Fleet-scoped alert keys this instance reports firing (refreshed on every sync so they do not expire). */
  private readonly reporting = new Set<string>();
  private readonly openedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Disposer | undefined;
  private syncing = false;

  /**
   * @param instanceId this instance's id in the fleet (`alerts.instanceId`, default `<hostname>:<pid>`);
   * two live instances must never share one.
   */
  constructor(
    client: RedisClient,
    private readonly options: ResolvedFleetOptions,
    private readonly logger: Logger,
    readonly instanceId: string,
  ) {
    this.redis = new SafeRedis(client, options.commandTimeoutMs, logger);
    const p = options.keyPrefix;
    // the {hash tag} keeps an alert's state and reporters in one cluster slot (the Lua scripts use both)
    this.k = {
      instances: `${p}:instances`,
      open: `${p}:breakers:open`,
      closed: `${p}:breakers:closed`,
      alert: (key) => `${p}:alert:{${key}}`,
      reporters: (key) => `${p}:alert:{${key}}:reporters`,
      probe: (name) => `${p}:breaker:${name}:probe`,
    };
  }

  /** True while Redis is not usable (local behaviour). */
  get degraded(): boolean {
    return this.redis.unavailable;
  }

  /**
   * Alert deduper for fleet-scoped keys: `firing` records this instance as a reporter and is sent only by
   * the instance that turned the key to firing; `resolved` removes it and is sent only when no live
   * instance reports the key any more. True (send locally) whenever Redis cannot answer.
   */
  readonly dedupe = async (key: string, state: AlertState): Promise<boolean> => {
    const now = Date.now();
    if (state === 'firing') this.reporting.add(key);
    else this.reporting.delete(key);
    const script = state === 'firing' ? FIRE_SCRIPT : RESOLVE_SCRIPT;
    const r = await this.redis.call('EVAL', script, 2, this.k.alert(key), this.k.reporters(key), this.instanceId, now, now + this.options.instanceTtlMs, this.options.alertStateTtlMs);
    if (!r) return true;
    return Number(r.value) === 1;
  };

  /** Starts sharing breaker states and the probe lease for every breaker of `breakers`. */
  attach(breakers: BreakerRegistry): void {
    this.unsubscribe = breakers.on('state', (_name, state, previous, breaker) => this.onState(breaker, state, previous));
    this.timer = setInterval(() => void this.sync(breakers), this.options.syncIntervalMs);
    this.timer.unref();
    void this.sync(breakers);
  }

  /** Shares states and reads the fleet's once (the timer calls it). */
  async sync(breakers: BreakerRegistry): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const now = Date.now();
      const all = breakers.all();
      const writes: Promise<unknown>[] = [
        this.redis.call('ZADD', this.k.instances, now + this.options.instanceTtlMs, this.instanceId),
        this.redis.call('ZREMRANGEBYSCORE', this.k.instances, '-inf', now),
      ];
      for (const b of all) if (this.reportsOpen(b)) writes.push(this.report(b.name));
      for (const key of this.reporting) {
        writes.push(this.redis.call('ZADD', this.k.reporters(key), now + this.options.instanceTtlMs, this.instanceId));
        writes.push(this.redis.call('PEXPIRE', this.k.reporters(key), this.options.alertStateTtlMs));
      }
      await Promise.all(writes);
      const [count, open, closed] = await Promise.all([
        this.redis.call('ZCARD', this.k.instances),
        this.redis.call('HGETALL', this.k.open),
        this.redis.call('HGETALL', this.k.closed),
      ]);
      if (!count || !open || !closed) return;
      const instances = Math.max(1, Number(count.value));
      const closedAt = toMap(closed.value);
      const openers = new Map<string, number>();
      const stale: string[] = [];
      for (const [field, v] of toMap(open.value)) {
        const [name = '', instance = ''] = field.split('|');
        const [opened = 0, expires = 0] = v.split(':').map(Number);
        if (expires < now || opened < Number(closedAt.get(name) ?? 0)) {
          stale.push(field);
          continue;
        }
        if (instance !== this.instanceId) openers.set(name, (openers.get(name) ?? 0) + 1);
      }
      if (stale.length > 0) void this.redis.call('HDEL', this.k.open, ...stale);
      for (const b of all) {
        const mineOpen = this.reportsOpen(b) ? 1 : 0;
        const share = ((openers.get(b.name) ?? 0) + mineOpen) / instances;
        const lastClose = Number(closedAt.get(b.name) ?? 0);
        if (b.currentState !== 'closed' && lastClose > (this.openedAt.get(b.name) ?? Infinity)) {
          this.logger.info({ breaker: b.name }, `zerodown: breaker "${b.name}" closed by the fleet's probe`);
          b.close();
        } else if (b.currentState === 'closed' && (openers.get(b.name) ?? 0) > 0 && share >= this.options.openShare) {
          this.logger.warn({ breaker: b.name, share }, `zerodown: breaker "${b.name}" opened: ${Math.round(share * 100)}% of the fleet sees it open`);
          b.fleetOpen = true;
          b.open();
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Stops syncing and withdraws this instance (best effort). */
  dispose(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    void this.redis.call('ZREM', this.k.instances, this.instanceId);
  }

  private reportsOpen(b: Breaker): boolean {
    return b.currentState !== 'closed' && !b.fleetOpen;
  }

  private report(name: string): Promise<unknown> {
    const opened = this.openedAt.get(name) ?? Date.now();
    return this.redis.call('HSET', this.k.open, `${name}|${this.instanceId}`, `${opened}:${Date.now() + this.options.instanceTtlMs}`);
  }

  private onState(b: Breaker, state: BreakerState, previous: BreakerState): void {
    if (previous === 'closed') this.openedAt.set(b.name, Date.now());
    if (state === 'open' && previous === 'closed' && !b.fleetOpen) void this.report(b.name);
    else if (state === 'half-open') void this.acquireProbe(b);
    else if (state === 'closed') {
      this.openedAt.delete(b.name);
      void this.redis.call('HDEL', this.k.open, `${b.name}|${this.instanceId}`);
      if (previous === 'half-open') void this.redis.call('HSET', this.k.closed, b.name, Date.now());
    }
  }

  /** Half-open: fail fast until the lease is settled; without the lease, open again (another instance probes). */
  private async acquireProbe(b: Breaker): Promise<void> {
    b.holdProbe = true;
    try {
      const resetMs = b.resetTimeoutMs;
      const r = await this.redis.call('SET', this.k.probe(b.name), this.instanceId, 'NX', 'PX', resetMs);
      if (r && r.value !== 'OK' && b.currentState === 'half-open') {
        this.logger.debug({ breaker: b.name }, 'zerodown: another instance holds the probe lease');
        b.holdProbe = false;
        b.open();
        return;
      }
    } finally {
      b.holdProbe = false;
    }
  }
}

function toMap(v: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) m.set(String(v[i]), String(v[i + 1]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) m.set(k, String(x));
  return m;
}
