import { CheckFailedError, ZerodownConfigError } from '../../errors';
import { undiciRequest } from '../../util/undici';
import type { CheckDefinition } from '../types';

/** Options of {@link httpCheck}. */
export interface HttpCheckOptions {
  /** HTTP method. Default GET. */
  method?: 'GET' | 'HEAD';
  /** Status codes that pass. Default: any 2xx or 3xx. */
  expectStatus?: (status: number) => boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** HTTP upstream check (undici): passes on an expected status within the check's timeout. */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): CheckDefinition {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ZerodownConfigError('url', `httpCheck: expected an http(s) URL, got ${JSON.stringify(target.protocol)}`);
  }
  const expect = options.expectStatus ?? ((s: number) => s >= 200 && s < 400);
  // undici loads when an HTTP check is created (startup), not inside the first run's timeout
  const request = undiciRequest();
  return {
    componentType: 'component',
    measurement: 'responseTime',
    async run(signal) {
      const res = await request(target, { method: options.method ?? 'GET', headers: options.headers, signal });
      await res.body.dump();
      if (!expect(res.statusCode)) throw new CheckFailedError(`upstream answered ${res.statusCode}`);
    },
  };
}
