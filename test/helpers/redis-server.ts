import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitPort } from './ports';

/** A redis-server process owned by a test, so the test can stop and restart it. */
export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function redisBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server not found on PATH: the integration tests start their own Redis. Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).');
  }
}

const live = new Set<ChildProcess>();
// a jest worker that exits (or is torn down) must not leave redis-servers behind
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts a throwaway redis-server on a free port (no persistence). */
export async function startRedis(): Promise<RedisServer> {
  const bin = redisBinary();
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
      child = c;
      live.add(c);
      c.once('exit', () => live.delete(c));
      await waitPort(port, 5000);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
  await server.start();
  return server;
}
