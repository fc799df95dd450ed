import { CheckFailedError, ZerodownConfigError } from '../../errors';
import type { CheckDefinition } from '../types';

/** The part of an ioredis client the Redis check uses (ioredis `Redis` or `Cluster` fit). */
export interface RedisPingClient {
  ping(): Promise<string>;
  readonly status?: string;
  once?(event: 'ready' | 'end', listener: () => void): unknown;
  removeListener?(event: 'ready' | 'end', listener: () => void): unknown;
}

const CONNECTING = new Set(['wait', 'connecting', 'connect']);

/** While the first connection is being made, wait (within the check's timeout) for it instead of failing. */
function whenConnected(client: RedisPingClient, signal: AbortSignal): Promise<void> {
  if (client.status === undefined || client.status === 'ready' || !CONNECTING.has(client.status) || !client.once || !client.removeListener) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const done = (): void => {
      client.removeListener!('ready', done);
      client.removeListener!('end', done);
      signal.removeEventListener('abort', done);
      if (client.status === 'ready') resolve();
      else reject(new CheckFailedError(`redis connection is ${client.status}`));
    };
    client.once!('ready', done);
    client.once!('end', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Redis check through the app's own ioredis client: PING must answer PONG. A client that is not
 * connected fails at once instead of queueing commands behind a dead connection.
 */
export function redisCheck(client: RedisPingClient): CheckDefinition {
  if (!client || typeof client.ping !== 'function') {
    throw new ZerodownConfigError('client', 'redisCheck: expected an ioredis client (an object with ping())');
  }
  return {
    componentType: 'datastore',
    measurement: 'responseTime',
    async run(signal) {
      await whenConnected(client, signal);
      if (client.status !== undefined && client.status !== 'ready') {
        throw new CheckFailedError(`redis connection is ${client.status}`);
      }
      const reply = await client.ping();
      if (reply !== 'PONG') throw new CheckFailedError(`unexpected PING reply ${JSON.stringify(String(reply).slice(0, 40))}`);
    },
  };
}
