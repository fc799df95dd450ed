import type { Logger } from '../logger';
import { withTimeout } from '../util/time';
import type { RedisClient } from '../util/redis-client';

/**
 * Runs Redis commands so that Redis trouble never blocks or breaks the caller: not `ready` → skipped at
 * once; slower than the timeout or failing → `undefined`. Says so once in the log, and once on recovery.
 */
export class SafeRedis {
  private down = false;

  constructor(
    private readonly client: RedisClient,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** True while the last command failed. */
  get unavailable(): boolean {
    return this.down;
  }

  /** Runs one command; resolves `undefined` (never rejects) when Redis is not usable. */
  async call(command: string, ...args: (string | number)[]): Promise<{ value: unknown } | undefined> {
    if (this.client.status !== 'ready') {
      this.markDown(new Error(`redis connection is ${this.client.status}`));
      return undefined;
    }
    const r = await withTimeout(() => this.client.call(command, ...args), this.timeoutMs);
    if (!r.ok) {
      this.markDown(r.timedOut ? new Error(`redis ${command} took longer than ${this.timeoutMs} ms`) : r.error);
      return undefined;
    }
    if (this.down) {
      this.down = false;
      this.logger.info({ code: 'ZERODOWN_FLEET' }, 'zerodown: Redis reachable again: fleet coordination resumed');
    }
    return { value: r.value };
  }

  private markDown(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn({ code: 'ZERODOWN_FLEET', err: error }, 'zerodown: Redis unreachable: alerts and breakers fall back to local behaviour until it is back');
  }
}
