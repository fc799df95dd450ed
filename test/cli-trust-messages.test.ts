/**
 * What the built CLI says when it refuses a control socket path: a `--socket` whose directory is a
 * symbolic link (to a directory the caller owns) is refused (the trust rules never follow a symlink),
 * with one `zerodown: ` prefix and exit code 1.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, stopAll } from './fixtures/cli-helpers';

jest.setTimeout(60000);

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'zd-cli-trust-'));
});
afterEach(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

test('--socket in a symlinked directory: refused with one "zerodown:" prefix, exit 1', async () => {
  mkdirSync(path.join(root, 'real'), { mode: 0o700 });
  symlinkSync(path.join(root, 'real'), path.join(root, 'link'));
  const r = await runCli(['status', '--socket', path.join(root, 'link', 'app.sock')]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^zerodown: refusing the control socket directory .*\/link: it is a symbolic link/m);
  expect(r.stderr).not.toMatch(/zerodown: zerodown: /);
});
