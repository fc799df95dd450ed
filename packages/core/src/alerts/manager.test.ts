import { hostname } from 'node:os';
import { silentLogger, type Logger } from '../logger';
import { AlertManager, type AlertManagerSettings } from './manager';
import type { Alert, AlertCondition, AlertSink } from './types';
import { sleep, until } from '../../../../test/helpers/wait';

/** Resolves once every dispatch the manager has started is done (its sinks have been called). */
const settled = (m: AlertManager): Promise<void> => m.flush(AbortSignal.timeout(5000));

// Real AlertManager, real timers (small values), sinks are plain objects the test passes in.


/** A sink that records what it receives. */
function capture(name = 'capture'): AlertSink & { got: Alert[] } {
  const got: Alert[] = [];
  return { name, got, send: (a) => void got.push(a) };
}

/** A logger that records warnings (and stays quiet otherwise). */
function recordingLogger(): Logger & { warnings: { obj: unknown; msg: string | undefined }[] } {
  const warnings: { obj: unknown; msg: string | undefined }[] = [];
  return { ...silentLogger, warnings, warn: ((obj: unknown, msg?: string) => void warnings.push({ obj, msg })) as Logger['warn'] };
}

const cond = (key: string, extra: Partial<AlertCondition> = {}): AlertCondition => ({
  key,
  level: 'error',
  source: 'third-party',
  title: `${key} is down`,
  details: { n: 1 },
  ...extra,
});

describe('AlertManager', () => {
  const managers: AlertManager[] = [];
  const make = (settings: Partial<AlertManagerSettings> = {}): AlertManager => {
    const m = new AlertManager({ forMs: 0, maxPerMinute: 1000, service: 'unit', logger: silentLogger, ...settings });
    managers.push(m);
    return m;
  };
  afterEach(() => {
    for (const m of managers.splice(0)) m.dispose();
  });

  describe('debounce (forMs)', () => {
    test('fires only once the condition has held for forMs', async () => {
      const sink = capture();
      const m = make({ forMs: 150 });
      m.addSink(sink);
      const t0 = Date.now();
      m.raise(cond('k'));
      expect(sink.got).toHaveLength(0);
      expect(m.active()).toEqual([expect.objectContaining({ key: 'k', firing: false })]);
      await until(() => sink.got.length === 1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      expect(sink.got[0]).toMatchObject({ key: 'k', state: 'firing', level: 'error', source: 'third-party', service: 'unit', pid: process.pid });
      expect(m.active()).toEqual([expect.objectContaining({ key: 'k', firing: true })]);
    });

    test('a blip cleared before forMs sends nothing at all (no firing, no resolved)', async () => {
      const sink = capture();
      const m = make({ forMs: 100 });
      m.addSink(sink);
      m.raise(cond('blip'));
      m.raise(cond('witness')); // same forMs, raised after the blip: its timer runs after the blip's would
      expect(m.active().map((a) => a.key)).toEqual(['blip', 'witness']);
      m.clear('blip');
      await until(() => sink.got.length === 1, 2000);
      await settled(m);
      expect(sink.got.map((a) => `${a.key}:${a.state}`)).toEqual(['witness:firing']);
      expect(m.active().map((a) => a.key)).toEqual(['witness']);
    });

    test("a condition's own forMs overrides the default", async () => {
      const sink = capture();
      const m = make({ forMs: 60000 });
      m.addSink(sink);
      m.raise(cond('fast', { forMs: 0 }));
      m.raise(cond('slow', { forMs: 80 }));
      await until(() => sink.got.length === 2, 1000);
      expect(sink.got.map((a) => a.key)).toEqual(['fast', 'slow']);
    });

    test('raising an active key again updates it without firing twice', async () => {
      const sink = capture();
      const m = make();
      m.addSink(sink);
      m.raise(cond('k', { details: { n: 1 } }));
      m.raise(cond('k', { details: { n: 2 } }));
      await settled(m);
      expect(sink.got).toHaveLength(1);
      m.clear('k');
      await until(() => sink.got.length === 2);
      expect(sink.got[1]!.details).toMatchObject({ n: 2 });
    });
  });

  describe('auto-resolve', () => {
    test('clearing a fired condition sends one resolved alert with the same key, metadata and the duration', async () => {
      const sink = capture();
      const m = make();
      m.addSink(sink);
      m.raise(cond('vendor', { owner: 'team-a', runbookUrl: 'https://runbooks.example/vendor', statusPageUrl: 'https://status.example', severity: 'SEV2' }));
      await until(() => sink.got.length === 1);
      await sleep(40); // sleep-ok: lets the episode last a measurable time, asserted as durationMs below
      m.clear('vendor', { state: 'closed' });
      m.clear('vendor'); // already resolved: nothing more
      await until(() => sink.got.length === 2);
      await settled(m);
      expect(sink.got).toHaveLength(2);
      const [firing, resolved] = sink.got as [Alert, Alert];
      expect(firing).toMatchObject({ state: 'firing', owner: 'team-a', severity: 'SEV2' });
      expect(resolved).toMatchObject({ key: 'vendor', state: 'resolved', owner: 'team-a', runbookUrl: 'https://runbooks.example/vendor', statusPageUrl: 'https://status.example' });
      expect(resolved.details).toMatchObject({ n: 1, state: 'closed' });
      expect(resolved.details.durationMs).toEqual(expect.any(Number));
      expect(resolved.details.durationMs as number).toBeGreaterThanOrEqual(30);
      expect(m.active()).toEqual([]);
    });

    test('clearing a key never raised sends nothing; a new episode fires again', async () => {
      const sink = capture();
      const m = make();
      m.addSink(sink);
      m.clear('never');
      m.raise(cond('k'));
      m.clear('k');
      m.raise(cond('k'));
      await until(() => sink.got.length === 3);
      expect(sink.got.map((a) => a.state)).toEqual(['firing', 'resolved', 'firing']);
    });
  });

  describe('rate limit', () => {
    test('sends at most maxPerMinute notifications; the rest are dropped and logged', async () => {
      const sink = capture();
      const logger = recordingLogger();
      const m = make({ maxPerMinute: 3, logger });
      m.addSink(sink);
      for (let i = 0; i < 5; i++) m.raise(cond(`k${i}`));
      await until(() => logger.warnings.length === 2);
      await settled(m);
      expect(sink.got.map((a) => a.key)).toEqual(['k0', 'k1', 'k2']);
      expect(logger.warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/rate limit/), expect.stringMatching(/rate limit/)]);
      expect(logger.warnings[0]!.obj).toMatchObject({ key: 'k3', maxPerMinute: 3 });
      // resolutions count too
      m.clear('k0');
      await settled(m);
      expect(sink.got).toHaveLength(3);
      expect(logger.warnings).toHaveLength(3);
      expect(logger.warnings[2]!.obj).toMatchObject({ key: 'k0', state: 'resolved' });
    });
  });

  describe('sink isolation', () => {
    test('a sink that throws, one that rejects and one that hangs never block the others or the caller', async () => {
      const good = capture('good');
      const logger = recordingLogger();
      const m = make({ logger });
      let hung = 0;
      m.addSink({ name: 'throws', send: () => { throw new Error('boom'); } });
      m.addSink({ name: 'rejects', send: () => Promise.reject(new Error('nope')) });
      m.addSink({ name: 'hangs', send: () => { hung++; return new Promise<void>(() => {}); } });
      m.addSink(good);

      const t0 = performance.now();
      for (let i = 0; i < 3; i++) {
        m.raise(cond(`k${i}`));
        m.clear(`k${i}`);
      }
      expect(performance.now() - t0).toBeLessThan(1000); // raise/clear return at once (a hung sink would block forever)
      await until(() => good.got.length === 6, 1000);
      expect(good.got.map((a) => `${a.key}:${a.state}`)).toEqual(['k0:firing', 'k0:resolved', 'k1:firing', 'k1:resolved', 'k2:firing', 'k2:resolved']);
      expect(hung).toBe(6);
      await until(() => logger.warnings.length >= 12);
      expect(new Set(logger.warnings.map((w) => (w.obj as { sink: string }).sink))).toEqual(new Set(['throws', 'rejects']));
    });

    test('flush returns by its deadline even when a sink hangs in send and in flush', async () => {
      const good = capture('good');
      let flushedGood = false;
      const m = make();
      m.addSink({ name: 'hangs', send: () => new Promise<void>(() => {}), flush: () => new Promise<void>(() => {}) });
      m.addSink({ ...good, flush: () => void (flushedGood = true) });
      m.raise(cond('k'));
      await until(() => good.got.length === 1);
      const t0 = performance.now();
      await m.flush(AbortSignal.timeout(150));
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(100);
      expect(took).toBeLessThan(1500);
      expect(flushedGood).toBe(true);
    });

    test('a fleet deduper decides who sends; one that throws means send anyway', async () => {
      const sink = capture();
      const m = make();
      m.addSink(sink);
      m.setDeduper(async (key) => key !== 'elsewhere');
      m.raise(cond('elsewhere'));
      m.raise(cond('mine'));
      await until(() => sink.got.length === 1);
      await settled(m);
      expect(sink.got.map((a) => a.key)).toEqual(['mine']);
      m.setDeduper(() => Promise.reject(new Error('redis down')));
      m.raise(cond('doubt'));
      await until(() => sink.got.length === 2);
      expect(sink.got[1]!.key).toBe('doubt');
    });
  });

  describe('identity (scope)', () => {
    /** Instance host-a:42 with a capturing sink and a fleet deduper that records the keys it is asked about and answers `send`. */
    const withDeduper = (send: boolean): { sink: ReturnType<typeof capture>; m: AlertManager; asked: string[] } => {
      const sink = capture();
      const m = make({ instanceId: 'host-a:42' });
      m.addSink(sink);
      const asked: string[] = [];
      m.setDeduper(async (key) => {
        asked.push(key);
        return send;
      });
      return { sink, m, asked };
    };

    test('an instance-scoped key ends with @<instanceId>, shows the instance, skips the fleet deduper and clears by either key', async () => {
      const { sink, m, asked } = withDeduper(false); // the fleet would suppress everything
      m.raise(cond('server:heapUsedPercent', { scope: 'instance', source: 'server' }));
      await until(() => sink.got.length === 1);
      expect(sink.got[0]).toMatchObject({ key: 'server:heapUsedPercent@host-a:42', scope: 'instance', instance: 'host-a:42', details: { n: 1, instance: 'host-a:42' } });
      expect(m.active().map((a) => a.key)).toEqual(['server:heapUsedPercent@host-a:42']);
      m.clear('server:heapUsedPercent');
      await until(() => sink.got.length === 2);
      expect(sink.got[1]).toMatchObject({ key: 'server:heapUsedPercent@host-a:42', state: 'resolved' });
      m.notify({ key: 'application:drain-forced', scope: 'instance', level: 'error', source: 'application', title: 'forced' });
      await until(() => sink.got.length === 3);
      expect(sink.got[2]!.key).toBe('application:drain-forced@host-a:42');
      // fleet-scoped (the default) keys go through the deduper
      m.raise(cond('third-party:breaker:x'));
      await settled(m);
      expect(sink.got).toHaveLength(3);
      expect(asked).toEqual(['third-party:breaker:x']);
    });

    test('a host-scoped key ends with @<hostname>, goes through the deduper and clears by either key', async () => {
      const { sink, m, asked } = withDeduper(true);
      m.raise(cond('server:cpuPercent', { scope: 'host', source: 'server' }));
      await until(() => sink.got.length === 1);
      expect(sink.got[0]).toMatchObject({ key: `server:cpuPercent@${hostname()}`, scope: 'host', state: 'firing' });
      m.clear('server:cpuPercent');
      await until(() => sink.got.length === 2);
      expect(sink.got[1]).toMatchObject({ key: `server:cpuPercent@${hostname()}`, state: 'resolved' });
      expect(asked).toEqual([`server:cpuPercent@${hostname()}`, `server:cpuPercent@${hostname()}`]);
    });

    test('the default instance id is <hostname>:<pid>', () => {
      const m = make();
      expect(m.instanceId).toBe(`${hostname()}:${process.pid}`);
    });
  });

  test('dispose stops pending timers: nothing fires afterwards', async () => {
    const sink = capture();
    const m = make({ forMs: 50 });
    m.addSink(sink);
    const witness = make({ forMs: 50 });
    const seen = capture('witness');
    witness.addSink(seen);
    m.raise(cond('k'));
    witness.raise(cond('k')); // same forMs, raised after: its timer runs after the disposed one would have
    m.dispose();
    await until(() => seen.got.length === 1, 2000);
    expect(sink.got).toEqual([]);
    m.raise(cond('after'));
    expect(m.active()).toEqual([]); // nothing pending: no timer was started
    expect(sink.got).toEqual([]);
  });
});
