/**
 * Fault matrix, part 2: {hung hook, throwing hook, hung flush, crash during drain, a signal during a
 * hook, a second signal right after the first, a signal after an API drain, deadline reached} → the documented
 * exit code (README "Exit codes"), the hooks ran, and the log says what happened. Real child processes
 * (test/fixtures/conformance-app.js), real sockets.
 */
import { cleanup, get, hookDone, startFaultApp, waitForWork } from './fault-helpers';
import { waitFor } from '../helpers/wait';

const ERROR = 50;
const WARN = 40;
const BASE = { ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_DRAIN_TIMEOUT_MS: '20000' };

afterAll(() => cleanup());

const hookStarted = (events: Array<{ event: string; [k: string]: unknown }>, name: string): boolean => events.some((e) => e.event === 'hook' && e.name === name && e.phase === 'start');

describe('fault matrix: drain faults → documented exit code, hooks run, the log says what happened', () => {
  test.concurrent('hung hook: abandoned at its own timeout, the next hook still runs, exit 0', async () => {
    const app = await startFaultApp('node', { ...BASE, HOOKS: 'db:ok,stuck:hang:500' });
    app.signal();
    const { code } = await app.exit();
    expect(code).toBe(0);
    expect(hookStarted(app.events, 'stuck')).toBe(true);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/shutdown hook "stuck" abandoned after 500 ms/, ERROR)).toBe(true);
    expect(app.logged(/zerodown alert firing: Shutdown hook "stuck" timed out/, ERROR)).toBe(true);
  });

  test.concurrent('throwing hook: logged at error and alerted, the next hook still runs, exit 0', async () => {
    const app = await startFaultApp('node', { ...BASE, HOOKS: 'db:ok,bad:throw' });
    app.signal();
    const { code } = await app.exit();
    expect(code).toBe(0);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/shutdown hook "bad" failed/, ERROR)).toBe(true);
    expect(app.logged(/zerodown alert firing: Shutdown hook "bad" failed during the drain/, ERROR)).toBe(true);
  });

  test.concurrent('hung flush after the deadline was reached: the process stays up until the flush bound, then exits 1', async () => {
    const app = await startFaultApp('node', { ...BASE, ZERODOWN_DRAIN_TIMEOUT_MS: '1500', FLUSH: 'hang', FLUSH_TIMEOUT_MS: '1000' });
    const work = get(app.port, '/work?ms=15000');
    await waitForWork(app);
    app.signal();
    const { code, afterSignalMs } = await app.exit();
    expect(code).toBe(1);
    expect((await work).status).toBe(503);
    expect(afterSignalMs).toBeGreaterThanOrEqual(1500 + 1000);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/flush did not finish within 1000 ms/, WARN)).toBe(true);
    expect(app.logged(/exit code 1/)).toBe(true);
  });

  test.concurrent('crash during a drain (processErrors): hooks run, exit 1', async () => {
    const app = await startFaultApp('node', { ...BASE, PROCESS_ERRORS: '1', CRASH_ON_DRAIN: '1' });
    app.signal();
    const { code } = await app.exit();
    expect(code).toBe(1);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/Uncaught exception: crash during drain/, ERROR)).toBe(true);
    expect(app.logged(/drain finished in \d+ ms, exit code 1 \(after a crash\)/)).toBe(true);
  });

  test.concurrent.each(['node', 'express', 'fastify'])('a crash (uncaught exception, processErrors) drains and exits 1 (%s)', async (framework) => {
    const app = await startFaultApp(framework, { ...BASE, PROCESS_ERRORS: '1' });
    expect((await get(app.port, '/crash')).status).toBe(200);
    const { code } = await app.exit();
    expect(code).toBe(1);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/drain started \(uncaughtException\)/)).toBe(true);
    expect(app.logged(/exit code 1 \(after a crash\)/)).toBe(true);
  });

  test.concurrent('a second signal during a hook, outside the 1000 ms debounce window: forced exit 143', async () => {
    const app = await startFaultApp('node', { ...BASE, HOOKS: 'db:ok,slow:sleep20000:30000' });
    const t0 = Date.now();
    app.signal();
    await waitFor(() => hookStarted(app.events, 'slow') && Date.now() - t0 > 1200, 15000, 'the slow hook to run, 1.2 s after the first signal');
    app.kill('SIGTERM');
    const { code } = await app.exit();
    expect(code).toBe(143);
    expect(app.logged(/second SIGTERM: exiting now with code 143/, ERROR)).toBe(true);
  });

  test.concurrent('a second signal right after the first (process and group): one drain, exit 0', async () => {
    const app = await startFaultApp('node', BASE);
    const work = get(app.port, '/work?ms=800');
    await waitForWork(app);
    app.signal();
    // the second signal goes out as soon as the app logged the first one: two kills sent before the app
    // ran its signal handler are merged by the kernel into one pending SIGTERM (on a loaded machine even
    // 5 ms apart), which is not the fault under test. The log line arrives within milliseconds, well
    // inside the 1000 ms debounce window.
    await waitFor(() => app.logged(/drain started \(SIGTERM\)/), 15000, 'the app to log the first SIGTERM', 2);
    app.kill('SIGTERM');
    const { code } = await app.exit();
    expect(code).toBe(0);
    expect((await work).status).toBe(200);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/SIGTERM repeated within 1000 ms of the first: ignored/, WARN)).toBe(true);
  });

  test.concurrent('the first signal after an API drain joins it: in-flight work completes, exit 0', async () => {
    const app = await startFaultApp('node', BASE);
    const work = get(app.port, '/work?ms=1500');
    await waitForWork(app);
    expect((await get(app.port, '/drain-now')).body).toBe('draining');
    app.signal();
    const { code } = await app.exit();
    expect(code).toBe(0);
    expect((await work).status).toBe(200);
    expect(hookDone(app, 'db')).toBe(true);
    expect(app.logged(/SIGTERM received while a drain the app started is running: it joins that drain/)).toBe(true);
  });

  test.concurrent.each(['node', 'express', 'fastify'])('deadline reached: 503 + Connection: close for the unanswered request, hooks still run, exit 1 (%s)', async (framework) => {
    const app = await startFaultApp(framework, { ...BASE, ZERODOWN_DRAIN_TIMEOUT_MS: '1500' });
    const work = get(app.port, '/work?ms=15000');
    await waitForWork(app);
    app.signal();
    const { code } = await app.exit();
    expect(code).toBe(1);
    expect(await work).toMatchObject({ status: 503, connection: 'close' });
    expect(hookDone(app, 'db')).toBe(true);
    if (framework === 'fastify') expect(hookDone(app, 'fastify.onClose')).toBe(true);
    expect(app.logged(/drain deadline of 1500 ms reached: cut 1 connection\(s\) with 1 request\(s\) in flight: request in flight GET \/work \(answered 503\)/, ERROR)).toBe(true);
    expect(app.logged(/exit code 1/)).toBe(true);
  });
});
