/** The probes' token check (issue 7 item 11): the `Bearer` auth scheme is case-insensitive (RFC 9110 §11.1). */
import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { silentLogger, zerodown, type Zerodown } from '../index';

const TOKEN = 'tok-0123456789abcdef';
let zd: Zerodown;
let server: Server;
let url: string;
beforeAll(async () => {
  zd = zerodown({ logger: silentLogger, env: {}, version: '1.2.3', control: { socket: false }, health: { token: TOKEN, eventLoopStallMs: 0 }, drain: { exit: false, signals: false } });
  server = createServer(zd.requestListener((_req, res) => res.end('ok')));
  zd.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  zd.ready();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  zd.dispose();
});

const health = async (authorization: string): Promise<Record<string, unknown>> => (await request(`${url}/health`, { headers: { authorization } })).body.json() as Promise<Record<string, unknown>>;

test.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER ${TOKEN}`, `bEaReR  ${TOKEN}`])('"%s" unlocks the details', async (authorization) => {
  expect(await health(authorization)).toMatchObject({ status: 'pass', version: '1.2.3' });
});

test.each([`Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer${TOKEN}`, `${TOKEN}`])('"%s" does not', async (authorization) => {
  expect(await health(authorization)).toEqual({ status: 'pass' });
});
