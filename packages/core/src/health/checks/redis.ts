import type { CheckDefinition } from '../types';

/** The part of an ioredis client the Redis check uses (ioredis `Redis` or `Cluster` fit). */
export interface RedisPingClient {
  ping(): Promise<string>;
  readonly status?: string;
}

/**
 * Redis check through the app's own ioredis client: PING must answer PONG. A client that is not
 * connected fails at once instead of queueing commands behind a dead connection.
 */
export function redisCheck(client: RedisPingClient): CheckDefinition {
  if (!client || typeof client.ping !== 'function') {
    throw new TypeError('redisCheck: expected an ioredis client (an object with ping())');
  }
  return {
    componentType: 'datastore',
    measurement: 'responseTime',
    async run() {
      if (client.status !== undefined && client.status !== 'ready') {
        throw new Error(`redis connection is ${client.status}`);
      }
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(String(reply).slice(0, 40))}`);
    },
  };
}
