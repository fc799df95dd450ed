/** Runs a documented code sample as a real program: probes answered, SIGTERM drains it to exit 0. */
import { request } from 'undici';
import { freePort, killAndWait, ROOT, track, waitFor, waitPort } from '../fixtures/cli-helpers';

/** GET on 127.0.0.1; returns the status code. */
export async function getStatus(port: number, p: string): Promise<number> {
  const r = await request(`http://127.0.0.1:${port}${p}`, { headersTimeout: 5000 });
  await r.body.dump();
  return r.statusCode;
}

/** Starts a program, waits for its port, checks the probes, then SIGTERM must give exit 0. */
export async function runServer(file: string, env: Record<string, string>, whileUp?: (port: number) => Promise<void>, exitWithinMs = 20000): Promise<void> {
  const port = await freePort();
  const child = track(process.execPath, [file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ZERODOWN_DRAIN_DELAY_MS: '100', ZERODOWN_CONTROL_SOCKET: 'off', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitPort(port, 45000); // generous: 2 shared cores
    await waitFor('/readyz to pass', async () => (await getStatus(port, '/readyz')) === 200, 10000);
    expect(await getStatus(port, '/livez')).toBe(200);
    await whileUp?.(port);
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(exitWithinMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nits stderr:\n${err}`);
  } finally {
    await killAndWait(child);
  }
}
