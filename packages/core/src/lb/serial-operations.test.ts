import { silentLogger } from '../logger';
import type { LoadBalancerAdapter, LoadBalancerContext } from './adapter';
import { LoadBalancerSupersededError } from './errors';
import { serialOperations } from './serial-operations';

/** An adapter whose operations wait until aborted or released; it records when each starts and ends. */
function recordingAdapter(): { adapter: LoadBalancerAdapter; log: string[]; release: (op: string) => void; started: (op: string) => Promise<void> } {
  const log: string[] = [];
  const releases = new Map<string, () => void>();
  const startWaiters = new Map<string, () => void>();
  const op = (name: string) => (ctx: LoadBalancerContext) =>
    new Promise<void>((resolve, reject) => {
      log.push(`${name} start`);
      startWaiters.get(name)?.();
      const onAbort = (): void => {
        // an adapter that takes a while to notice the abort: it settles on the next turn
        setImmediate(() => {
          log.push(`${name} aborted`);
          reject(new Error('aborted'));
        });
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      releases.set(name, () => {
        ctx.signal.removeEventListener('abort', onAbort);
        log.push(`${name} done`);
        resolve();
      });
    });
  return {
    adapter: { name: 'rec', register: op('register'), deregister: op('deregister') },
    log,
    release: (name) => releases.get(name)!(),
    started: (name) => (log.includes(`${name} start`) ? Promise.resolve() : new Promise((r) => startWaiters.set(name, r))),
  };
}

const ctx = (): LoadBalancerContext => ({ signal: new AbortController().signal, inflight: () => 0, logger: silentLogger });

test('a newer operation aborts the older one and starts only once it has settled', async () => {
  const rec = recordingAdapter();
  const lb = serialOperations(rec.adapter);
  expect(lb.name).toBe('rec');
  const register = lb.register(ctx());
  await rec.started('register');
  const deregister = lb.deregister(ctx());
  const e = await register.catch((error: unknown) => error);
  expect(e).toBeInstanceOf(LoadBalancerSupersededError);
  expect((e as LoadBalancerSupersededError).code).toBe('ZERODOWN_LB_SUPERSEDED');
  expect((e as Error).message).toMatch(/register cancelled: a newer deregister/);
  await rec.started('deregister');
  rec.release('deregister');
  await deregister;
  expect(rec.log).toEqual(['register start', 'register aborted', 'deregister start', 'deregister done']);
});

test('three operations in a row: the middle one never starts, the last runs after the first settled', async () => {
  const rec = recordingAdapter();
  const lb = serialOperations(rec.adapter);
  const first = lb.register(ctx()).catch((error: unknown) => error);
  await rec.started('register');
  const second = lb.deregister(ctx()).catch((error: unknown) => error);
  const third = lb.register(ctx());
  expect(await first).toBeInstanceOf(LoadBalancerSupersededError);
  expect(await second).toBeInstanceOf(LoadBalancerSupersededError);
  await waitForLog(rec.log, 3);
  rec.release('register');
  await third;
  expect(rec.log).toEqual(['register start', 'register aborted', 'register start', 'register done']);
});

test("the caller's own signal still bounds an operation, and a finished operation is not aborted later", async () => {
  const rec = recordingAdapter();
  const lb = serialOperations(rec.adapter);
  const ac = new AbortController();
  const p = lb.register({ ...ctx(), signal: ac.signal }).catch((error: unknown) => error);
  await rec.started('register');
  ac.abort(new Error('caller gave up'));
  expect(((await p) as Error).message).toBe('aborted');
  const d = lb.deregister(ctx());
  await rec.started('deregister');
  rec.release('deregister');
  await d;
  const r = lb.register(ctx());
  await waitForLog(rec.log, 5);
  rec.release('register');
  await r;
  expect(rec.log).toEqual(['register start', 'register aborted', 'deregister start', 'deregister done', 'register start', 'register done']);
});

async function waitForLog(log: string[], n: number): Promise<void> {
  for (let i = 0; i < 1000 && log.length < n; i++) await new Promise((r) => setImmediate(r));
}
