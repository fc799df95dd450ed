/**
 * Hosts running the Express example under `zerodown serve` (issue 10's CLI: `zerodown serve <entry>
 * --workers N --port P`, `zerodown reload` exiting 0 when every worker runs the new release and 1 when
 * the new release is refused), behind a real HAProxy. Each host has release directories and a `current`
 * symlink, as a deploy tool lays them out; a release is the example app under a release name.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { CLI_BIN, freePort, killAndWait, ROOT, stopAll, track, waitFor } from '../../fixtures/cli-helpers';
import { haproxyServers, startHaproxy, type HaproxyFixture, type HaproxyServerStat } from '../../fixtures/haproxy-fixture';
import { CHECK } from './fleet';

/** The bearer token that unlocks /health details (the release name) on the test hosts. */
export const HEALTH_TOKEN = 'e2e-health-token-0123456789';

/** True when the built CLI has `zerodown serve` (issue 10). */
export function serveAvailable(): boolean {
  const help = spawnSync(process.execPath, [CLI_BIN, '--help'], { encoding: 'utf8' }).stdout ?? '';
  return /^\s+serve\b/m.test(help) && /^\s+reload\b/m.test(help);
}

/** A release: `ok` runs the example app as release `name`; `broken` throws at start-up. */
export function writeRelease(root: string, name: string, kind: 'ok' | 'broken' = 'ok'): void {
  const dir = path.join(root, 'releases', name);
  mkdirSync(dir, { recursive: true });
  const example = path.join(ROOT, 'examples/express-app/server.js');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'express-app', version: name }));
  writeFileSync(
    path.join(dir, 'server.js'),
    kind === 'ok' ? `process.env.RELEASE = ${JSON.stringify(name)};\nrequire(${JSON.stringify(example)});\n` : `throw new Error('release ${name} is broken: it cannot start');\n`,
  );
}

/** Points `<root>/current` at `releases/<name>` atomically. */
export function switchCurrent(root: string, name: string): void {
  const tmp = path.join(root, `current.tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(path.join('releases', name), tmp);
  renameSync(tmp, path.join(root, 'current'));
}

/** One host: a `zerodown serve` master and its workers. */
export interface ServeHost {
  name: string;
  port: number;
  root: string;
  socket: string;
  logs(): string;
}

/** Hosts behind HAProxy. */
export interface ServeFleet {
  hosts: ServeHost[];
  /** Where members send: HAProxy's frontend, or the only host's port without HAProxy. */
  url: string;
  haproxy: HaproxyFixture | undefined;
  servers(): Promise<Record<string, HaproxyServerStat>>;
  /** The release names /health reports over `samples` new connections to `host`. */
  releasesOf(host: ServeHost, samples?: number): Promise<Set<string>>;
  stop(): Promise<void>;
}

/**
 * Starts `size` hosts of `workers` workers each on release `v1`, then HAProxy (unless `withHaproxy` is
 * false: then one host is reached directly); waits until every host is UP (or ready).
 */
export async function startServeFleet(size = 3, workers = 2, withHaproxy = true): Promise<ServeFleet> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zd-serve-e2e-'));
  const hosts: ServeHost[] = [];
  let haproxy: HaproxyFixture | undefined;
  const stop = async (): Promise<void> => {
    await haproxy?.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const root = path.join(dir, `host${i + 1}`);
      writeRelease(root, 'v1');
      switchCurrent(root, 'v1');
      const port = await freePort();
      const socket = path.join(root, 'master.sock');
      const child = track(process.execPath, [CLI_BIN, 'serve', 'server.js', '--cwd', path.join(root, 'current'), '--workers', String(workers), '--port', String(port), '--socket', socket, '--ready-timeout', '90s'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ZERODOWN_HEALTH_TOKEN: HEALTH_TOKEN, ZERODOWN_DRAIN_DELAY_MS: '1500', ZERODOWN_DRAIN_TIMEOUT_MS: '15000' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.once('exit', () => void killAndWait(child));
      hosts.push({ name: `host${i + 1}`, port, root, socket, logs: () => err });
    }
    const ready = async (h: ServeHost): Promise<boolean> => {
      const r = await request(`http://127.0.0.1:${h.port}/readyz`, { headersTimeout: 5000 }).catch(() => undefined);
      await r?.body.dump();
      return r?.statusCode === 200;
    };
    if (withHaproxy) haproxy = await startHaproxy(hosts.map((h) => ({ name: h.name, port: h.port })), { ...CHECK, retries: 0 });
    const hp = haproxy;
    const servers = async (): Promise<Record<string, HaproxyServerStat>> => (hp ? haproxyServers(hp.socketPath, 'app') : {});
    for (const h of hosts) {
      const up = hp ? async () => (await servers())[h.name]?.status === 'UP' : () => ready(h);
      await waitFor(`${hp ? 'HAProxy to report ' : ''}${h.name} ${hp ? 'UP' : 'ready'}`, up, 45000).catch((e: Error) => {
        throw new Error(`${e.message}; its log:\n${h.logs().slice(-3000)}`);
      });
    }
    return {
      hosts,
      url: hp ? hp.url : `http://127.0.0.1:${hosts[0]!.port}`,
      haproxy: hp,
      servers,
      async releasesOf(host, samples = 8) {
        const seen = new Set<string>();
        for (let i = 0; i < samples; i++) {
          const r = await request(`http://127.0.0.1:${host.port}/health`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}`, connection: 'close' }, headersTimeout: 5000 });
          seen.add(((await r.body.json()) as { version?: string }).version ?? '?');
        }
        return seen;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
