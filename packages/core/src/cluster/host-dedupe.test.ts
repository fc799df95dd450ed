import { silentLogger, type Logger } from '../logger';
import { HostAlertReporters, HostDeduper, type AlertDedupeRequest } from './host-dedupe';

describe('HostAlertReporters (master side)', () => {
  test('firing is sent by the first reporter only; resolved by the last one only', () => {
    const r = new HostAlertReporters();
    expect(r.decide(1, 'k', 'firing')).toBe(true);
    expect(r.decide(2, 'k', 'firing')).toBe(false);
    expect(r.decide(1, 'k', 'resolved')).toBe(false);
    expect(r.decide(2, 'k', 'resolved')).toBe(true);
    expect(r.keys()).toEqual([]);
    // a resolved from a worker that never reported firing is not sent
    expect(r.decide(3, 'k', 'resolved')).toBe(false);
  });

  test('an exited worker leaves every key; a key whose last reporter exited fires again with the next reporter', () => {
    const r = new HostAlertReporters();
    expect(r.decide(1, 'a', 'firing')).toBe(true);
    expect(r.decide(2, 'a', 'firing')).toBe(false);
    expect(r.decide(1, 'b', 'firing')).toBe(true);
    r.forget(1);
    expect(r.keys()).toEqual(['a']);
    expect(r.decide(2, 'a', 'resolved')).toBe(true);
    expect(r.decide(3, 'b', 'firing')).toBe(true);
  });
});

describe('HostDeduper (worker side)', () => {
  const logger = (): Logger & { warns: string[] } => {
    const warns: string[] = [];
    return Object.assign(Object.create(silentLogger) as Logger, { warns, warn: (_o: unknown, msg?: string) => void warns.push(String(msg)) });
  };

  test('asks the master and follows its answer', async () => {
    const sent: AlertDedupeRequest[] = [];
    const d = new HostDeduper((m) => (sent.push(m), true), silentLogger);
    const p = d.dedupe('k', 'firing');
    expect(sent).toEqual([{ zerodown: 'alert-dedupe', id: 1, key: 'k', state: 'firing' }]);
    d.onReply({ zerodown: 'alert-dedupe', id: 1, send: false });
    await expect(p).resolves.toBe(false);
    d.dispose();
  });

  test('no master, or no answer in time: sends locally, and says so once', async () => {
    const log = logger();
    const gone = new HostDeduper(() => false, log);
    await expect(gone.dedupe('k', 'firing')).resolves.toBe(true);
    await expect(gone.dedupe('k', 'resolved')).resolves.toBe(true);
    expect(log.warns).toEqual(['zerodown: host alert de-dup unavailable (the master is gone); this worker sends its alerts itself']);
    const log2 = logger();
    const silent = new HostDeduper(() => true, log2, 20);
    await expect(silent.dedupe('k', 'firing')).resolves.toBe(true);
    expect(log2.warns).toHaveLength(1);
    // a late answer is ignored
    silent.onReply({ zerodown: 'alert-dedupe', id: 1, send: false });
  });

  test('dispose settles pending requests with "send"', async () => {
    const d = new HostDeduper(() => true, silentLogger);
    const p = d.dedupe('k', 'firing');
    d.dispose();
    await expect(p).resolves.toBe(true);
  });
});
