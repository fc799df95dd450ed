import { zerodown, ZerodownConfigError, silentLogger } from '../index';
import { DEFAULTS } from './options';

function configError(fn: () => unknown): ZerodownConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ZerodownConfigError);
    return error as ZerodownConfigError;
  }
  throw new Error('expected a ZerodownConfigError');
}

const base = { logger: silentLogger, drain: { signals: false as const } };

describe('configuration', () => {
  test.each([
    [{ drain: { timeoutMs: -5 } }, 'drain.timeoutMs', /expected a whole number of milliseconds between 1 and \d+, got -5/],
    [{ drain: { delayMs: '10s' } }, 'drain.delayMs', /got "10s"/],
    [{ drain: { hookBudgetMs: 0 } }, 'drain.hookBudgetMs', /expected a whole number of milliseconds between 1 and \d+, got 0/],
    [{ runtime: { now: () => 0 } }, 'runtime', /expected an object with now, setTimeout, clearTimeout, onSignal and exit functions/],
    [{ health: { paths: { ready: 'readyz' } } }, 'health.paths.ready', /expected a path starting with "\/"/],
    [{ health: { intervalMs: 5 } }, 'health.intervalMs', /between 100 and/],
    [{ health: { eventLoopIntervalMs: 50 } }, 'health.eventLoopIntervalMs', /between 100 and/],
    [{ monitors: { diskIntervalMs: 5 } }, 'monitors.diskIntervalMs', /between 10 and/],
    [{ drian: {} }, 'drian', /unknown option "drian"/],
    [{ health: { exposeDetail: true } }, 'health.exposeDetail', /unknown option/],
    [{ drain: { signals: ['TERM'] } }, 'drain.signals.0', /signal names/],
    [{ loadBalancer: { unhealthyThreshold: 0 } }, 'loadBalancer.unhealthyThreshold', /between 1 and 10, got 0/],
    [{ logger: { info: () => {} } }, 'logger.error', /a function/],
  ])('%j fails fast naming %s', (opts, field, message) => {
    const e = configError(() => zerodown({ ...base, ...(opts as object), drain: { signals: false, ...((opts as { drain?: object }).drain ?? {}) } }));
    expect(e.field).toBe(field);
    expect(e.code).toBe('ZERODOWN_CONFIG');
    expect(e.message).toMatch(message);
  });

  test('the health token never appears in an error message', () => {
    const e = configError(() => zerodown({ ...base, health: { token: 'short' } }));
    expect(e.field).toBe('health.token');
    expect(e.message).not.toContain('short');
    expect(e.message).toContain('<redacted>');
    const e2 = configError(() => zerodown({ ...base, env: { ZERODOWN_HEALTH_TOKEN: 'tiny' } }));
    expect(e2.field).toBe('ZERODOWN_HEALTH_TOKEN');
    expect(e2.message).not.toContain('tiny');
  });

  test('bad env values name the variable', () => {
    const e = configError(() => zerodown({ ...base, env: { ZERODOWN_DRAIN_TIMEOUT_MS: 'soon' } }));
    expect(e.field).toBe('ZERODOWN_DRAIN_TIMEOUT_MS');
    expect(e.message).toMatch(/got "soon"/);
  });

  test('the deadline must exceed the delay', () => {
    const e = configError(() => zerodown({ ...base, drain: { signals: false, delayMs: 5000, timeoutMs: 4000 } }));
    expect(e.field).toBe('drain.timeoutMs');
  });

  test('code wins over env, env over defaults; defaults match the documented ones', () => {
    const zd = zerodown({ ...base, env: { ZERODOWN_DRAIN_DELAY_MS: '1234', ZERODOWN_DRAIN_TIMEOUT_MS: '9999' }, drain: { signals: false, timeoutMs: 7777 } });
    expect(zd.options.drain.delayMs).toBe(1234);
    expect(zd.options.drain.timeoutMs).toBe(7777);
    zd.dispose();
    const d = zerodown({ ...base, env: {} });
    expect(d.options.drain.delayMs).toBe(DEFAULTS.loadBalancer.healthCheckIntervalMs * DEFAULTS.loadBalancer.unhealthyThreshold);
    expect(d.options.drain.delayMs).toBe(10000);
    expect(d.options.drain.timeoutMs).toBe(40000);
    expect(d.options.drain.hookBudgetMs).toBe(10000); // README: drain.hookBudgetMs default
    expect(d.options.health.paths).toEqual({ live: '/livez', ready: '/readyz', health: '/health' });
    expect(d.options.health.exposeDetails).toBe(false);
    expect(d.options.loadBalancer.idleTimeoutMs).toBe(60000);
    // README / docs/breakers-and-alerts.md: the background cadence (issue 9)
    expect(d.health.get('eventloop')?.intervalMs).toBe(10000);
    expect(d.options.monitors.intervalMs).toBe(10000);
    expect(d.options.monitors.diskIntervalMs).toBe(60000);
    d.dispose();
    const fast = zerodown({ ...base, env: {}, control: { socket: false }, health: { eventLoopIntervalMs: 500 } });
    expect(fast.health.get('eventloop')?.intervalMs).toBe(500);
    fast.dispose();
  });
});

test('a pino logger is used as itself (not a copy that loses its symbol-keyed state) and logs', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pino = require('pino') as (o: object, stream: { write(s: string): void }) => import('../logger').Logger;
  const lines: string[] = [];
  const logger = pino({}, { write: (s: string) => void lines.push(s) });
  const zd = zerodown({ logger, drain: { signals: false }, control: { socket: false }, monitors: false });
  try {
    expect(zd.options.logger).toBe(logger);
    zd.options.logger.warn({ code: 'X' }, 'hello');
    expect(lines.join('')).toContain('"msg":"hello"');
  } finally {
    zd.dispose();
  }
});

