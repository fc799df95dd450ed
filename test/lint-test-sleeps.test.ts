/**
 * The lint step that keeps fixed sleeps out of the tests (scripts/lint-test-sleeps.js, run by `pretest`):
 * every spelling of a sleep used in this repo is found, waits on a condition are not, and a sleep with a
 * `// sleep-ok: <reason>` comment is allowed.
 */
const { lintSource, testFiles } = require('../scripts/lint-test-sleeps.js') as {
  lintSource: (file: string, text: string) => { line: number; what: string; allowed: boolean }[];
  testFiles: () => string[];
};

const found = (code: string): number => lintSource('x.test.ts', code).filter((f) => !f.allowed).length;

describe('lint-test-sleeps', () => {
  test.each([
    ['await new Promise((r) => setTimeout(r, 50));'],
    ['await new Promise((res) => setTimeout(res, 100));'],
    ['await new Promise<void>((resolve) => setTimeout(resolve, ms));'],
    ['await new Promise((r) => setTimeout(() => r(), 50));'],
    ['await new Promise((r) => {\n  setTimeout(r, 50);\n});'],
    ['await new Promise((r) => setTimeout(r, 50).unref());'],
    ['await sleep(WINDOW_MS * 4);'],
    ['for (let i = 0; i < 20 && s.evaluate(); i++) await sleep(100);'],
    ['for (let i = 0; i < 200 && !done; i++) await new Promise((r) => setTimeout(r, 10));'],
    ["import { setTimeout as wait } from 'node:timers/promises';\nawait wait(100);"],
    ["import * as timers from 'timers/promises';\nawait timers.setTimeout(100);"],
    ['await scheduler.wait(100);'],
    ['const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));'],
    ['const end = Date.now() + 250;\nwhile (Date.now() < end) {\n  /* spin */\n}'],
    ['while (performance.now() < end);'],
  ])('finds %s', (code) => {
    expect(found(code)).toBe(1);
  });

  test.each([
    ["await waitFor(() => seen.length > 0, 3000, 'the alert');"],
    ['const code = await Promise.race([a.exited, new Promise<number>((r) => setTimeout(() => r(-1), ms).unref())]);'],
    ["setTimeout(() => void s.release('a'), 200);"],
    ['const server = createServer((req, res) => setTimeout(() => res.end(\'ok\'), 300));'],
    ['await new Promise((r) => setImmediate(r));'],
    ['while (Date.now() < end) {\n  const res = await get(url);\n  expect(res.status).toBe(200);\n}'],
    ['const wait = zd.breakers.wrap(\'slow\', fn);\nawait wait(5000);'],
    ["const s = 'await sleep(50)'; // sleep(50) in a string or a comment"],
  ])('passes %s', (code) => {
    expect(found(code)).toBe(0);
  });

  test('a sleep-ok comment with a reason, on the line or the line above, allows a sleep; without a reason it does not', () => {
    expect(found('await sleep(40); // sleep-ok: lets the episode last a measurable time')).toBe(0);
    expect(found('// sleep-ok: paces the bounded traffic loop\nawait sleep(50);')).toBe(0);
    expect(found('await sleep(40); // sleep-ok:')).toBe(1);
    expect(found('// sleep-ok: paces the bounded traffic loop\n\nawait sleep(50);')).toBe(1);
  });

  test('it covers the test tree and the package tests, but not the wait helper itself', () => {
    const files = testFiles();
    expect(files).toContain('test/conformance.test.ts');
    expect(files).toContain('test/fixtures/haproxy-fixture.ts');
    expect(files).toContain('packages/core/src/drain/http2.test.ts');
    expect(files).not.toContain('test/helpers/wait.ts');
  });
});
