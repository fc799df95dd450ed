import { fullJitter, withRetry } from './retry';

test('full jitter stays within [0, min(cap, base·2^attempt))', () => {
  expect(fullJitter(0, 100, 1000, () => 0)).toBe(0);
  expect(fullJitter(0, 100, 1000, () => 0.999)).toBe(99);
  expect(fullJitter(3, 100, 1000, () => 0.5)).toBe(400);
  expect(fullJitter(10, 100, 1000, () => 0.999)).toBe(999);
});

test('withRetry retries retryable errors, stops on others and on maxAttempts', async () => {
  const signal = new AbortController().signal;
  let n = 0;
  await expect(withRetry(async () => (++n < 3 ? Promise.reject(new Error('busy')) : 'ok'), () => true, signal, { baseMs: 1, capMs: 2 })).resolves.toBe('ok');
  expect(n).toBe(3);
  n = 0;
  await expect(withRetry(async () => Promise.reject(new Error(`no ${++n}`)), () => false, signal)).rejects.toThrow('no 1');
  n = 0;
  await expect(withRetry(async () => Promise.reject(new Error(`busy ${++n}`)), () => true, signal, { baseMs: 1, maxAttempts: 4 })).rejects.toThrow('busy 4');
});

test('withRetry is bounded by the signal', async () => {
  const t0 = Date.now();
  const reason = new Error('deadline');
  const ac = new AbortController();
  setTimeout(() => ac.abort(reason), 100).unref();
  await expect(withRetry(async () => Promise.reject(new Error('busy')), () => true, ac.signal, { baseMs: 50, capMs: 50, maxAttempts: 1000 })).rejects.toBe(reason);
  expect(Date.now() - t0).toBeLessThan(10000); // generous for a busy machine; 1000 attempts would take 50 s
});
