import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startApp, waitFor, type AppProcess } from './helpers/app-process';
import { startNewRelicCollector, type NewRelicCollector } from './fixtures/newrelic-collector';

// The New Relic sink against the real `newrelic` agent (v13) in an app child process (test/fixtures/newrelic-app.js,
// built dist), reporting over HTTPS to a local collector (test/fixtures/newrelic-collector.ts) that speaks the
// agent's protocol and records every harvested payload.

const LICENSE_KEY = 'zd0test0license0key0000000000000000000000'.slice(0, 40);

const get = async (app: AppProcess, p: string): Promise<number> => {
  const res = await request(`${app.url}${p}`, { headersTimeout: 5000, bodyTimeout: 5000 });
  await res.body.dump();
  return res.statusCode;
};

/** Env of the app: the agent configured entirely by env, pointed at the collector, trusting its certificate. */
const agentEnv = (collector: NewRelicCollector, home: string, extra: Record<string, string> = {}): Record<string, string> => ({
  NEW_RELIC_LICENSE_KEY: LICENSE_KEY,
  NEW_RELIC_APP_NAME: 'zerodown-newrelic-test',
  NEW_RELIC_HOST: collector.host,
  NEW_RELIC_PORT: String(collector.port),
  NEW_RELIC_HOME: home,
  NEW_RELIC_NO_CONFIG_FILE: 'true',
  NEW_RELIC_LOG: path.join(home, 'newrelic_agent.log'),
  NEW_RELIC_LOG_LEVEL: 'info',
  NEW_RELIC_UTILIZATION_DETECT_AWS: 'false',
  NEW_RELIC_UTILIZATION_DETECT_AZURE: 'false',
  NEW_RELIC_UTILIZATION_DETECT_AZUREFUNCTION: 'false',
  NEW_RELIC_UTILIZATION_DETECT_GCP: 'false',
  NEW_RELIC_UTILIZATION_DETECT_PCF: 'false',
  NEW_RELIC_UTILIZATION_DETECT_DOCKER: 'false',
  NEW_RELIC_UTILIZATION_DETECT_KUBERNETES: 'false',
  NODE_EXTRA_CA_CERTS: collector.caFile,
  ZERODOWN_LOG_LEVEL: 'silent',
  ...extra,
});

describe('New Relic sink with the real agent', () => {
  let home: string;
  let collector: NewRelicCollector | undefined;
  let app: AppProcess | undefined;

  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'zd-nr-home-'));
  });
  afterEach(async () => {
    app?.kill('SIGKILL');
    await app?.exited;
    app = undefined;
    await collector?.close();
    collector = undefined;
    await rm(home, { recursive: true, force: true });
  });

  /** Starts the collector and the app, and waits until the agent has connected and finished its initial harvest. */
  const start = async (reportPeriodMs: number, extra: Record<string, string> = {}): Promise<{ c: NewRelicCollector; a: AppProcess }> => {
    const c = await startNewRelicCollector({ licenseKey: LICENSE_KEY, reportPeriodMs });
    collector = c;
    const a = await startApp('test/fixtures/newrelic-app.js', agentEnv(c, home, extra));
    app = a;
    // the agent harvests everything 1 s after connecting, then every cycle
    await waitFor(() => c.callsOf('metric_data').length > 0, 15000, 'the agent to connect and finish its initial harvest');
    return { c, a };
  };
  const zerodownAlerts = (c: NewRelicCollector): Record<string, string | number | boolean>[] => c.customEvents('ZerodownAlert').map(([, attrs]) => attrs);
  const zerodownMetrics = (c: NewRelicCollector): Record<string, number[]> =>
    Object.fromEntries(c.metrics().filter((m) => m.name.includes('Zerodown')).map((m) => [m.name, m.stats]));
  const exitWithin = async (a: AppProcess, ms: number): Promise<{ code: number; tookMs: number }> => {
    const t0 = Date.now();
    const code = await Promise.race([a.exited, new Promise<number>((r) => setTimeout(() => r(-1), ms).unref())]);
    return { code, tookMs: Date.now() - t0 };
  };

  test('firing and resolved alerts reach New Relic as ZerodownAlert events (and an error for error-level alerts); SIGTERM delivers the metrics and error traces before exit', async () => {
    const { c, a } = await start(1000);
    // the handshake the agent needs: preconnect → redirect_host, connect → agent_run_id + harvest config
    expect(c.calls.slice(0, 2).map((x) => [x.method, x.runId])).toEqual([['preconnect', undefined], ['connect', undefined]]);
    expect(c.calls.every((x) => x.licenseKeyOk && x.protocolVersion === '17')).toBe(true);
    expect(c.calls.slice(2).every((x) => x.runId === c.runId)).toBe(true);

    const dbTitle = 'Database checks failing';
    expect(await get(a, `/raise?key=application:check:db&level=error&source=application&title=${encodeURIComponent(dbTitle)}`)).toBe(204);
    expect(await get(a, '/raise?key=third-party:breaker:maps&level=warning&source=third-party&title=Maps%20breaker%20open')).toBe(204);
    expect(await get(a, '/hello')).toBe(200);
    await waitFor(() => zerodownAlerts(c).filter((e) => e.state === 'firing').length === 2, 10000, 'both firing ZerodownAlert events to be harvested');
    const db = zerodownAlerts(c).find((e) => e.key === 'application:check:db')!;
    expect(db).toEqual({
      key: 'application:check:db',
      level: 'error',
      source: 'application',
      state: 'firing',
      title: dbTitle,
      service: 'newrelic-app',
      owner: 'team-roadside',
      runbookUrl: 'https://runbooks.example/roadside',
      severity: 'SEV2',
      instance: expect.stringMatching(/:\d+$/),
      host: expect.any(String),
      pid: a.child.pid,
    });
    expect(zerodownAlerts(c).find((e) => e.key === 'third-party:breaker:maps')).toMatchObject({ level: 'warning', source: 'third-party', state: 'firing', title: 'Maps breaker open' });

    // noticeError for the error-level alert only: an error event of class ZerodownAlert, marked expected
    await waitFor(() => c.errorEvents().length > 0, 10000, 'the error event to be harvested');
    const errorEvents = c.errorEvents();
    expect(errorEvents).toHaveLength(1);
    expect(errorEvents[0]![0]).toMatchObject({ type: 'TransactionError', 'error.class': 'ZerodownAlert', 'error.message': dbTitle, 'error.expected': true });
    expect(errorEvents[0]![1]).toMatchObject({ key: 'application:check:db', level: 'error', state: 'firing', runbookUrl: 'https://runbooks.example/roadside' });

    expect(await get(a, '/clear?key=application:check:db')).toBe(204);
    expect(await get(a, '/clear?key=third-party:breaker:maps')).toBe(204);
    await waitFor(() => zerodownAlerts(c).filter((e) => e.state === 'resolved').length === 2, 10000, 'both resolved ZerodownAlert events to be harvested');
    expect(zerodownAlerts(c).map((e) => `${e.key}:${e.state}`).sort()).toEqual([
      'application:check:db:firing',
      'application:check:db:resolved',
      'third-party:breaker:maps:firing',
      'third-party:breaker:maps:resolved',
    ]);
    expect(await get(a, '/hello')).toBe(200);

    // metrics and error traces are harvested once a minute: nothing of them has arrived yet
    expect(zerodownMetrics(c)).toEqual({});
    expect(c.errorTraces()).toHaveLength(0);
    a.kill('SIGTERM');
    expect((await exitWithin(a, 15000)).code).toBe(0);
    expect(a.events.find((e) => e.event === 'drained')).toMatchObject({ exitCode: 0 });
    // the drain's flush ran newrelic.shutdown({ collectPendingData: true }): a last harvest, then the shutdown call
    expect(c.calls.at(-1)!.method).toBe('shutdown');
    expect(zerodownMetrics(c)).toEqual({
      'Custom/Zerodown/Alert/application/error/firing': [1, 1, 1, 1, 1, 1],
      'Custom/Zerodown/Alert/application/error/resolved': [1, 1, 1, 1, 1, 1],
      'Custom/Zerodown/Alert/third-party/warning/firing': [1, 1, 1, 1, 1, 1],
      'Custom/Zerodown/Alert/third-party/warning/resolved': [1, 1, 1, 1, 1, 1],
    });
    const traces = c.errorTraces();
    expect(traces).toHaveLength(1);
    const [, , message, errorClass, params] = traces[0]!;
    expect([message, errorClass]).toEqual([dbTitle, 'ZerodownAlert']);
    expect(params.userAttributes).toMatchObject({ key: 'application:check:db', level: 'error', owner: 'team-roadside' });
    expect(params.intrinsics).toMatchObject({ 'error.expected': true });
    // what the collector recorded is safe to print
    expect(JSON.stringify(c.calls)).not.toContain(LICENSE_KEY);
    expect(a.events.filter((e) => e.event === 'unhandledRejection' || e.event === 'uncaughtException')).toEqual([]);
  });

  test('SIGTERM → drain → the pending ZerodownAlert events reach the collector before exit', async () => {
    // events harvested once a minute: only the drain's flush can deliver them
    const { c, a } = await start(60000);
    expect(await get(a, '/raise?key=server:rssMb&level=critical&source=server&title=RSS%20past%201%20GB')).toBe(204);
    expect(await get(a, '/raise?key=application:check:cache&level=info&title=Cache%20degraded')).toBe(204);
    expect(c.customEvents()).toHaveLength(0);
    a.kill('SIGTERM');
    expect((await exitWithin(a, 15000)).code).toBe(0);
    expect(zerodownAlerts(c).map((e) => `${e.key}:${e.level}:${e.state}`).sort()).toEqual(['application:check:cache:info:firing', `server:rssMb:critical:firing`]);
    expect(c.errorTraces().map((t) => [t[2], t[3]])).toEqual([['RSS past 1 GB', 'ZerodownAlert']]);
    expect(c.errorEvents().map((e) => e[0]['error.message'])).toEqual(['RSS past 1 GB']);
    const order = c.calls.map((x) => x.method);
    expect(order.indexOf('custom_event_data')).toBeLessThan(order.indexOf('shutdown'));
    expect(zerodownMetrics(c)).toMatchObject({ 'Custom/Zerodown/Alert/server/critical/firing': [1, 1, 1, 1, 1, 1], 'Custom/Zerodown/Alert/application/info/firing': [1, 1, 1, 1, 1, 1] });
  });

  test('a collector that goes down never breaks requests, alerts or the drain', async () => {
    const { c, a } = await start(1000, { FLUSH_TIMEOUT_MS: '2000' });
    await c.stop();
    const harvestsBefore = c.calls.length;
    // ≥ 2 harvest cycles against a dead collector, requests and alerts all along (bounded in count: at least
    // 40 requests however slow the machine, at most 300)
    const statuses: number[] = [];
    let slowest = 0;
    const end = Date.now() + 3000;
    for (let i = 0; i < 300 && (Date.now() < end || i < 40); i++) {
      const t0 = Date.now();
      // an alert raised and cleared every 8 requests: under alerts.maxPerMinute (60 notifications)
      const p = i % 8 === 0 ? `/raise?key=application:check:k${i}&level=error` : i % 8 === 4 ? `/clear?key=application:check:k${i - 4}` : '/hello';
      statuses.push(await get(a, p));
      slowest = Math.max(slowest, Date.now() - t0);
      await new Promise((r) => setTimeout(r, 20)); // sleep-ok: paces the bounded traffic kept up for 3 s (harvest cycles against a dead collector)
    }
    expect(statuses.length).toBeGreaterThan(30);
    expect(statuses.every((s) => s === 200 || s === 204)).toBe(true);
    expect(slowest).toBeLessThan(2500); // generous for a busy machine
    // the app prints its alert events on stdout, which may arrive just after the last HTTP answer
    const count = (state: string): number => a.events.filter((e) => e.event === 'alert' && e.state === state).length;
    const firing = Math.ceil(statuses.length / 8);
    const resolved = Math.ceil((statuses.length - 4) / 8);
    await waitFor(() => count('firing') >= firing && count('resolved') >= resolved, 5000, 'the alert events');
    expect(count('firing')).toBe(firing);
    expect(count('resolved')).toBe(resolved);
    expect(c.calls.length).toBe(harvestsBefore);
    a.kill('SIGTERM');
    const { code, tookMs } = await exitWithin(a, 15000);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(2000 + 8000); // the flush timeout, plus generous slack for a busy machine
    expect(a.events.filter((e) => e.event === 'unhandledRejection' || e.event === 'uncaughtException')).toEqual([]);
  });

  test('a collector unreachable from the start: requests and alerts work, the flush is bounded by drain.flushTimeoutMs', async () => {
    const c = await startNewRelicCollector({ licenseKey: LICENSE_KEY });
    collector = c;
    await c.stop(); // the agent's preconnect is refused; it backs off for 15 s
    const a = await startApp('test/fixtures/newrelic-app.js', agentEnv(c, home, { FLUSH_TIMEOUT_MS: '1000' }));
    app = a;
    expect(await get(a, '/raise?key=application:check:db&level=critical')).toBe(204);
    expect(await get(a, '/hello')).toBe(200);
    expect(await get(a, '/clear?key=application:check:db')).toBe(204);
    await waitFor(() => a.events.filter((e) => e.event === 'alert').length >= 2, 5000, 'the alert events');
    expect(a.events.filter((e) => e.event === 'alert').map((e) => e.state)).toEqual(['firing', 'resolved']);
    a.kill('SIGTERM');
    const { code, tookMs } = await exitWithin(a, 15000);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(1000 + 8000); // the flush timeout, plus generous slack (the agent backs off for 15 s)
    expect(a.events.find((e) => e.event === 'drained')).toMatchObject({ exitCode: 0 });
    expect(c.calls).toHaveLength(0);
  });
});
