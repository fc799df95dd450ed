/**
 * Three (or `size`) instances of the Express example app behind a real HAProxy that health-checks
 * `/readyz`, with the steps of a rolling patch done as an operator's script does them: the `zerodown`
 * CLI (the built bin) to drain and resume, SIGTERM to stop, `node examples/express-app/server.js` to start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killAndWait, runCli, startExpressApp, stopAll, waitFor, type ExampleApp } from '../../fixtures/cli-helpers';
import { haproxyServers, startHaproxy, type HaproxyFixture, type HaproxyOptions, type HaproxyServerStat } from '../../fixtures/haproxy-fixture';

/**
 * HAProxy's health-check settings in the scenarios: a server whose `/readyz` answers 503 is out after
 * inter × fall = 400 ms; a check may take up to 2 s (a busy machine must not fail a passing check).
 */
export const CHECK = { inter: 200, fall: 2, rise: 2, checkTimeout: 2000 } as const;

/**
 * The drain delay the apps get: more than HAProxy's inter × fall (400 ms), with a margin for a busy
 * machine, so HAProxy has stopped routing to an instance before it stops accepting.
 */
export const DRAIN_ENV = { ZERODOWN_DRAIN_DELAY_MS: '1500', ZERODOWN_DRAIN_TIMEOUT_MS: '15000' } as const;

/** How long an instance may take to start on a busy machine (2 shared cores). */
const START_TIMEOUT_MS = 45000;

/** One member of the fleet. */
export interface Member {
  /** HAProxy's server name: `app1`, `app2`, … */
  name: string;
  port: number;
  socket: string;
  app: ExampleApp;
}

/** A running fleet. */
export interface Fleet {
  members: Member[];
  haproxy: HaproxyFixture;
  /** HAProxy's view of every server. */
  servers(): Promise<Record<string, HaproxyServerStat>>;
  /** Waits until HAProxy reports `name` with a status for which `ok` is true. */
  waitStatus(name: string, what: string, ok: (status: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Starts a (new) process for member `i` on its port and control socket. */
  start(i: number): Promise<ExampleApp>;
  /** Stops everything started (SIGKILL whatever is left) and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Options of {@link startFleet}. */
export interface FleetOptions {
  size?: number;
  /** Extra environment of every instance (on top of {@link DRAIN_ENV}); a function gets the member index. */
  env?: Record<string, string> | ((i: number) => Record<string, string>);
  haproxy?: Omit<HaproxyOptions, 'backend'>;
}

/** Starts the instances, then HAProxy, and waits until HAProxy reports every server UP. */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'zd-e2e-'));
  const members: Member[] = [];
  const envOf = (i: number): Record<string, string> => ({ ...DRAIN_ENV, ...(typeof options.env === 'function' ? options.env(i) : options.env) });
  let haproxy: HaproxyFixture | undefined;
  const stop = async (): Promise<void> => {
    await haproxy?.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort();
      const socket = join(dir, `app${i + 1}.sock`);
      members.push({ name: `app${i + 1}`, port, socket, app: await startExpressApp(port, socket, envOf(i), START_TIMEOUT_MS) });
    }
    haproxy = await startHaproxy(
      members.map((m) => ({ name: m.name, port: m.port })),
      { ...CHECK, retries: 0, ...options.haproxy },
    );
    const hp = haproxy;
    const servers = (): Promise<Record<string, HaproxyServerStat>> => haproxyServers(hp.socketPath, 'app');
    const waitStatus = (name: string, what: string, ok: (status: string) => boolean, timeoutMs = 20000): Promise<void> =>
      waitFor(`HAProxy to report ${name} ${what}`, async () => ok((await servers())[name]?.status ?? ''), timeoutMs);
    for (const m of members) await waitStatus(m.name, 'UP', (s) => s === 'UP');
    return {
      members,
      haproxy: hp,
      servers,
      waitStatus,
      async start(i) {
        const m = members[i]!;
        m.app = await startExpressApp(m.port, m.socket, envOf(i), START_TIMEOUT_MS);
        return m.app;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What one instance's patch took. */
export interface PatchTiming {
  name: string;
  /** Milliseconds from `zerodown drain` to HAProxy reporting it UP again. */
  totalMs: number;
  /** Milliseconds from SIGTERM to the process's exit. */
  exitMs: number;
}

/** A step of the rolling patch, for the demo's chart. */
export interface PatchEvent {
  name: string;
  step: 'drain' | 'sigterm' | 'started' | 'up';
  /** `performance.now()` when the step began or ended. */
  now: number;
}

/**
 * Patches every member in turn: `zerodown drain --wait-idle` → HAProxy reports it DOWN → SIGTERM → the
 * process exits 0 → a new process starts → `zerodown resume` → HAProxy reports it UP. Throws (with the
 * CLI's output or the exit code) when a step fails.
 */
export async function rollingPatch(fleet: Fleet, onEvent: (e: PatchEvent) => void = () => {}): Promise<PatchTiming[]> {
  const timings: PatchTiming[] = [];
  for (let i = 0; i < fleet.members.length; i++) {
    const m = fleet.members[i]!;
    const t0 = performance.now();
    onEvent({ name: m.name, step: 'drain', now: t0 });
    const drained = await runCli(['drain', '--socket', m.socket, '--wait-idle', '--timeout', '30s']);
    if (drained.code !== 0) throw new Error(`zerodown drain ${m.name} exited ${drained.code}: ${drained.stderr}${drained.stdout}`);
    await fleet.waitStatus(m.name, 'DOWN', (s) => s.startsWith('DOWN'));
    const tTerm = performance.now();
    onEvent({ name: m.name, step: 'sigterm', now: tTerm });
    m.app.child.kill('SIGTERM');
    const code = await m.app.exited;
    const exitMs = performance.now() - tTerm;
    await killAndWait(m.app.child);
    if (code !== 0) throw new Error(`${m.name} exited ${code} after SIGTERM; its log:\n${m.app.logs()}`);
    await fleet.start(i);
    onEvent({ name: m.name, step: 'started', now: performance.now() });
    const resumed = await runCli(['resume', '--socket', m.socket, '--timeout', '30s']);
    if (resumed.code !== 0) throw new Error(`zerodown resume ${m.name} exited ${resumed.code}: ${resumed.stderr}${resumed.stdout}`);
    await fleet.waitStatus(m.name, 'UP', (s) => s === 'UP');
    const now = performance.now();
    onEvent({ name: m.name, step: 'up', now });
    timings.push({ name: m.name, totalMs: now - t0, exitMs });
  }
  return timings;
}
