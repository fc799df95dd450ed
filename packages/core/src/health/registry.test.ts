import { HealthRegistry } from './registry';
import { silentLogger } from '../logger';
import { DuplicateCheckError, ZerodownConfigError } from '../errors';
import { until } from '../../../../test/helpers/wait';


describe('HealthRegistry', () => {
  let reg: HealthRegistry;
  beforeEach(() => {
    reg = new HealthRegistry({ intervalMs: 60000, timeoutMs: 1000 }, silentLogger);
    reg.start();
  });
  afterEach(() => reg.dispose());

  test('a hung check is a failed check after its timeout, and gets an aborted signal', async () => {
    let aborted = false;
    reg.register('hung', (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))), { timeoutMs: 50 });
    expect(reg.isReady()).toBe(false); // pending critical counts as failing
    await until(() => reg.get('hung')!.result !== undefined);
    expect(reg.get('hung')!.result!.status).toBe('fail');
    expect(reg.get('hung')!.result!.output).toBe('timed out after 50 ms');
    expect(aborted).toBe(true);
    expect(reg.isReady()).toBe(false);
  });

  test('a failing non-critical check makes the status warn but keeps readiness', async () => {
    reg.register('ok', () => undefined);
    reg.register('vendor', () => Promise.reject(new Error('vendor down')), { critical: false });
    await until(() => reg.get('vendor')!.result !== undefined && reg.get('ok')!.result !== undefined);
    expect(reg.isReady()).toBe(true);
    expect(reg.status()).toBe('warn');
    expect(reg.get('vendor')!.result!.output).toBe('vendor down');
  });

  test('a check runs again on its interval, never concurrently, and emits changes', async () => {
    let runs = 0;
    let healthy = true;
    const changes: string[] = [];
    reg.on('change', (name, r) => changes.push(`${name}:${r.status}`));
    reg.register('flappy', () => {
      runs++;
      if (!healthy) throw new Error('down');
    }, { intervalMs: 20 });
    await until(() => runs >= 2);
    healthy = false;
    await until(() => reg.get('flappy')!.result!.status === 'fail');
    healthy = true;
    await until(() => reg.get('flappy')!.result!.status === 'pass');
    expect(changes).toEqual(['flappy:pass', 'flappy:fail', 'flappy:pass']);
  });

  test('a synchronous check that turns asynchronous still gets its timeout and an aborted signal', async () => {
    let runs = 0;
    let hang = false;
    let aborted = false;
    reg.register('turns', (signal) => {
      runs++;
      if (!hang) return { observedValue: runs };
      return new Promise<void>(() => signal.addEventListener('abort', () => (aborted = true)));
    }, { intervalMs: 20, timeoutMs: 50 });
    await until(() => runs >= 3); // the scheduled runs after the first are plain calls
    expect(reg.get('turns')!.result).toMatchObject({ status: 'pass', observedValue: runs });
    hang = true;
    await until(() => reg.get('turns')!.result!.status === 'fail');
    expect(reg.get('turns')!.result!.output).toBe('timed out after 50 ms');
    expect(aborted).toBe(true);
    hang = false;
    await until(() => reg.get('turns')!.result!.status === 'pass');
  });

  test('a synchronous check without a signal parameter that turns asynchronous still times out', async () => {
    let runs = 0;
    reg.register('turns-quietly', () => (++runs <= 2 ? undefined : new Promise<void>(() => undefined)), { intervalMs: 20, timeoutMs: 50 });
    await until(() => reg.get('turns-quietly')!.result?.status === 'fail');
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(reg.get('turns-quietly')!.result!.output).toBe('timed out after 50 ms');
  });

  test('a check reading its signal through a rest parameter gets one that aborts when its promise times out', async () => {
    let runs = 0;
    let aborted = false;
    reg.register('rest', (...args: [AbortSignal]) => {
      if (++runs <= 2) return undefined;
      args[0].addEventListener('abort', () => (aborted = true));
      return new Promise<void>(() => undefined);
    }, { intervalMs: 20, timeoutMs: 50 });
    await until(() => reg.get('rest')!.result?.status === 'fail');
    expect(aborted).toBe(true);
  });

  test('a result whose `then` getter throws fails the run, and the check keeps running', async () => {
    let runs = 0;
    reg.register('odd', () => (++runs <= 2 ? { observedValue: runs } : (Object.defineProperty({}, 'then', { get() { throw new Error('then getter'); } }) as never)), { intervalMs: 20, timeoutMs: 50 });
    await until(() => reg.get('odd')!.result?.status === 'fail');
    const after = runs;
    await until(() => runs > after + 1); // still scheduled
    expect(reg.get('odd')!.result!.output).toBe('then getter');
  });

  test('bad registrations fail fast', () => {
    reg.register('a', () => undefined);
    expect(() => reg.register('a', () => undefined)).toThrow(DuplicateCheckError);
    expect(() => reg.register('bad name!', () => undefined)).toThrow(ZerodownConfigError);
    expect(() => reg.register('b', () => undefined, { timeoutMs: 0 })).toThrow(/checks\.b\.timeoutMs/);
    expect(() => reg.register('c', 42 as never)).toThrow(ZerodownConfigError);
  });
});
