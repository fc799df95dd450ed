/**
 * `zerodown reload` pointed at something that is not a `zerodown serve` master: a plain app's control
 * socket. The built CLI against a real control channel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zerodown, type Zerodown } from '@zerodown/core';
import { runCli, stopAll } from './fixtures/cli-helpers';

jest.setTimeout(60000);

let root: string;
let zd: Zerodown | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'zd-reload-misuse-'));
});

afterEach(async () => {
  zd?.dispose();
  zd = undefined;
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

test("reload against a plain app's control socket: says it is not a serve master, exit 1, the app keeps serving", async () => {
  const socket = path.join(root, 'app.sock');
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  zd = zerodown({ logger: silent, env: {}, control: { socket }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
  await zd.control!.listening;
  const r = await runCli(['reload', '--socket', socket]);
  expect(r.stderr).toContain(`${socket} is not the control socket of a \`zerodown serve\` master`);
  expect(r.code).toBe(1);
  expect(zd.draining).toBe(false);
});
