/**
 * The part of an ioredis client (`Redis` or `Cluster`) zerodown uses, shared by fleet mode (`fleet/`) and
 * the fleet guard (`fleet-guard/`): the connection `status` and the generic `call` (every command, `EVAL`
 * included, goes through it). Pass your own client, ideally made with `enableOfflineQueue: false` so
 * commands fail at once while Redis is down.
 */
export interface RedisClient {
  /** ioredis connection status; fleet mode sends commands only while it is `ready`. */
  readonly status: string;
  /** Sends one Redis command (ioredis `call`). */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}
