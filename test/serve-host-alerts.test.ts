/**
 * `zerodown serve` with N = 2 workers whose non-critical HTTP check points at a third party that fails:
 * the host sends one firing alert and one resolved alert, not one per worker (the master de-duplicates
 * fleet-scoped alert keys across its workers).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, ROOT, stopAll, waitFor } from './fixtures/cli-helpers';
import { startServe, switchCurrent } from './fixtures/serve-helpers';
import { startThirdParty, type ThirdPartyServer } from './fixtures/third-party-server';
import { startWebhookServer, type WebhookServer } from './fixtures/webhook-server';

jest.setTimeout(60000);

let root: string;
let hook: WebhookServer;
let partner: ThirdPartyServer;

beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'zd-host-alerts-'));
  hook = await startWebhookServer();
  partner = await startThirdParty();
});

afterEach(async () => {
  await stopAll();
  await hook.close();
  await partner.close();
  rmSync(root, { recursive: true, force: true });
});

/** Pids of the workers that logged `settled <status>` (their alert deliveries, de-dup answer included, are done). */
const settled = (logs: string, status: string): Set<string> => new Set([...logs.matchAll(new RegExp(`host-alerts: worker (\\d+) settled ${status}`, 'g'))].map((m) => m[1]!));
const alerts = (state: string): { key: string; host: string }[] =>
  (hook.bodies as { key: string; state: string; host: string }[]).filter((b) => b.key === 'application:check:partner' && b.state === state);

test('two workers seeing the same failing third party: one firing alert for the host, then one resolved', async () => {
  const dir = path.join(root, 'releases', 'v1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'host-alerts-app', version: '1.0.0' }));
  writeFileSync(path.join(dir, 'server.js'), `require(${JSON.stringify(path.join(ROOT, 'test/fixtures/host-alerts-app.js'))});\n`);
  switchCurrent(root, 'v1');
  partner.mode = 'fail';
  const serve = await startServe(root, await freePort(), ['--workers', '2', '--ready-timeout', '30s'], { WEBHOOK_URL: hook.url, THIRD_PARTY_URL: partner.url });

  // both workers saw the check fail and finished delivering (or skipping) their alert
  await waitFor('both workers settled their failing-check alert', () => settled(serve.logs(), 'fail').size === 2, 30000);
  expect(alerts('firing')).toHaveLength(1);

  partner.mode = 'ok';
  await waitFor('both workers settled their recovered-check alert', () => settled(serve.logs(), 'pass').size === 2, 30000);
  expect(alerts('resolved')).toHaveLength(1);
  expect(alerts('firing')).toHaveLength(1);
});
