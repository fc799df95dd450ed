import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { request } from 'undici';
import { ZerodownConfigError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { SHEDDING_DEFAULTS, Shedder } from './shedder';
import { closeServer } from '../../../../test/helpers/http-server';
import { waitFor } from '../../../../test/helpers/wait';

// Real Shedder (real event-loop histogram), a real node:http server for the 503 answer.

const blockFor = (ms: number): void => {
  const end = Date.now() + ms;
  // sleep-ok: blocking the event loop is the load these tests shed
  while (Date.now() < end) {
    /* block the event loop */
  }
};

/**
 * A witness histogram with the shedder's resolution: once it has recorded a tick (or a delay), the
 * shedder's own histogram, whose timer was due no later, has recorded it too.
 */
const witnessHistogram = (): IntervalHistogram => {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return h;
};

describe('Shedder', () => {
  const shedders: Shedder[] = [];
  const witnesses: IntervalHistogram[] = [];
  afterEach(() => {
    for (const s of shedders.splice(0)) s.dispose();
    for (const w of witnesses.splice(0)) w.disable();
  });

  test('disabled (the default): never sheds and runs no sampler', () => {
    const s = new Shedder(SHEDDING_DEFAULTS, silentLogger);
    shedders.push(s);
    blockFor(50);
    expect(s.evaluate()).toBe(false);
    expect(s.shouldShed()).toBe(false);
  });

  test('set() throws when shedding is disabled (every adapter then behaves the same: nothing is ever shed)', () => {
    const s = new Shedder(SHEDDING_DEFAULTS, silentLogger);
    shedders.push(s);
    expect(() => s.set(true)).toThrow(ZerodownConfigError);
    expect(() => s.set(true)).toThrow(/shedding\.enabled/);
    expect(s.shouldShed()).toBe(false);
  });

  const recording = (): Logger & { logs: string[] } => {
    const logs: string[] = [];
    const at = (level: string) => ((_o: unknown, msg?: string) => void logs.push(`${level} ${msg}`)) as Logger['warn'];
    return { ...silentLogger, logs, warn: at('warn'), info: at('info') };
  };

  test('sheds after the loop was blocked past the threshold, and stops once it is quiet again', async () => {
    const logger = recording();
    // a long interval: the test drives evaluate() itself
    // (a threshold well above what a loaded CI machine shows by itself)
    const s = new Shedder({ ...SHEDDING_DEFAULTS, enabled: true, eventLoopDelayMs: 150, sampleIntervalMs: 60000 }, logger);
    shedders.push(s);
    const w = witnessHistogram();
    witnesses.push(w);
    await waitFor(() => w.count >= 2, 5000, 'the delay histograms to tick', 5);
    s.evaluate();
    w.reset();
    await waitFor(() => w.count >= 2, 5000, 'the delay histograms to tick after a reset', 5);
    blockFor(400);
    await waitFor(() => w.max / 1e6 >= 350, 5000, 'the delay histograms to record the block', 5);
    expect(s.evaluate()).toBe(true);
    expect(s.shouldShed()).toBe(true);
    // quiet again: stops within a generous bound (each evaluate looks at the delay since the previous one)
    await waitFor(() => !s.evaluate(), 10000, 'the shedder to see a quiet loop', 100);
    expect(s.shouldShed()).toBe(false);
    expect(logger.logs).toEqual([expect.stringMatching(/^warn .*shedding load/), expect.stringMatching(/^info .*stopped shedding/)]);
  });

  test('a block that starts right after a sample is still seen (the sampler measures its own lateness)', async () => {
    const s = new Shedder({ ...SHEDDING_DEFAULTS, enabled: true, eventLoopDelayMs: 60, sampleIntervalMs: 50 }, recording());
    shedders.push(s);
    const w = witnessHistogram();
    witnesses.push(w);
    await waitFor(() => w.count >= 2, 5000, 'the sampler to run', 5);
    s.evaluate(); // resets the histogram, whose first tick after a reset is dropped
    blockFor(200);
    await waitFor(() => s.shouldShed(), 5000, 'the sampler to shed', 5);
    expect(s.shouldShed()).toBe(true);
    await waitFor(() => !s.shouldShed(), 10000, 'the sampler to stop shedding', 10);
    expect(s.shouldShed()).toBe(false);
  });

  describe('the 503 answer', () => {
    let server: Server | undefined;
    afterEach(async () => {
      if (server) await closeServer(server);
      server = undefined;
    });

    test('reject() answers 503 with Retry-After and Connection: close; response() gives the same for frameworks', async () => {
      // enabled with a long interval: the sampler never overrides the forced state during the test
      const s = new Shedder({ ...SHEDDING_DEFAULTS, enabled: true, sampleIntervalMs: 60000, retryAfterSeconds: 9 }, silentLogger);
      shedders.push(s);
      s.set(true);
      server = createServer((req, res) => (s.shouldShed() ? s.reject(res) : res.end('ok')));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const res = await request(url);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('9');
      expect(res.headers.connection).toBe('close');
      expect(await res.body.json()).toEqual({ error: 'overloaded', retry: true });
      expect(s.response()).toEqual({ statusCode: 503, headers: expect.objectContaining({ 'retry-after': '9' }), body: '{"error":"overloaded","retry":true}' });
      s.set(false);
      const ok = await request(url);
      expect(ok.statusCode).toBe(200);
      expect(await ok.body.text()).toBe('ok');
    });
  });
});
