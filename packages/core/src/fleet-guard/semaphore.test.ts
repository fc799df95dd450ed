import { startRedis, stopAll } from '../../../../test/fixtures/cli-helpers';
import { waitFor } from '../../../../test/helpers/wait';
import { connectFleetRedis, FleetLockTimeoutError, FleetSemaphore, holdFleetSlot } from './index';

type Connected = Awaited<ReturnType<typeof connectFleetRedis>>;

describe('fleet guard (real Redis)', () => {
  let redis: { url: string; stop(): Promise<void> };
  const clients: Connected[] = [];
  const client = async (): Promise<Connected> => {
    const c = await connectFleetRedis(redis.url);
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => {})));
    await stopAll();
  });

  test('at most `limit` holders at once, even with many parallel acquirers on separate connections', async () => {
    const sems = await Promise.all(Array.from({ length: 8 }, async () => new FleetSemaphore(await client(), { service: 'par', limit: 2 })));
    const results = await Promise.all(sems.map((s, i) => s.tryAcquire(`host-${i}`)));
    expect(results.filter((r) => r.acquired)).toHaveLength(2);
    expect(await sems[0]!.holders()).toHaveLength(2);
  });

  test('a holder renews its own slot; a waiter gets a slot once it is released; a timeout names the holders', async () => {
    const s = new FleetSemaphore(await client(), { service: 'svc', limit: 1, ttlMs: 60000 });
    await s.acquire('a');
    await s.acquire('a'); // same holder: renew, not a second slot
    await expect(s.acquire('b', { timeoutMs: 300 })).rejects.toThrow(FleetLockTimeoutError);
    await expect(s.acquire('b', { timeoutMs: 300 })).rejects.toThrow(/held by a/);
    const waiting = s.acquire('b', { timeoutMs: 5000 });
    setTimeout(() => void s.release('a'), 200);
    await expect(waiting).resolves.toBeUndefined();
    expect(await s.holders()).toEqual(['b']);
    expect(await s.release('b')).toBe(true);
    expect(await s.release('b')).toBe(false);
  });

  test('a slot expires after its TTL unless renewed; holdFleetSlot keeps renewing it', async () => {
    const s = new FleetSemaphore(await client(), { service: 'ttl', limit: 1, ttlMs: 1000 });
    await s.acquire('crashed');
    await expect(s.tryAcquire('x')).resolves.toMatchObject({ acquired: false });
    await waitFor(async () => (await s.holders()).length === 0, 10000, 'the crashed holder\'s slot to expire', 50);
    const renew = jest.spyOn(s, 'renew'); // observes the background renewals (they still run for real)
    try {
      const hold = await holdFleetSlot(s, 'x');
      // renewed every ttlMs / 3: after 4 renewals more than the TTL has passed since the slot was taken
      await waitFor(() => renew.mock.calls.length >= 4, 10000, 'four renewals');
      await expect(s.tryAcquire('y')).resolves.toMatchObject({ acquired: false, holders: ['x'] });
      await hold.release();
    } finally {
      renew.mockRestore();
    }
    await expect(s.tryAcquire('y')).resolves.toMatchObject({ acquired: true });
  });

  test('connection errors do not leak the password', async () => {
    const e = await connectFleetRedis('redis://user:hunter2secret@127.0.0.1:1', 1000).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toContain('127.0.0.1:1');
    expect((e as Error).message).not.toContain('hunter2secret');
  });
});
