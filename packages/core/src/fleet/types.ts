import type { RedisClient } from '../util/redis-client';

/** The ioredis client fleet mode uses: the one Redis client interface, shared with the fleet guard. */
export type { RedisClient as FleetRedis } from '../util/redis-client';

/** The `fleet` option: coordination of several instances through Redis (ElastiCache in production). */
export interface FleetOptions {
  /** The ioredis client (required to turn fleet mode on). */
  redis?: RedisClient;
  /** Namespace of every key. Default `zerodown:<serviceName>`. */
  keyPrefix?: string;
  /** A Redis command slower than this counts as Redis trouble (ms). Default 250. */
  commandTimeoutMs?: number;
  /** How often an instance shares its breaker states and reads the fleet's (ms). Default 1000. */
  syncIntervalMs?: number;
  /** An instance opens a breaker when this share of live instances report it open (0-1]. Default 0.5. */
  openShare?: number;
  /** An instance that stopped reporting counts as gone after this (ms). Default 3 × syncIntervalMs. */
  instanceTtlMs?: number;
  /** How long the fleet remembers an alert key's last state (ms). Default 86400000. */
  alertStateTtlMs?: number;
}

/** Fleet options after defaults (without the client). */
export interface ResolvedFleetOptions {
  redis: RedisClient | undefined;
  keyPrefix: string;
  commandTimeoutMs: number;
  syncIntervalMs: number;
  openShare: number;
  instanceTtlMs: number;
  alertStateTtlMs: number;
}

/** Applies defaults to the `fleet` option. */
export function resolveFleetOptions(o: FleetOptions | undefined, serviceName: string | undefined): ResolvedFleetOptions {
  const syncIntervalMs = o?.syncIntervalMs ?? 1000;
  return {
    redis: o?.redis,
    keyPrefix: o?.keyPrefix ?? `zerodown:${serviceName ?? 'default'}`,
    commandTimeoutMs: o?.commandTimeoutMs ?? 250,
    syncIntervalMs,
    openShare: o?.openShare ?? 0.5,
    instanceTtlMs: o?.instanceTtlMs ?? syncIntervalMs * 3,
    alertStateTtlMs: o?.alertStateTtlMs ?? 86400000,
  };
}
