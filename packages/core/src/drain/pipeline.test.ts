import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { zerodown, type Zerodown, type ZerodownOptions } from '../index';
import { ZerodownError } from '../errors';
import type { Logger } from '../logger';
import type { Alert } from '../alerts/types';
import { FakeRuntime, settle } from './fake-runtime';
import { SIGNAL_DEBOUNCE_MS } from './signals';
import { waitFor } from '../../../../test/helpers/wait';

// Fast unit tests of each drain fault with fake time (the runtime object); the end-to-end matrix with
// real processes is in test/faults/.

interface Line {
  level: 'error' | 'warn' | 'info' | 'debug';
  msg: string;
  obj: Record<string, unknown>;
}

function recordingLogger(): Logger & { lines: Line[]; has(level: Line['level'], re: RegExp): boolean } {
  const lines: Line[] = [];
  const fn = (level: Line['level']) => (a: object | string, b?: string) => lines.push(typeof a === 'string' ? { level, msg: a, obj: {} } : { level, msg: b ?? '', obj: a as Record<string, unknown> });
  return { lines, error: fn('error'), warn: fn('warn'), info: fn('info'), debug: fn('debug'), has: (level, re) => lines.some((l) => l.level === level && re.test(l.msg)) };
}

const opened: Array<{ zd: Zerodown; server?: http.Server }> = [];
afterEach(async () => {
  for (const { zd, server } of opened.splice(0)) {
    zd.dispose();
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }
});

function make(drain: NonNullable<ZerodownOptions['drain']>, extra: Partial<ZerodownOptions> = {}) {
  const rt = new FakeRuntime();
  const logger = recordingLogger();
  const zd = zerodown({ logger, runtime: rt, control: { socket: false }, monitors: false, health: { eventLoopStallMs: 0 }, drain: { delayMs: 0, timeoutMs: 1000, ...drain }, ...extra });
  opened.push({ zd });
  return { zd, rt, logger };
}

/** A real server on 127.0.0.1 whose /hang requests never answer; returns the port. */
async function attachHangingServer(zd: Zerodown): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/hang') res.end('ok');
  });
  opened.push({ zd, server });
  zd.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A real server on 127.0.0.1 answering every request after 100 ms; returns the port. */
async function attachSlowServer(zd: Zerodown): Promise<number> {
  const server = http.createServer((_req, res) => setTimeout(() => res.end('ok'), 100));
  opened.push({ zd, server });
  zd.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    }).on('error', reject);
  });
}

function until(cond: () => boolean): Promise<void> {
  return waitFor(cond, 5000, 'a condition', 10);
}

describe('drain pipeline with fake time', () => {
  test('deadline reached: a request whose response had not started gets 503 + Connection: close; hooks still run; exit 1', async () => {
    const { zd, rt, logger } = make({ timeoutMs: 1000, hookTimeoutMs: 500, hookBudgetMs: 2000, flushTimeoutMs: 100 });
    const port = await attachHangingServer(zd);
    const ran: string[] = [];
    zd.onShutdown('db', () => void ran.push('db'));
    zd.onShutdown('hung', () => {
      ran.push('hung');
      return new Promise(() => {});
    });
    const answer = get(port, '/hang');
    await until(() => zd.inflight === 1);
    const done = zd.drain('test');
    await rt.advance(999);
    expect(rt.exits).toEqual([]);
    await rt.advance(1);
    expect(await answer).toEqual({ status: 503, connection: 'close' });
    expect(ran).toEqual(['hung']); // reverse order; the hung one holds up to its own timeout
    await rt.advance(500);
    expect(ran).toEqual(['hung', 'db']);
    const result = await done;
    expect(result).toMatchObject({ forced: true, cut: 1, exitCode: 1 });
    expect(result.cutDetails).toEqual([{ kind: 'request in flight', request: 'GET /hang', answered503: true }]);
    expect(result.hooks.map((h) => [h.name, h.outcome])).toEqual([['hung', 'timeout'], ['db', 'ok']]);
    expect(rt.exits).toEqual([1]);
    expect(logger.has('error', /deadline of 1000 ms reached: cut 1 connection\(s\).*request in flight GET \/hang \(answered 503\)/)).toBe(true);
  });

  test('hook budget: each hook gets min(own timeout, budget left), and every hook is called even once it is spent', async () => {
    const { zd, rt, logger } = make({ hookTimeoutMs: 5000, hookBudgetMs: 6000 });
    const calls: Array<[string, number]> = [];
    for (const name of ['c', 'b', 'a']) zd.onShutdown(name, () => {
      calls.push([name, rt.now()]);
      return new Promise(() => {});
    });
    const done = zd.drain('test');
    await rt.advance(5000);
    await rt.advance(1000);
    await rt.advance(1);
    const result = await done;
    expect(calls).toEqual([['a', 0], ['b', 5000], ['c', 6000]]);
    expect(result.hooks.map((h) => [h.name, h.outcome, h.durationMs])).toEqual([['a', 'timeout', 5000], ['b', 'timeout', 1000], ['c', 'timeout', 1]]);
    expect(result.exitCode).toBe(0); // hook failures do not change the exit code
    expect(logger.has('error', /hook "c" called with 1 ms left: the hook budget of 6000 ms is spent/)).toBe(true);
  });

  test('a failing hook raises an application alert (sent by the final flush)', async () => {
    const sent: Alert[] = [];
    const { zd, rt } = make({}, { alerts: { log: false, sinks: [{ name: 'capture', send: (a) => void sent.push(a) }] } });
    zd.onShutdown('redis', () => {
      throw new Error('connection reset');
    });
    const done = zd.drain('test');
    await rt.advance(10);
    await done;
    const alert = sent.find((a) => a.key.startsWith('application:drain-hook-failed:redis'));
    expect(alert).toMatchObject({ level: 'error', source: 'application' });
    expect(alert!.title).toMatch(/Shutdown hook "redis" failed during the drain/);
  });

  test('a hung flush: the exit code is decided before it, and exit waits for the flush bound on a runtime (ref\'d) timer', async () => {
    const { zd, rt, logger } = make({ flushTimeoutMs: 2000 });
    const port = await attachHangingServer(zd);
    const answer = get(port, '/hang');
    await until(() => zd.inflight === 1);
    zd.onFlush('stuck', () => new Promise(() => {}));
    const done = zd.drain('test');
    await rt.advance(1000); // deadline
    await answer;
    await rt.advance(1999);
    expect(rt.exits).toEqual([]);
    expect(rt.pending).toBeGreaterThan(0); // the flush bound is pending on the runtime's timers
    await rt.advance(1);
    expect((await done).exitCode).toBe(1);
    expect(rt.exits).toEqual([1]);
    expect(logger.has('warn', /flush did not finish within 2000 ms/)).toBe(true);
  });

  test('drain(reason, { delayMs: 0 }) skips the configured delay; the default keeps it', async () => {
    const a = make({ delayMs: 800, timeoutMs: 5000 });
    const done = a.zd.drain('reload', { delayMs: 0 });
    await a.rt.advance(0);
    expect((await done).durationMs).toBe(0);
    const b = make({ delayMs: 800, timeoutMs: 5000 });
    const later = b.zd.drain('test');
    await b.rt.advance(799);
    expect(b.zd.state).toBe('draining');
    await b.rt.advance(1);
    expect((await later).durationMs).toBe(800);
    expect(() => make({}).zd.drain('x', { delayMs: -1 })).toThrow(/delayMs.*expected a whole number of milliseconds >= 0, got -1/);
  });

  test('a crash drain exits 1, also when the crash happens during a drain', async () => {
    const a = make({});
    const crashed = a.zd.drain('uncaughtException', { crash: true });
    await a.rt.advance(1);
    expect((await crashed).exitCode).toBe(1);
    expect(a.rt.exits).toEqual([1]);

    const b = make({ delayMs: 500, timeoutMs: 5000 });
    const running = b.zd.drain('SIGTERM');
    await b.rt.advance(100);
    void b.zd.drain('unhandledRejection', { crash: true });
    await b.rt.advance(400);
    expect((await running).exitCode).toBe(1);
  });
});

describe('signal rules with fake time', () => {
  const opts = { delayMs: 5000, timeoutMs: 20000, signals: ['SIGTERM', 'SIGINT'] as NodeJS.Signals[] };

  test('the first SIGTERM after a drain the app started itself joins it: no forced exit', async () => {
    const { zd, rt, logger } = make(opts);
    const done = zd.drain('api');
    await rt.advance(3000);
    rt.signal('SIGTERM');
    expect(rt.exits).toEqual([]);
    expect(logger.has('info', /SIGTERM received while a drain the app started is running: it joins/)).toBe(true);
    await rt.advance(2000);
    expect((await done).exitCode).toBe(0);
    expect(rt.exits).toEqual([0]);
  });

  test(`the same signal twice within ${SIGNAL_DEBOUNCE_MS} ms does not force the exit`, async () => {
    const { zd, rt, logger } = make(opts);
    rt.signal('SIGTERM');
    await rt.advance(5);
    rt.signal('SIGTERM');
    expect(rt.exits).toEqual([]);
    expect(logger.has('warn', /SIGTERM repeated within 1000 ms of the first: ignored/)).toBe(true);
    await rt.advance(5000);
    expect(zd.state).toBe('stopped');
    expect(rt.exits).toEqual([0]);
  });

  test('a signal after the one that started the drain, outside the window, forces exit 128+n', async () => {
    const { rt, logger } = make(opts);
    rt.signal('SIGTERM');
    await rt.advance(SIGNAL_DEBOUNCE_MS);
    rt.signal('SIGINT');
    expect(rt.exits).toEqual([130]);
    expect(logger.has('error', /second SIGINT: exiting now with code 130/)).toBe(true);
  });

  test('after an API drain, the joining signal starts the window: a second one later forces the exit', async () => {
    const { zd, rt } = make(opts);
    void zd.drain('api');
    await rt.advance(100);
    rt.signal('SIGTERM');
    await rt.advance(SIGNAL_DEBOUNCE_MS + 1);
    rt.signal('SIGTERM');
    expect(rt.exits).toEqual([143]);
  });

  test('listeners are removed when the drain ends and on dispose', async () => {
    const { zd, rt } = make(opts);
    expect(rt.listenerCount('SIGTERM')).toBe(1);
    void zd.drain('api', { delayMs: 0 });
    await rt.advance(1);
    expect(rt.listenerCount('SIGTERM')).toBe(0);
    const b = make(opts);
    b.zd.dispose();
    expect(b.rt.listenerCount('SIGINT')).toBe(0);
  });
});

describe('zd.idle()', () => {
  function timeouts(): number {
    return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  }

  test('is event-driven and abortable: no polling timer, and an aborted wait leaves nothing behind', async () => {
    const { zd } = make({});
    const port = await attachHangingServer(zd);
    const answer = get(port, '/hang');
    await until(() => zd.inflight === 1);
    const before = timeouts();
    const ac = new AbortController();
    const waiting = zd.idle(ac.signal);
    await settle();
    expect(timeouts()).toBe(before); // nothing polls
    ac.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    expect(timeouts()).toBe(before);
    expect(zd.inflight).toBe(1); // still counted once nobody waits
    answer.catch(() => {}); // the server is closed by afterEach
  });

  test('resolves when the last request ends', async () => {
    const { zd } = make({});
    const port = await attachSlowServer(zd);
    const answers = [get(port, '/a'), get(port, '/b')];
    await until(() => zd.inflight === 2);
    await zd.idle();
    expect(zd.inflight).toBe(0);
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual([200, 200]);
  });
});

describe('zd.idle() on keep-alive connections', () => {
  test('a wait counts requests but closes nothing: the next request reuses the kept-alive connection', async () => {
    const { zd } = make({});
    const port = await attachSlowServer(zd);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (): Promise<boolean> =>
      new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
      });
    const first = send();
    await until(() => zd.inflight === 1);
    await zd.idle();
    expect(await first).toBe(false);
    expect(await send()).toBe(true);
    agent.destroy();
  });
});

describe('/health agrees with /readyz when a liveness check fails', () => {
  test('a failing critical liveness check fails /livez, /readyz and /health', async () => {
    const { zd } = make({});
    zd.ready();
    zd.health.register('stuck', () => ({ status: 'fail' as const }), { liveness: true, critical: true });
    await zd.health.runNow('stuck');
    expect(zd.probes.respond('live', 'GET').statusCode).toBe(503);
    expect(zd.probes.respond('ready', 'GET').statusCode).toBe(503);
    expect(zd.probes.respond('health', 'GET').statusCode).toBe(503);
  });
});

test('zd.trackUpgrades refuses what is neither a ws server nor an http server with a ZerodownError naming the field', () => {
  const { zd } = make({});
  let caught: unknown;
  try {
    zd.trackUpgrades({} as never);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ZerodownError);
  expect(caught).toMatchObject({ code: 'ZERODOWN_CONFIG', field: 'trackUpgrades', message: expect.stringMatching(/WebSocketServer .* or a node:http\(s\) server/) });
});
