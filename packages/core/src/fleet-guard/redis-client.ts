import type { RedisClient } from '../util/redis-client';
import { FleetGuardError } from './errors';

/** The Redis client the fleet guard uses: the one Redis client interface, shared with fleet mode. */
export type { RedisClient as FleetRedisClient } from '../util/redis-client';

/** Replaces the password (and user) of a `redis://` URL so it can be shown. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid redis URL>';
  }
}

/** Removes a URL's password from a text (an error message that echoes its input). */
export function redactSecretsIn(text: string, url: string): string {
  try {
    const { password } = new URL(url);
    if (!password) return text;
    return text.split(password).join('***').split(decodeURIComponent(password)).join('***');
  } catch {
    return text;
  }
}

/**
 * Connects to Redis with ioredis, loaded on first use (an optional peer dependency). Fails fast: one
 * connect attempt bounded by `timeoutMs`, errors without the password. The caller closes the client
 * with `quit()`.
 */
export async function connectFleetRedis(url: string, timeoutMs = 5000): Promise<RedisClient & { quit(): Promise<unknown> }> {
  type RedisCtor = new (url: string, options: Record<string, unknown>) => RedisClient & { quit(): Promise<unknown>; connect(): Promise<void>; on(ev: string, fn: (e: Error) => void): void };
  let Redis: RedisCtor;
  try {
    const mod = (await import('ioredis')) as unknown as { default?: RedisCtor & { default?: RedisCtor }; Redis?: RedisCtor };
    Redis = (mod.Redis ?? mod.default?.default ?? mod.default) as RedisCtor;
  } catch (error) {
    throw new FleetGuardError('the fleet guard needs ioredis: install it with `npm install ioredis`', { cause: error });
  }
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: Error | undefined;
  client.on('error', (e) => (lastError = e)); // reported through the failing command
  try {
    await client.connect();
  } catch (error) {
    const why = lastError?.message ?? (error as Error).message;
    throw new FleetGuardError(`fleet guard: could not connect to Redis at ${redactRedisUrl(url)}: ${redactSecretsIn(why, url)}`);
  }
  return client;
}
