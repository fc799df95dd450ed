/**
 * A crash (uncaught exception, `alerts.processErrors` on) during the drain's flush step: the exit code
 * is 1, as for a crash anywhere else in the drain. A real child process.
 */
import path from 'node:path';
import { ROOT, stopAll, track, waitFor } from './fixtures/cli-helpers';

jest.setTimeout(60000);
afterEach(() => stopAll());

test('an uncaught exception during the flush: exit code 1', async () => {
  const c = track(process.execPath, [path.join(ROOT, 'test/fixtures/crash-during-flush-app.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  c.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => c.once('close', (code) => r(code)));
  await waitFor('the app listening', () => err.includes('listening'), 30000);
  c.kill('SIGTERM');
  const code = await exited;
  expect(err).toContain('flushing');
  expect(err).toMatch(/Uncaught exception: crash in the flush/);
  expect(code).toBe(1);
});
