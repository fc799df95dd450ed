/**
 * The `zerodown` CLI never prints a secret (issue 7 item 8): URL credentials, query strings and Bearer
 * credentials are redacted from every error it prints, on stderr and in `--json`.
 * Build first: npx tsc -b packages/core packages/cli
 */
import { runCli, stopAll } from './fixtures/cli-helpers';

const SECRET = 's3cr3t-VALUE-0123456789';
afterAll(() => stopAll());

test('an error that echoes a URL with credentials and a token prints neither (text and --json)', async () => {
  const socket = `https://deploy:${SECRET}@hooks.example/x?token=${SECRET}`;
  const text = await runCli(['status', '--socket', socket]);
  expect(text.code).toBe(1);
  expect(text.stderr).toContain('https://<redacted>@hooks.example/x?<redacted>');
  expect(text.stderr + text.stdout).not.toContain(SECRET);
  const json = await runCli(['drain', '--json'], { ZERODOWN_CONTROL_SOCKET: `/run/x?access_token=${SECRET}&Authorization=Bearer%20${SECRET}` });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { reason: 'ENOENT' } });
  expect(json.stderr + json.stdout).not.toContain(SECRET);
});
