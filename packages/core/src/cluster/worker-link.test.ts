import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { zerodown, type Zerodown } from '../zerodown';
import { silentLogger } from '../logger';
import type { WorkerMessage } from './ipc-messages';
import { SUPERVISED_ENV } from './supervised';
import { startWorkerLink } from './worker-link';
import { waitFor as sharedWaitFor } from '../../../../test/helpers/wait';

/** The IPC side of a worker process: an emitter with `send`, recording what the worker sent. */
function ipc(): EventEmitter & { send: (m: unknown) => boolean; connected: boolean; sent: WorkerMessage[] } {
  const e = new EventEmitter() as EventEmitter & { send: (m: unknown) => boolean; connected: boolean; sent: WorkerMessage[] };
  e.sent = [];
  e.connected = true;
  e.send = (m) => {
    e.sent.push(m as WorkerMessage);
    return true;
  };
  return e;
}

const waitFor = (fn: () => boolean, ms = 5000): Promise<void> => sharedWaitFor(fn, ms, 'a condition', 10);

let zd: Zerodown | undefined;
afterEach(() => zd?.dispose());

const options = { env: { ZERODOWN_CONTROL_SOCKET: 'off' }, logger: silentLogger, exit: () => {}, drain: { delayMs: 5000, timeoutMs: 10000, signals: false as const }, alerts: { enabled: false }, monitors: false as const };

test('outside `zerodown serve` no link starts and no listener is added', () => {
  const before = process.listenerCount('message');
  zd = zerodown(options);
  expect(process.listenerCount('message')).toBe(before);
  const proc = ipc();
  expect(startWorkerLink(zd, {}, proc)).toBeUndefined();
  expect(proc.sent).toEqual([]);
});

test('under the master: hello at once, ready only after zd.ready(), status answers, drain skips the load-balancer delay', async () => {
  const z = zerodown(options);
  zd = z;
  const proc = ipc();
  const link = startWorkerLink(z, { [SUPERVISED_ENV]: '1' }, proc)!;
  expect(proc.sent).toEqual([{ zerodown: 'hello' }]);
  const server = createServer((req, res) => res.end('ok'));
  z.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // not ready before zd.ready(): prove the poll ran by asking for a status first
  proc.emit('message', { zerodown: 'status', id: 7 });
  expect(proc.sent.at(-1)).toEqual({ zerodown: 'status', id: 7, state: 'starting', ready: false, inflight: 0, connections: 0 });
  // sleep-ok: a negative check (no 'ready' before zd.ready()); the status answer above proves the link runs, this gives its readiness poll time to turn
  await new Promise((r) => setTimeout(r, 120));
  expect(proc.sent.some((m) => m.zerodown === 'ready')).toBe(false);
  z.ready();
  await waitFor(() => proc.sent.some((m) => m.zerodown === 'ready'));
  const t0 = Date.now();
  proc.emit('message', { zerodown: 'drain', reason: 'reload' });
  const result = await z.drain();
  expect(result.reason).toBe('reload');
  expect(Date.now() - t0).toBeLessThan(4000); // drain.delayMs (5 s) was skipped
  link.dispose();
  expect(proc.listenerCount('message')).toBe(0);
  server.close();
});

test('under the master, fleet-scoped alerts ask the master (one per host); dispose gives the deduper back', async () => {
  const z = zerodown({ ...options, alerts: { enabled: true, forMs: 0, rollbar: false } });
  zd = z;
  const proc = ipc();
  const link = startWorkerLink(z, { [SUPERVISED_ENV]: '1' }, proc)!;
  expect(z.alerts.currentDeduper).toBeDefined();
  const sent: string[] = [];
  z.alerts.on('alert', (a) => void sent.push(`${a.key} ${a.state}`));
  z.alerts.raise({ key: 'application:check:partner', level: 'warning', source: 'application', title: 'failing' });
  await waitFor(() => proc.sent.some((m) => m.zerodown === 'alert-dedupe'));
  const ask = proc.sent.find((m) => m.zerodown === 'alert-dedupe') as { id: number; key: string; state: string };
  expect(ask).toMatchObject({ key: 'application:check:partner', state: 'firing' });
  // another worker of the host already reports it: this one stays quiet
  proc.emit('message', { zerodown: 'alert-dedupe', id: ask.id, send: false });
  await z.alerts.flush(AbortSignal.timeout(2000));
  expect(sent).toEqual([]);
  // instance-scoped keys never ask the master
  const asked = proc.sent.length;
  z.alerts.notify({ key: 'application:drain-forced', scope: 'instance', level: 'error', source: 'application', title: 'cut' });
  await z.alerts.flush(AbortSignal.timeout(2000));
  expect(proc.sent.length).toBe(asked);
  expect(sent).toEqual([`application:drain-forced@${z.alerts.instanceId} firing`]);
  link.dispose();
  expect(z.alerts.currentDeduper).toBeUndefined();
  expect(proc.listenerCount('message')).toBe(0);
});
