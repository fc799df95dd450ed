import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestReload } from './reload-client';
import type { ReloadEvent } from './reload';

// The reload client against a real HTTP server on a Unix socket standing in for a master that exits
// (SIGTERM during a reload) after streaming a progress line.

let dir: string;
let server: Server | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zd-reload-client-'));
});

afterEach(async () => {
  if (server?.listening) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
  }
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('the master goes away in the middle of the reload stream: the request rejects at once, it does not hang until its timeout', async () => {
  const socket = join(dir, 'm.sock');
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const line: ReloadEvent = { step: 'start', message: 'replacing 1 worker(s)', elapsedMs: 0 };
    res.write(JSON.stringify({ event: 'progress', progress: line }) + '\n', () => res.socket?.destroy());
  });
  await new Promise<void>((r) => server!.listen(socket, r));
  const seen: ReloadEvent[] = [];
  const t0 = Date.now();
  await expect(requestReload(socket, (e) => seen.push(e), { timeoutMs: 60_000 })).rejects.toMatchObject({ message: expect.stringMatching(/closed the reload stream before the reload finished/) });
  expect(seen.map((e) => e.step)).toEqual(['start']);
  expect(Date.now() - t0).toBeLessThan(30_000);
});
