import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// the polling helper lives in ./wait; re-exported for the tests that import it from here
export { waitFor } from './wait';

/** A JSON event line the fixture app printed on stdout. */
export interface AppEvent {
  event: string;
  [key: string]: unknown;
}

/** A child-process app under test, with its output captured. */
export interface AppProcess {
  child: ChildProcess;
  port: number;
  url: string;
  events: AppEvent[];
  stderr: () => string;
  /** Resolves with the exit code (or 128+signal) once the process has exited and its output is all read. */
  exited: Promise<number>;
  /** Milliseconds since the process started. */
  startedAt: number;
  kill: (signal?: NodeJS.Signals) => void;
}

const ROOT = path.resolve(__dirname, '../..');
const live = new Set<ChildProcess>();
// a jest worker that exits must not leave app processes behind
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * Starts `node <script>` with env, waits for its `listening` event on stdout — or, with `listenLine`, for a
 * stderr line matching it whose first group is the port — and fails with its stderr otherwise.
 */
export function startApp(script: string, env: Record<string, string>, timeoutMs = 15000, listenLine?: RegExp): Promise<AppProcess> {
  const child = spawn(process.execPath, [path.resolve(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const events: AppEvent[] = [];
  let err = '';
  let out = '';
  const exited = new Promise<number>((resolve) => {
    // 'close', not 'exit': the process has exited and its stdout/stderr are read to the end
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app ${script} did not start within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    let listened = false;
    const onListening = (port: number): void => {
      if (listened) return;
      listened = true;
      clearTimeout(timer);
      resolve({
        child,
        port,
        url: `http://127.0.0.1:${port}`,
        events,
        stderr: () => err,
        exited,
        startedAt: Date.now(),
        kill: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      });
    };
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = listenLine?.exec(err);
      if (m) onListening(Number(m[1]));
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let i: number;
      while ((i = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        try {
          const ev = JSON.parse(line) as AppEvent;
          events.push(ev);
          if (ev.event === 'listening') onListening(ev.port as number);
        } catch {
          /* not an event line */
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`app ${script} exited with ${code} before listening; stderr:\n${err}`));
    });
  });
}
