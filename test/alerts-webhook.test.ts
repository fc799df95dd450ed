import { silentLogger, type Alert, type AlertSink } from '@zerodown/core';
import { webhookSink } from '@zerodown/core/alerts';
import { startWebhookServer, type WebhookServer } from './fixtures/webhook-server';
import { waitFor } from './helpers/app-process';

// The webhook sink against a real local HTTP receiver: the backlog keeps the newest alerts.

const alert = (key: string, state: Alert['state'] = 'firing'): Alert => ({
  key,
  scope: 'fleet',
  level: 'error',
  source: 'third-party',
  state,
  title: `${key} ${state}`,
  details: {},
  service: 'unit',
  time: new Date().toISOString(),
  instance: 'h:1',
  host: 'h',
  pid: 1,
});

describe('webhook sink backlog (maxPending)', () => {
  let hook: WebhookServer;
  let sink: AlertSink | undefined;
  beforeEach(async () => {
    hook = await startWebhookServer();
  });
  afterEach(async () => {
    sink?.dispose?.();
    sink = undefined;
    await hook.close();
  });

  test('a full backlog drops the oldest waiting alert, never a resolved one whose firing was sent; one key stays in order', async () => {
    hook.mode = 'hang';
    sink = webhookSink({ url: hook.url, timeoutMs: 30000, retries: 0, maxPending: 2 }, silentLogger);
    // four deliveries in flight (the concurrency), all hanging
    for (const k of ['k1', 'k2', 'k3', 'k4']) void sink.send(alert(k));
    await waitFor(() => hook.attempts === 4, 3000, 'four deliveries in flight');
    void sink.send(alert('k1', 'resolved')); // its firing was sent: kept whatever comes next
    void sink.send(alert('k5'));
    void sink.send(alert('k6')); // full: k5 (oldest droppable) goes
    void sink.send(alert('k7')); // full: k6 goes
    hook.mode = 'ok';
    hook.dropHung(); // the four in flight fail now (no retries): the backlog goes out
    const flushed = new AbortController();
    await sink.flush!(flushed.signal);
    const got = (hook.bodies as Alert[]).map((a) => `${a.key}:${a.state}`);
    expect(got.sort()).toEqual(['k1:resolved', 'k7:firing']);
    expect(hook.attempts).toBe(6);
  });

  test('the newest alert goes out when the backlog is full', async () => {
    hook.mode = 'hang';
    sink = webhookSink({ url: hook.url, timeoutMs: 30000, retries: 0, maxPending: 1 }, silentLogger);
    for (let i = 0; i < 4; i++) void sink.send(alert(`busy${i}`));
    await waitFor(() => hook.attempts === 4, 3000, 'four deliveries in flight');
    for (let i = 0; i < 10; i++) void sink.send(alert(`new${i}`));
    hook.mode = 'ok';
    hook.dropHung(); // the four in flight fail now (no retries): the backlog goes out
    await sink.flush!(new AbortController().signal);
    expect((hook.bodies as Alert[]).map((a) => a.key)).toEqual(['new9']);
  });

  test('alerts of one key are delivered in order, and flush waits for them', async () => {
    sink = webhookSink({ url: hook.url, timeoutMs: 1000, retries: 0 }, silentLogger);
    for (let i = 0; i < 5; i++) {
      void sink.send(alert('same'));
      void sink.send(alert('same', 'resolved'));
    }
    await sink.flush!(new AbortController().signal);
    expect((hook.bodies as Alert[]).map((a) => a.state)).toEqual(['firing', 'resolved', 'firing', 'resolved', 'firing', 'resolved', 'firing', 'resolved', 'firing', 'resolved']);
  });
});
