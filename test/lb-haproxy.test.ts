/**
 * The HAProxy adapter against a real haproxy in front of two real node:http servers.
 */
import { createServer, type Server } from 'node:http';
import { statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { LoadBalancerError, LoadBalancerTimeoutError, ZerodownConfigError, haproxyAdapter, silentLogger } from '@zerodown/core';
import { HaproxyRuntimeClient, drainServer, readyServer, type LbProgress } from '@zerodown/core/lb';
import { requireHaproxy, startHaproxy, type HaproxyFixture } from './fixtures/haproxy-fixture';
import { closeServer } from './helpers/http-server';
import { waitFor as waitForCondition } from './helpers/wait';

interface Backend {
  name: string;
  server: Server;
  port: number;
  ready: boolean;
  hits: number;
}

async function startBackend(name: string): Promise<Backend> {
  const b: Backend = { name, server: createServer(), port: 0, ready: true, hits: 0 };
  b.server.on('request', (req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(b.ready ? 200 : 503).end(b.ready ? 'ok' : 'not ready');
      return;
    }
    b.hits++;
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(name), delay);
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', () => r()));
  b.port = (b.server.address() as AddressInfo).port;
  return b;
}

let s1: Backend;
let s2: Backend;
let hx: HaproxyFixture;
let client: HaproxyRuntimeClient;
let agent: Agent;

beforeAll(() => {
  requireHaproxy(); // fails with "install the Debian package haproxy" when missing
});

beforeEach(async () => {
  s1 = await startBackend('s1');
  s2 = await startBackend('s2');
  hx = await startHaproxy([
    { name: 's1', port: s1.port },
    { name: 's2', port: s2.port },
  ]);
  client = new HaproxyRuntimeClient({ socket: hx.socketPath });
  agent = new Agent({ connections: 4 });
  await waitFor(async () => (await client.stats()).filter((r) => r.backend === 'app' && r.status === 'UP').length === 2, 10000, 'both servers UP');
});

afterEach(async () => {
  await agent.close();
  await hx.stop();
  await Promise.all([closeServer(s1.server), closeServer(s2.server)]);
});

/** The shared waitFor, with HAProxy's output in the error. */
async function waitFor(fn: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  await waitForCondition(fn, ms, what, 50).catch((e: Error) => {
    throw new Error(`${e.message}: ${hx.output()}`);
  });
}

/** Sends `n` requests through HAProxy; returns who answered, and fails on any non-200. */
async function hit(n: number, path = '/'): Promise<string[]> {
  const who: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await request(`${hx.url}${path}`, { dispatcher: agent, headersTimeout: 5000, bodyTimeout: 5000 });
    const body = await res.body.text();
    expect(res.statusCode).toBe(200);
    who.push(body);
  }
  return who;
}

test('drain stops routing to the server once its sessions are done; ready brings it back once UP', async () => {
  expect(new Set(await hit(10))).toEqual(new Set(['s1', 's2']));
  expect(statSync(hx.socketPath).mode & 0o777).toBe(0o600);

  // a slow request in flight on s1 while it is drained
  s1.hits = 0;
  s2.hits = 0;
  const slow = (async () => {
    for (let i = 0; i < 4; i++) {
      const res = await request(`${hx.url}/?delay=800`, { headersTimeout: 5000 });
      const body = await res.body.text();
      if (body === 's1') return { status: res.statusCode, body };
    }
    throw new Error('no slow request landed on s1');
  })();
  await waitFor(async () => (await client.currentSessions('app', 's1')) > 0, 5000, 'a session on s1');

  const adapter = haproxyAdapter({ socket: hx.socketPath, backend: 'app', server: 's1', pollIntervalMs: 50 });
  expect(adapter.name).toBe('haproxy');
  const t0 = Date.now();
  await adapter.deregister({ signal: AbortSignal.timeout(10000), inflight: () => 1, logger: silentLogger });
  const took = Date.now() - t0;
  expect(await slow).toEqual({ status: 200, body: 's1' });
  expect(took).toBeGreaterThan(100); // waited for the in-flight session
  expect(await client.currentSessions('app', 's1')).toBe(0);

  const stat = await client.serverStat('app', 's1');
  expect(stat.status).toBe('DRAIN');
  const state = (await client.serversState('app')).find((s) => s.server === 's1')!;
  expect(state.adminFlags).toContain('drain');
  expect(state.opState).toBe('running');

  s1.hits = 0;
  expect(new Set(await hit(12))).toEqual(new Set(['s2']));
  expect(s1.hits).toBe(0);

  const seen: LbProgress[] = [];
  await readyServer(client, 'app', 's1', { pollIntervalMs: 50, timeoutMs: 10000, onProgress: (p) => seen.push(p) });
  expect(seen[seen.length - 1]).toMatchObject({ phase: 'register', target: 'app/s1', group: 'app', state: 'UP' });
  expect(new Set(await hit(12))).toEqual(new Set(['s1', 's2']));
});

test('register waits for the health check to pass, and times out with the status seen', async () => {
  const adapter = haproxyAdapter({ socket: hx.tcpAddress, backend: 'app', server: 's1', pollIntervalMs: 50 });
  await client.setServerState('app', 's1', 'maint');
  expect((await client.serverStat('app', 's1')).status).toBe('MAINT');
  expect((await client.serversState()).find((s) => s.backend === 'app' && s.server === 's1')!.adminFlags).toContain('maint');
  expect(new Set(await hit(6))).toEqual(new Set(['s2']));

  await readyServer(client, 'app', 's1', { timeoutMs: 5000, pollIntervalMs: 50 });

  // s1 fails its health check: HAProxy marks it DOWN, and a register waits for UP until its deadline
  s1.ready = false;
  await waitFor(async () => (await client.serverStat('app', 's1')).status === 'DOWN', 5000, 's1 DOWN');
  const error = await readyServer(adapter.client, 'app', 's1', { timeoutMs: 1000, pollIntervalMs: 50 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LoadBalancerTimeoutError);
  expect((error as Error).message).toMatch(/making app\/s1 ready in HAProxy \(waiting for UP\): gave up after \d+ ms, the deadline of 1000 ms was reached; last state seen: app\/s1: DOWN/);
  expect((error as Error).message).toContain('L7STS');

  s1.ready = true;
  await adapter.register({ signal: AbortSignal.timeout(10000), inflight: () => 0, logger: silentLogger });
  expect((await client.serverStat('app', 's1')).status).toBe('UP');
  expect(new Set(await hit(10))).toEqual(new Set(['s1', 's2']));
});

test('the app reporting nothing in flight ends the drain wait even while HAProxy still counts a session', async () => {
  const slow = request(`${hx.url}/?delay=6000`, { headersTimeout: 15000 }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
  await waitFor(async () => (await client.stats()).some((r) => r.backend === 'app' && r.currentSessions > 0), 5000, 'a session');
  const busy = (await client.stats()).find((r) => r.backend === 'app' && r.currentSessions > 0)!.server;
  const t0 = Date.now();
  await drainServer(client, 'app', busy, { inflight: () => 0, pollIntervalMs: 50, timeoutMs: 10000 });
  expect(Date.now() - t0).toBeLessThan(4000); // generous for a busy machine; waiting for the session would take 6 s
  expect((await slow).status).toBe(200);
  await client.setServerState('app', busy, 'ready');
});

test('commands are validated (no injection) and HAProxy errors are clear', async () => {
  await expect(client.setServerState('app', 's1\nshutdown sessions server app/s2', 'drain')).rejects.toBeInstanceOf(ZerodownConfigError);
  await expect(client.setServerState('app;', 's1', 'drain')).rejects.toThrow(/backend must be an HAProxy name/);
  await expect(client.setServerState('app', 's1', 'down' as 'drain')).rejects.toThrow(/state must be "ready", "drain" or "maint"/);
  await expect(client.command('show stat; shutdown frontend fe')).rejects.toBeInstanceOf(ZerodownConfigError);
  expect(() => haproxyAdapter({ socket: hx.socketPath, backend: 'app', server: 'bad name' })).toThrow(ZerodownConfigError);
  expect((await client.serverStat('app', 's2')).status).toBe('UP');

  const noServer = await client.setServerState('app', 'nosuch', 'drain').catch((e: unknown) => e);
  expect(noServer).toBeInstanceOf(LoadBalancerError);
  expect((noServer as Error).message).toMatch(/HAProxy refused "set server app\/nosuch state drain": No such server/);
  await expect(client.serverStat('app', 'nosuch')).rejects.toThrow(/has no server app\/nosuch/);

  const missing = new HaproxyRuntimeClient({ socket: `${hx.dir}/missing.sock` });
  await expect(missing.stats()).rejects.toThrow(/cannot reach the HAProxy runtime API at .*missing\.sock: ENOENT \(no such socket/);
  expect(() => new HaproxyRuntimeClient({ socket: 'not a socket' })).toThrow(ZerodownConfigError);
});
