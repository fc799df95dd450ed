/**
 * The README's error table against the code: every exported error class extends ZerodownError and is in
 * the table with the code its constructor passes; every code in ZERODOWN_ERROR_CODES is in the table,
 * and the table lists nothing else.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as core from '@zerodown/core';
import { ZERODOWN_ERROR_CODES } from '../packages/core/src/errors';

const ROOT = path.resolve(__dirname, '..');

/** `code` → class names, from the README's "Errors" table. */
function readmeTable(): Map<string, string[]> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('\n## ', readme.indexOf('## Errors') + 1));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `(ZERODOWN_[A-Z_]+)` \| ([^|]+) \|/.exec(line);
    if (m) rows.set(m[1]!, [...m[2]!.matchAll(/`(\w+)`/g)].map((x) => x[1]!));
  }
  return rows;
}

/** Class name → the code literal its constructor passes to super(), from the sources of every package. */
function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (file.endsWith('.ts') && !file.endsWith('.test.ts')) {
        const src = readFileSync(file, 'utf8');
        for (const m of src.matchAll(/class (\w+) extends \w+ \{(?:(?!\bclass )[\s\S])*?super\(\s*'(ZERODOWN_[A-Z_]+)'/g)) found.set(m[1]!, m[2]!);
      }
    }
  };
  for (const pkg of ['core', 'express', 'fastify', 'cli']) walk(path.join(ROOT, 'packages', pkg, 'src'));
  return found;
}

test('the README error table lists every code and every exported error class, with the code the class throws', () => {
  const table = readmeTable();
  expect([...table.keys()].sort()).toEqual([...ZERODOWN_ERROR_CODES].sort());

  const exported = Object.entries(core)
    .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error)
    .map(([name, v]) => [name, v as abstract new (...a: never[]) => Error] as const);
  expect(exported.length).toBeGreaterThan(10);
  const sourceCodes = codesInSource();
  const listed = new Map([...table].flatMap(([code, classes]) => classes.map((c) => [c, code] as const)));
  for (const [name, cls] of exported) {
    if (name === 'ZerodownError') continue;
    expect({ name, extendsZerodownError: cls.prototype instanceof core.ZerodownError }).toEqual({ name, extendsZerodownError: true });
    expect({ name, code: listed.get(name) }).toEqual({ name, code: sourceCodes.get(name) });
  }
  // and the table names no class that is not exported
  expect([...listed.keys()].filter((c) => !exported.some(([n]) => n === c))).toEqual([]);
});
