import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis, { Cluster } from 'ioredis';
import { ZerodownConfigError, zerodown, type Alert, type AlertSink, type Zerodown } from '@zerodown/core';
import { ALERT_DEFAULTS } from '../packages/core/src/alerts/options';
import { waitFor } from './helpers/app-process';
import { closeServer } from './helpers/http-server';

// Options of alerts, monitors, shedding and fleet, checked through the public zerodown() factory.

const quiet = { error() {}, warn() {}, info() {}, debug() {} };
const base = { logger: quiet, drain: { signals: false as const, exit: false }, control: { socket: false as const } };

describe('alerts and monitors options', () => {
  const made: Zerodown[] = [];
  const make = (o: Parameters<typeof zerodown>[0]): Zerodown => {
    const zd = zerodown({ ...base, ...o });
    made.push(zd);
    return zd;
  };
  afterEach(() => {
    for (const zd of made.splice(0)) zd.dispose();
  });

  test('alerts.forMs defaults to 10 s (application and server alerts are debounced)', () => {
    expect(ALERT_DEFAULTS.forMs).toBe(10000);
  });

  test('alerts.enabled: false leaves the server monitors sampling (zd.monitors.latest()), with no alert sent', async () => {
    const seen: Alert[] = [];
    const zd = make({
      alerts: { enabled: false },
      monitors: { intervalMs: 50, eventLoopDelayMs: { threshold: 0, clear: 0, forMs: 0 }, cpuPercent: false, eventLoopUtilization: false, diskFreePercent: false },
    });
    zd.alerts.on('alert', (a) => void seen.push(a));
    expect(zd.monitors).toBeDefined();
    await waitFor(() => zd.monitors!.latest()?.heapUsedPercent !== undefined, 3000, 'a sample');
    expect(zd.monitors!.latest()!.heapUsedPercent).toBeGreaterThan(0);
    // threshold 0 and forMs 0: with alerts on, each of these samples would raise an alert at once
    const first = zd.monitors!.latest();
    await waitFor(() => zd.monitors!.latest() !== first, 5000, 'another sample');
    expect(zd.monitors!.latest()!.eventLoopDelayMs).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual([]);
    expect(zd.alerts.active()).toEqual([]);
  });

  test('a server alert carries the threshold\'s statusPageUrl and on-call metadata, and its key is per instance', async () => {
    const seen: Alert[] = [];
    const sink: AlertSink = { name: 'capture', send: (a) => void seen.push(a) };
    const zd = make({
      alerts: { log: false, sinks: [sink], instanceId: 'web-1' },
      monitors: {
        intervalMs: 50,
        heapUsedPercent: { threshold: 0.0001, forMs: 0, owner: 'sre', runbookUrl: 'https://runbooks.example/heap', statusPageUrl: 'https://status.example/heap', severity: 'SEV2' },
        eventLoopDelayMs: false, eventLoopUtilization: false, cpuPercent: false, diskFreePercent: false,
      },
    });
    await waitFor(() => seen.length > 0, 3000, 'the heap alert');
    expect(seen[0]).toMatchObject({
      key: 'server:heapUsedPercent@web-1', scope: 'instance', instance: 'web-1', source: 'server', state: 'firing',
      owner: 'sre', runbookUrl: 'https://runbooks.example/heap', statusPageUrl: 'https://status.example/heap', severity: 'SEV2',
      details: expect.objectContaining({ metric: 'heapUsedPercent', instance: 'web-1' }),
    });
    expect(zd.monitors).toBeDefined();
  });

  test('a server condition shorter than forMs never pages', async () => {
    const seen: Alert[] = [];
    const zd = make({
      alerts: { log: false, sinks: [{ name: 'capture', send: (a) => void seen.push(a) }], forMs: 400 },
      monitors: { intervalMs: 50, eventLoopDelayMs: { threshold: 150, level: 'critical' }, heapUsedPercent: false, eventLoopUtilization: false, cpuPercent: false, diskFreePercent: false },
    });
    const first = zd.monitors!.latest();
    await waitFor(() => zd.monitors!.latest() !== first, 5000, 'the monitor to sample');
    const end = Date.now() + 250;
    // sleep-ok: blocking the event loop is the condition the monitor must see
    while (Date.now() < end) {
      /* one blip: blocks the event loop once */
    }
    // the sample right after the blip sees it: the condition is raised, pending for forMs
    const blip = await zd.monitors!.sample();
    expect(blip!.eventLoopDelayMs).toBeGreaterThan(150);
    expect(zd.alerts.active()).toEqual([expect.objectContaining({ key: expect.stringMatching(/^server:eventLoopDelayMs@/), firing: false })]);
    // later samples see a quiet loop: the condition clears before forMs, so nothing can fire any more
    await waitFor(() => zd.alerts.active().length === 0, 5000, 'the blip to clear');
    expect(zd.monitors!.latest()!.eventLoopDelayMs).toBeLessThanOrEqual(150);
    expect(seen).toEqual([]);
  });

  test('invalid alert, monitor and fleet options throw ZerodownConfigError naming the field', () => {
    const bad: [Parameters<typeof zerodown>[0], string][] = [
      [{ alerts: { instanceId: 'has space' } }, 'alerts.instanceId'],
      [{ alerts: { forMs: -1 } }, 'alerts.forMs'],
      [{ monitors: { heapUsedPercent: { threshold: 90, forMs: -5 } } }, 'monitors.heapUsedPercent'],
      [{ monitors: { heapUsedPercent: { threshold: 90, statusPageUrl: 'nope' } } }, 'monitors.heapUsedPercent'],
      // a client without a status (not ioredis) is refused
      [{ fleet: { redis: { call: async () => 'OK' } as never } }, 'fleet.redis'],
      [{ fleet: { redis: { status: 'ready' } as never } }, 'fleet.redis'],
    ];
    for (const [o, field] of bad) {
      let error: unknown;
      try {
        make(o);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ZerodownConfigError);
      expect((error as ZerodownConfigError).field.startsWith(field)).toBe(true);
    }
  });

  test('fleet.redis accepts a real ioredis Redis and Cluster client', () => {
    const redis = new Redis({ lazyConnect: true, port: 1 });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    try {
      expect(() => make({ fleet: { redis } })).not.toThrow();
      expect(() => make({ fleet: { redis: cluster as never } })).not.toThrow();
    } finally {
      for (const zd of made.splice(0)) zd.dispose();
      redis.disconnect();
      cluster.disconnect();
    }
  });
});

describe('shedding.set()', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await closeServer(server);
    server = undefined;
  });

  test('throws when shedding is disabled, and forces 503 on node:http when it is enabled', async () => {
    const off = zerodown({ ...base });
    try {
      expect(() => off.shedding.set(true)).toThrow(ZerodownConfigError);
    } finally {
      off.dispose();
    }
    const on = zerodown({ ...base, shedding: { enabled: true, sampleIntervalMs: 60000 } });
    try {
      server = createServer(on.requestListener((_req, res) => res.end('ok')));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      on.ready();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      on.shedding.set(true);
      expect((await fetch(`${url}/x`)).status).toBe(503);
      expect((await fetch(`${url}/livez`)).status).toBe(200);
      on.shedding.set(false);
      expect((await fetch(`${url}/x`)).status).toBe(200);
    } finally {
      on.dispose();
    }
  });
});
