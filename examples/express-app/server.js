'use strict';
// Express example (CommonJS): zerodown probes, dependency checks and graceful drain.
// Run: npm run build && node examples/express-app/server.js   (PORT, REDIS_URL, ZERODOWN_* env)
const express = require('express');
const { zerodown, redisCheck } = require('@zerodown/core');
const { zerodownExpress } = require('@zerodown/express');

// ZERODOWN_PROBES_IN_APP=1 serves the probes from the Express middleware (behind any app middleware)
// instead of in front of Express through zd.attach (the default, and the faster path).
const probesInApp = process.env.ZERODOWN_PROBES_IN_APP === '1';

// ALERT_WEBHOOK_URL: alerts are also POSTed there as JSON; INSTANCE_ID names this instance on every alert
// (on Kubernetes: the pod name, see docs/kubernetes.md); default <hostname>:<pid>.
const alerts = {};
if (process.env.ALERT_WEBHOOK_URL) alerts.webhook = { url: process.env.ALERT_WEBHOOK_URL };
if (process.env.INSTANCE_ID) alerts.instanceId = process.env.INSTANCE_ID;
// RELEASE names the running release (shown as `version` in /health details); default: the repo's version.
const zd = zerodown({ serviceName: 'express-app', version: process.env.RELEASE || require('../../package.json').version, alerts });
const app = express();
if (probesInApp) app.use(zerodownExpress(zd)); // /livez, /readyz, /health inside Express, mounted first

app.get('/', (req, res) => res.send('hello from zerodown express-app\n'));
app.get('/work', (req, res) => {
  const ms = Number(req.query.ms ?? 0);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60000) return res.status(400).json({ error: 'ms must be a whole number between 0 and 60000' });
  setTimeout(() => res.json({ worked: ms }), ms);
});

// GET /third-party calls THIRD_PARTY_URL through the breaker "third-party": when it fails or hangs the
// member gets the fallback fast and /health shows "warn". Alerts go to Rollbar when ROLLBAR_ACCESS_TOKEN
// (and optionally ROLLBAR_ENDPOINT) are set: zerodown makes the rollbar client from the env itself.
// Without THIRD_PARTY_URL the app calls its own simulated vendor, /simulated-vendor, whose outage you
// switch with `curl -X POST 'localhost:3000/simulated-vendor/outage?mode=500'` (modes: 500, hang, off).
let vendorOutage = 'off';
app.get('/simulated-vendor', (req, res) => {
  if (vendorOutage === '500') return res.status(500).json({ error: 'simulated outage' });
  if (vendorOutage === 'hang') return; // never answers: the breaker's timeout cuts the call
  res.json({ vendor: 'ok', at: new Date().toISOString() });
});
app.post('/simulated-vendor/outage', (req, res) => {
  const mode = String(req.query.mode ?? '');
  if (!['500', 'hang', 'off'].includes(mode)) return res.status(400).json({ error: 'mode must be 500, hang or off' });
  vendorOutage = mode;
  res.json({ outage: mode });
});
const thirdPartyUrl = () => process.env.THIRD_PARTY_URL || `http://127.0.0.1:${server.address().port}/simulated-vendor`;

const callThirdParty = zd.breakers.wrap(
  'third-party',
  async ({ signal }) => {
    const res = await fetch(thirdPartyUrl(), { signal });
    if (res.status >= 500) throw new Error(`third party answered ${res.status}`);
    return res.json();
  },
  {
    fallback: () => ({ fallback: true }),
    runbookUrl: process.env.THIRD_PARTY_RUNBOOK_URL,
    // THIRD_PARTY_RESET_MS: how long the breaker stays open before one probe call (default 30000)
    ...(process.env.THIRD_PARTY_RESET_MS ? { resetTimeoutMs: Number(process.env.THIRD_PARTY_RESET_MS) } : {}),
  },
);
app.get('/third-party', async (req, res) => {
  res.json(await callThirdParty());
});

if (process.env.REDIS_URL) {
  const Redis = require('ioredis');
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {}); // the health check reports it; ioredis reconnects by itself
  zd.health.register('redis', redisCheck(redis), { critical: true, timeoutMs: 500, intervalMs: 1000 });
  zd.onShutdown('redis', () => redis.quit().then(() => undefined));
  // GET /visits needs Redis: 503 while Redis is down; every other route keeps answering
  app.get('/visits', async (req, res) => {
    try {
      res.json({ visits: await redis.incr('express-app:visits') });
    } catch {
      res.status(503).json({ error: 'redis unavailable' });
    }
  });
}

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address();
  zd.logger.info({ port, url: `http://127.0.0.1:${port}/` }, `express-app listening on http://127.0.0.1:${port}/ (probes: /livez /readyz /health)`);
  zd.ready();
});
zd.attach(server, { tuneTimeouts: true, probes: !probesInApp }); // drain tracking (+ probes in front of Express)
