/**
 * Issue 7 items 8 and 11 (config/auth): no config error or log line carries a secret; health tokens that
 * can never match, uncatchable or unknown signals are rejected up front; an invalid env value is blamed
 * on the env variable.
 */
import { createServer, type Server } from 'node:http';
import { zerodown, ZerodownConfigError, silentLogger, createDefaultLogger, webhookSink, type Alert } from '../index';
import { redactText } from './redact';

const SECRET = 's3cr3t-VALUE-0123456789';
const base = { logger: silentLogger, drain: { signals: false as const } };

/** What `fn` threw (undefined when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}
function configError(fn: () => unknown): ZerodownConfigError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ZerodownConfigError);
  return e as ZerodownConfigError;
}

/** The whole error as a user could see it: message, fields, JSON and inspection. */
function everything(e: Error): string {
  return [e.message, String(e), JSON.stringify(e), JSON.stringify({ ...e }), e.stack ?? ''].join('\n');
}

describe('config errors never print a secret', () => {
  test.each([
    ['a webhook whose header value is not a string (the whole object was printed)', { webhook: { url: 'https://hooks.example/x', headers: { Authorization: `Bearer ${SECRET}`, 'X-Retry': 3 } } }, 'alerts.webhook.headers.X-Retry'],
    ['a webhook with an unknown option', { webhook: { url: 'https://hooks.example/x', headers: { authorization: `Bearer ${SECRET}` }, retry: 3 } }, 'alerts.webhook.retry'],
    ['a webhook URL with credentials and a bad scheme', { webhook: { url: `ftp://user:${SECRET}@hooks.example/x` } }, 'alerts.webhook.url'],
    ['a webhook URL with a token in the query and a space', { webhook: { url: `https://hooks.example/x y?token=${SECRET}` } }, 'alerts.webhook.url'],
    ['a webhook given as a URL string with credentials', { webhook: `https://user:${SECRET}@hooks.example/x` }, 'alerts.webhook'],
    ['rollbar given as options with an access token', { rollbar: { accessToken: SECRET } }, 'alerts.rollbar'],
    ['an x-api-key header in an array of webhooks', { webhook: [{ url: 'https://a.example', headers: { 'x-api-key': SECRET, cookie: SECRET } }, { url: 'nope' }] }, 'alerts.webhook.1.url'],
  ])('%s', (_what, alerts, field) => {
    const e = configError(() => zerodown({ ...base, env: {}, alerts: alerts as never }));
    expect(e.field).toBe(field);
    expect(everything(e)).not.toContain(SECRET);
    expect(e.message).toMatch(/expected|unknown option/);
  });

  test('a password in a fleet redis option object, and any value under a secret-named field', () => {
    const e = configError(() => zerodown({ ...base, env: {}, fleet: { redis: { host: 'r', password: SECRET } as never } }));
    expect(e.field).toBe('fleet.redis');
    expect(everything(e)).not.toContain(SECRET);
    expect(e.message).toContain('<redacted>');
    const t = configError(() => zerodown({ ...base, env: {}, health: { token: 42 as never } }));
    expect(t.message).not.toContain('42');
  });

  test('ROLLBAR_ENDPOINT that is not an http(s) URL is blamed on the variable, without its credentials', () => {
    const e = configError(() => zerodown({ ...base, env: { ROLLBAR_ACCESS_TOKEN: SECRET, ROLLBAR_ENDPOINT: `ftp://u:${SECRET}@rollbar.local/api?access_token=${SECRET}` } }));
    expect(e.field).toBe('ROLLBAR_ENDPOINT');
    expect(e.message).toMatch(/invalid environment variable ROLLBAR_ENDPOINT: expected an http\(s\) URL/);
    expect(everything(e)).not.toContain(SECRET);
  });

  test('redactText removes URL userinfo, query strings and auth-scheme credentials', () => {
    expect(redactText(`see https://bob:${SECRET}@h.example:8080/p?q=${SECRET}#frag and Authorization: Bearer ${SECRET}, basic ${SECRET}`)).toBe(
      'see https://<redacted>@h.example:8080/p?<redacted>#frag and Authorization: Bearer <redacted>, basic <redacted>',
    );
  });
});

describe('health token, signals and env blame (issue 7 item 11)', () => {
  test.each([
    ['a space', `abcdefgh ${SECRET}`, /whitespace/],
    ['a trailing newline', `${SECRET}\n`, /whitespace/],
    ['a control character', `${SECRET}\x01`, /control character/],
    ['non-ASCII', `${SECRET}é`, /non-ASCII/],
    ['more than 512 characters', SECRET + 'x'.repeat(600), /more than 512/],
    ['fewer than 16 characters', 'short', /fewer than 16/],
  ])('a health token with %s can never match a Bearer header: rejected, from the option or the env, never quoted', (_what, token, why) => {
    const e = configError(() => zerodown({ ...base, env: {}, health: { token } }));
    expect(e.field).toBe('health.token');
    expect(e.message).toMatch(/invalid option "health.token": expected 16 to 512 printable ASCII characters/);
    expect(e.message).toMatch(why);
    expect(e.message).not.toContain(token.trim());
    const env = configError(() => zerodown({ ...base, env: { ZERODOWN_HEALTH_TOKEN: token } }));
    expect(env.field).toBe('ZERODOWN_HEALTH_TOKEN');
    expect(env.message).toMatch(/invalid environment variable ZERODOWN_HEALTH_TOKEN/);
    expect(env.message).not.toContain(token.trim());
  });

  test('a 512-character printable token is accepted', () => {
    const zd = zerodown({ ...base, env: {}, health: { token: 'A'.repeat(512), eventLoopStallMs: 0 }, control: { socket: false } });
    expect(zd.options.health.token).toHaveLength(512);
    zd.dispose();
  });

  test.each([['SIGKILL'], ['SIGSTOP'], ['SIGFOO'], ['SIGSEGV']])('drain.signals with %s is rejected before any signal handler is installed', (sig) => {
    const before = ['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => process.listenerCount(s));
    const e = configError(() => zerodown({ logger: silentLogger, env: {}, control: { socket: false }, health: { eventLoopStallMs: 0 }, drain: { exit: false, signals: ['SIGTERM', 'SIGHUP', sig as NodeJS.Signals] } }));
    expect(e.field).toBe('drain.signals.2');
    expect(e.message).toContain(`"${sig}"`);
    expect(e.message).toMatch(/signal names this platform knows that the process can catch/);
    expect(['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => process.listenerCount(s))).toEqual(before);
  });

  test('a drain timeout set only by env that is not above the delay is blamed on ZERODOWN_DRAIN_TIMEOUT_MS', () => {
    const e = configError(() => zerodown({ ...base, env: { ZERODOWN_DRAIN_TIMEOUT_MS: '5000' } }));
    expect(e.field).toBe('ZERODOWN_DRAIN_TIMEOUT_MS');
    expect(e.message).toMatch(/invalid environment variable ZERODOWN_DRAIN_TIMEOUT_MS: expected more than the default drain delay .* \(10000\), got 5000/);
    const both = configError(() => zerodown({ ...base, env: { ZERODOWN_DRAIN_DELAY_MS: '8000', ZERODOWN_DRAIN_TIMEOUT_MS: '8000' } }));
    expect(both.field).toBe('ZERODOWN_DRAIN_TIMEOUT_MS');
    expect(both.message).toMatch(/expected more than ZERODOWN_DRAIN_DELAY_MS \(8000\), got 8000/);
    const code = configError(() => zerodown({ ...base, env: { ZERODOWN_DRAIN_DELAY_MS: '8000' }, drain: { signals: false, timeoutMs: 7000 } }));
    expect(code.field).toBe('drain.timeoutMs');
    expect(code.message).toMatch(/invalid option "drain.timeoutMs": expected more than ZERODOWN_DRAIN_DELAY_MS \(8000\), got 7000/);
  });

  test('every env-backed option names its variable when only the env sets it', () => {
    expect(configError(() => zerodown({ ...base, env: { ZERODOWN_DRAIN_DELAY_MS: '-1' } })).field).toBe('ZERODOWN_DRAIN_DELAY_MS');
    expect(configError(() => zerodown({ ...base, env: { ZERODOWN_DRAIN_TIMEOUT_MS: '0' } })).field).toBe('ZERODOWN_DRAIN_TIMEOUT_MS');
    expect(configError(() => zerodown({ ...base, env: { ZERODOWN_HEALTH_TOKEN: 'tiny' } })).field).toBe('ZERODOWN_HEALTH_TOKEN');
    expect(configError(() => zerodown({ ...base, env: { ZERODOWN_CONTROL_SOCKET: '/x/' + 'y'.repeat(200) } })).field).toBe('ZERODOWN_CONTROL_SOCKET');
    expect(configError(() => zerodown({ ...base, env: { ROLLBAR_ACCESS_TOKEN: SECRET, ROLLBAR_ENDPOINT: 'not a url' } })).field).toBe('ROLLBAR_ENDPOINT');
  });
});

describe('the webhook sink never logs a secret', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.statusCode = req.url?.startsWith('/reject') ? 401 : 503;
      res.end(`denied for ${req.headers.authorization}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test('rejected, failing and unreachable webhooks log the host only', async () => {
    const lines: string[] = [];
    const logger = createDefaultLogger('debug', (l) => lines.push(l));
    const alert = { key: 'k', state: 'firing', level: 'error', title: 't' } as unknown as Alert;
    const urls = [`http://user:${SECRET}@127.0.0.1:${port}/reject?token=${SECRET}`, `http://user:${SECRET}@127.0.0.1:${port}/fail?token=${SECRET}`, `http://user:${SECRET}@127.0.0.1:1/x?token=${SECRET}`];
    for (const url of urls) {
      const sink = webhookSink({ url, headers: { Authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET }, retries: 0, timeoutMs: 5000 }, logger);
      sink.send(alert);
      await sink.flush!(AbortSignal.timeout(10000));
      sink.dispose?.();
    }
    expect(lines.join('')).toMatch(/alert webhook rejected[\s\S]*alert webhook failed[\s\S]*alert webhook unreachable/);
    expect(lines.join('')).not.toContain(SECRET);
  });
});
