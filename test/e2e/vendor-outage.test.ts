/**
 * A third party down and back, through a real HAProxy in front of three Express example apps: app2's
 * simulated vendor answers 500 for a while (the example's own outage switch). Members keep getting 200
 * (the breaker's fallback while it is open), and the webhook receives exactly one `firing` and one
 * `resolved` alert for the breaker, from app2.
 */
import { request } from 'undici';
import { startFleet, type Fleet } from './harness/fleet';
import { describeProblems, startLoad, type LoadReport } from './harness/load';
import { waitFor } from '../fixtures/cli-helpers';
import { startWebhookServer, type WebhookServer } from '../fixtures/webhook-server';

interface AlertBody {
  key: string;
  state: 'firing' | 'resolved';
  instance?: string;
  details?: { breaker?: string };
  [field: string]: unknown;
}

let fleet: Fleet | undefined;
let hook: WebhookServer | undefined;
afterAll(async () => {
  await fleet?.stop();
  await hook?.close();
});

const outage = async (port: number, mode: '500' | 'off'): Promise<void> => {
  const r = await request(`http://127.0.0.1:${port}/simulated-vendor/outage?mode=${mode}`, { method: 'POST' });
  expect(r.statusCode).toBe(200);
  await r.body.dump();
};

test('vendor outage on one instance: members get fallbacks (200), one firing and one resolved alert', async () => {
  hook = await startWebhookServer();
  const h = hook;
  // the breaker probes the vendor again 1 s after opening, so it closes soon after the vendor is back
  fleet = await startFleet({ env: (i) => ({ ALERT_WEBHOOK_URL: h.url, INSTANCE_ID: `app${i + 1}`, THIRD_PARTY_RESET_MS: '1000' }) });
  const f = fleet;
  const load = startLoad({
    url: f.haproxy.url,
    connections: 12,
    paths: ['/third-party', '/', '/third-party', '/work?ms=10'],
    maxMs: 90000,
    tag: (path, status, body) => (path === '/third-party' && status === 200 ? (body.includes('"fallback":true') ? 'fallback' : 'vendor') : undefined),
  });
  const alerts = (): AlertBody[] => (h.bodies as AlertBody[]).filter((b) => b.details?.breaker === 'third-party');
  let report: LoadReport;
  try {
    await waitFor('the vendor to answer through every instance', () => load.countOf('/third-party', 200) > 100);
    await outage(f.members[1]!.port, '500');
    // the breaker opens once failures outweigh the successes of its 10 s window: seconds, not at once
    await waitFor('the firing alert', () => alerts().some((a) => a.state === 'firing'), 40000).catch((e: Error) => {
      throw new Error(`${e.message}; webhook got ${JSON.stringify(h.bodies)}, ${h.attempts} attempts; app2 log:\n${f.members[1]!.app.logs().slice(-3000)}`);
    });
    await waitFor('fallbacks to reach members', () => load.tagged('fallback') > 20);
    await outage(f.members[1]!.port, 'off');
    await waitFor('the resolved alert', () => alerts().some((a) => a.state === 'resolved'), 40000);
    const vendorAgain = load.tagged('vendor');
    await waitFor('members to get the vendor again', () => load.tagged('vendor') > vendorAgain + 50);
  } finally {
    report = await load.stop();
  }
  process.stderr.write(`vendor outage e2e: ${report.total} requests, tags ${JSON.stringify(report.tags)}, breaker alerts ${JSON.stringify(alerts().map((a) => `${a.state}@${a.instance}`))}\n`);
  expect(describeProblems(report)).toBe('');
  expect(report.failed).toHaveLength(0);
  expect(report.non2xx).toHaveLength(0);
  expect(report.tags.fallback).toBeGreaterThan(0);
  expect(alerts().map((a) => [a.state, a.instance])).toEqual([
    ['firing', 'app2'],
    ['resolved', 'app2'],
  ]);
}, 120000);
