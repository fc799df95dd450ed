import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { startApp, waitFor, type AppProcess } from '../helpers/app-process';

/** The app every fault runs against (node:http, Express or Fastify in a child process). */
export const FIXTURE = 'test/fixtures/conformance-app.js';

/** A started fault app and what the test needs to judge its drain. */
export interface FaultApp extends AppProcess {
  /** Sends `signal` and records when. */
  signal(signal?: NodeJS.Signals): void;
  /** Resolves with the exit code and the time from the first signal to the exit (ms). */
  exit(): Promise<{ code: number; afterSignalMs: number }>;
  /** The app's log lines (JSON) as objects. */
  logs(): Array<{ level: number; msg: string; [k: string]: unknown }>;
  /** True when a log line's message matches. */
  logged(re: RegExp, level?: number): boolean;
}

const started: FaultApp[] = [];
const sockets: Socket[] = [];

/** Starts the fixture; everything it opened is closed by {@link cleanup}. */
export async function startFaultApp(framework: string, env: Record<string, string>): Promise<FaultApp> {
  const app = await startApp(FIXTURE, { FRAMEWORK: framework, WORK_EVENTS: '1', HOOKS: 'db:ok', ...env }, 30000);
  let signalledAt: number | undefined;
  // 'close' comes after 'exit' once stdout/stderr are read to the end: the log is complete then
  const outputClosed = new Promise<void>((r) => app.child.once('close', () => r()));
  const exit = app.exited.then(async (code) => {
    const afterSignalMs = Date.now() - (signalledAt ?? Date.now());
    await outputClosed;
    return { code, afterSignalMs };
  });
  const logs = (): Array<{ level: number; msg: string }> =>
    app
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as { level: number; msg: string };
        } catch {
          return { level: 0, msg: l };
        }
      });
  const fa: FaultApp = Object.assign(app, {
    signal(signal: NodeJS.Signals = 'SIGTERM') {
      signalledAt ??= Date.now();
      app.kill(signal);
    },
    exit: () => exit,
    logs,
    logged: (re: RegExp, level?: number) => logs().some((l) => re.test(l.msg) && (level === undefined || l.level === level)),
  });
  started.push(fa);
  return fa;
}

/** Kills what is left and destroys every raw socket a test opened. */
export function cleanup(): void {
  for (const s of sockets.splice(0)) s.destroy();
  for (const a of started.splice(0)) a.kill('SIGKILL');
}

/** A raw TCP connection to the app (closed by {@link cleanup}). */
export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

/** A GET on its own connection: status, `Connection` header and body length. */
export function get(port: number, path: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
      })
      .on('error', reject);
  });
}

/** Waits until the app has at least `connections` open connections and `inflight` requests in flight, besides the asking one. */
export async function waitForApp(app: FaultApp, connections: number, inflight = 0): Promise<void> {
  await waitFor(
    async () => {
      const now = JSON.parse((await get(app.port, '/connections')).body) as { connections: number; inflight: number };
      return now.connections >= connections + 1 && now.inflight >= inflight + 1;
    },
    10000,
    `${connections} open connection(s) and ${inflight} request(s) in flight on the app`,
  );
}

/** Waits until `count` /work requests have reached the app. */
export function waitForWork(app: FaultApp, count = 1): Promise<void> {
  return waitFor(() => app.events.filter((e) => e.event === 'work').length >= count, 10000, `${count} /work request(s) in the app`);
}

/** True when the hook `name` printed its `done` event. */
export function hookDone(app: FaultApp, name: string): boolean {
  return app.events.some((e) => e.event === 'hook' && e.name === name && e.phase === 'done');
}
