#!/usr/bin/env node
'use strict';
/**
 * Fails when a test waits a fixed time instead of waiting for a condition (issue 12).
 *
 * Scans the test sources (test/**\/*.ts and packages/*\/src/**\/*.test.ts; test/helpers/wait.ts, which
 * implements the waits, is exempt) with the TypeScript parser and reports every:
 *   - promise resolved by a timer: `new Promise((r) => setTimeout(r, ms))`, in any spelling
 *     (`setTimeout(() => r(), ms)`, a block body, `.unref()`, a generic `Promise<void>`);
 *   - call of a sleep helper: `sleep(…)`, `delay(…)`, `pause(…)`, and `setTimeout`/`scheduler.wait`
 *     imported from `timers/promises`;
 *   - busy-wait on the clock: a `while`/`for` loop whose condition reads `Date.now()` or
 *     `performance.now()` and whose body does nothing but spin.
 * A fixed sleep is allowed only where it deliberately creates a delay, and then says why in a comment
 * `// sleep-ok: <reason>` on its line or the line above. Waiting for a condition (`waitFor` in
 * test/helpers/wait.ts, an event, a counter) needs no comment.
 *
 * Usage: node scripts/lint-test-sleeps.js [files…]   (no files: the whole test tree). Exit 1 on findings.
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const EXEMPT = new Set(['test/helpers/wait.ts']);
const SLEEP_NAMES = new Set(['sleep', 'delay', 'pause']);
const ALLOW = /\/\/\s*sleep-ok:\s*\S.{8,}/;

/** Test sources relative to the root. */
function testFiles() {
  const out = [];
  const walk = (dir, keep) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(rel, keep);
      } else if (keep(rel)) out.push(rel);
    }
  };
  walk('test', (f) => f.endsWith('.ts'));
  for (const p of fs.readdirSync(path.join(ROOT, 'packages'))) {
    if (fs.existsSync(path.join(ROOT, 'packages', p, 'src'))) walk(`packages/${p}/src`, (f) => f.endsWith('.test.ts'));
  }
  return out.filter((f) => !EXEMPT.has(f)).sort();
}

const isFn = (n) => n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n));
const isNamed = (n, name) => n && ts.isIdentifier(n) && n.text === name;
const unwrap = (n) => (n && ts.isParenthesizedExpression(n) ? unwrap(n.expression) : n);

/** Whether `fn` is `() => r()` / `() => { r(); }` / `() => void r()` for the resolver `r`. */
function callsOnly(fn, r) {
  if (!isFn(fn) || fn.parameters.length > 0) return false;
  let body = fn.body;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1 || !ts.isExpressionStatement(body.statements[0])) return false;
    body = body.statements[0].expression;
  }
  body = unwrap(body);
  if (ts.isVoidExpression(body)) body = unwrap(body.expression);
  return ts.isCallExpression(body) && isNamed(body.expression, r) && body.arguments.length === 0;
}

/** Whether the executor of `new Promise(executor)` resolves it from a timer and nothing else. */
function isTimerPromise(node) {
  if (!ts.isNewExpression(node) || !isNamed(node.expression, 'Promise')) return false;
  const exec = node.arguments && node.arguments[0];
  if (!isFn(exec) || exec.parameters.length === 0 || !ts.isIdentifier(exec.parameters[0].name)) return false;
  const r = exec.parameters[0].name.text;
  let found = false;
  const visit = (n) => {
    if (found) return;
    if (ts.isCallExpression(n) && (isNamed(n.expression, 'setTimeout') || isNamed(n.expression, 'setInterval'))) {
      const cb = unwrap(n.arguments[0]);
      if (isNamed(cb, r) || callsOnly(cb, r)) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(exec.body);
  return found;
}

/** Whether `e` reads the clock: `Date.now()` or `performance.now()`. */
function readsClock(e) {
  let found = false;
  const visit = (n) => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'now') {
      const o = n.expression.expression;
      if (isNamed(o, 'Date') || isNamed(o, 'performance')) found = true;
    }
    ts.forEachChild(n, visit);
  };
  if (e) visit(e);
  return found;
}

/** Whether a loop body only spins (empty, or nothing but comments). */
function spins(body) {
  if (!body) return true;
  if (ts.isEmptyStatement(body)) return true;
  return ts.isBlock(body) && body.statements.length === 0;
}

/** Findings in one file: `{ line, what }`, with allowed ones marked. */
function lintSource(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = text.split('\n');
  const timerImports = new Set();
  const findings = [];
  const report = (node, what) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    const allowed = ALLOW.test(lines[line] || '') || ALLOW.test(lines[line - 1] || '');
    findings.push({ line: line + 1, what, allowed });
  };
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !/^(node:)?timers\/promises$/.test(st.moduleSpecifier.text)) continue;
    const b = st.importClause && st.importClause.namedBindings;
    if (b && ts.isNamedImports(b)) for (const el of b.elements) timerImports.add(el.name.text);
    if (b && ts.isNamespaceImport(b)) timerImports.add(`${b.name.text}.*`);
  }
  const visit = (n) => {
    if (isTimerPromise(n)) report(n, 'a promise resolved by a timer (a fixed sleep)');
    else if (ts.isCallExpression(n)) {
      const c = n.expression;
      if (ts.isIdentifier(c) && (SLEEP_NAMES.has(c.text) || timerImports.has(c.text))) report(n, `${c.text}(…) (a fixed sleep)`);
      else if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && timerImports.has(`${c.expression.text}.*`)) report(n, `${c.expression.text}.${c.name.text}(…) from timers/promises (a fixed sleep)`);
      else if (ts.isPropertyAccessExpression(c) && isNamed(c.expression, 'scheduler') && c.name.text === 'wait') report(n, 'scheduler.wait(…) (a fixed sleep)');
    } else if ((ts.isWhileStatement(n) || ts.isDoStatement(n)) && readsClock(n.expression) && spins(n.statement)) {
      report(n, 'a busy-wait on the clock (a fixed delay)');
    } else if (ts.isForStatement(n) && readsClock(n.condition) && spins(n.statement)) {
      report(n, 'a busy-wait on the clock (a fixed delay)');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return findings;
}

function main() {
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args.map((f) => path.relative(ROOT, path.resolve(f)).split(path.sep).join('/')) : testFiles();
  let bad = 0;
  let allowed = 0;
  for (const f of files) {
    for (const x of lintSource(f, fs.readFileSync(path.join(ROOT, f), 'utf8'))) {
      if (x.allowed) allowed++;
      else {
        bad++;
        process.stderr.write(`${f}:${x.line}: ${x.what}; wait for the condition instead (waitFor in test/helpers/wait.ts, an event, a counter), or say why the delay is deliberate with "// sleep-ok: <reason>"\n`);
      }
    }
  }
  if (bad > 0) {
    process.stderr.write(`lint-test-sleeps: ${bad} fixed sleep(s) in tests (${allowed} allowed with a reason)\n`);
    process.exit(1);
  }
  process.stdout.write(`lint-test-sleeps: ${files.length} files, no fixed sleep without a reason (${allowed} allowed)\n`);
}

if (require.main === module) main();
module.exports = { lintSource, testFiles };
