/**
 * Every code block of README.md is exercised here, by the tag after its language, as test/docs-snippets
 * does for docs/: quick starts run as real programs (probes answered, SIGTERM drains them to exit 0),
 * fragments run inside the smallest program that defines what they use, npm lines name real scripts.
 * A block with an unknown tag (or none) fails the first test, so a new sample cannot go untested.
 *
 * The only edits made to a sample before it runs: port 3000 becomes the test's free port, and the
 * example dependency URL (https://dispatch.example/ping) a local server's, so no traffic leaves 127.0.0.1.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT, startRedis, stopAll } from './fixtures/cli-helpers';
import { getStatus, runServer } from './helpers/snippet-server';

interface Block {
  tag: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const ALL: Block[] = [];
for (let re = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm, m = re.exec(README); m; m = re.exec(README)) {
  ALL.push({ tag: m[1]!.trim(), code: m[2]!, line: README.slice(0, m.index).split('\n').length });
}
const KNOWN = ['sh npm', 'js quickstart', 'mjs quickstart', 'js fragment'];
const of = (...tags: string[]): Block[] => ALL.filter((b) => tags.includes(b.tag));

/** What a fragment may use without declaring it, in dependency order (CommonJS). */
const PRELUDE: Array<[string, string]> = [
  ['express', "const express = require('express');"],
  ['http', "const http = require('node:http');"],
  ['WebSocketServer', "const { WebSocketServer } = require('ws');"],
  ['zd', "const zd = require('@zerodown/core').zerodown({ serviceName: 'readme' });"],
  ['app', "const app = require('express')();"],
  ['server', "const server = require('node:http').createServer((req, res) => res.end('ok'));"],
  ['redis', "const redis = new (require('ioredis'))(process.env.REDIS_URL, { enableOfflineQueue: false });"],
  ['db', 'const db = { end: async () => {} };'],
];

/** The program a block runs as: missing names declared before it, the listen/attach it leaves out after it. */
function program(b: Block, dependencyUrl: string): string {
  const code = b.code.replace(/\b3000\b/g, 'Number(process.env.PORT)').replace('https://dispatch.example/ping', dependencyUrl);
  const uses = (n: string): boolean => new RegExp(`\\b${n}\\b`).test(code);
  const declares = (n: string): boolean => new RegExp(`\\b(const|let|var|import)\\b[^;=]*\\b${n}\\b`).test(code);
  const esm = b.tag.startsWith('mjs');
  const needed = PRELUDE.filter(([n]) => uses(n) && !declares(n) && (!esm || n === 'db'));
  // a fragment that only builds on a server still needs one that listens and answers the probes
  if (b.tag === 'js fragment' && !/listen\(/.test(code)) {
    for (const n of ['zd', 'server']) if (!needed.some(([m]) => m === n) && !declares(n)) needed.push(PRELUDE.find(([m]) => m === n)!);
    needed.sort((x, y) => PRELUDE.indexOf(x) - PRELUDE.indexOf(y));
    return `${needed.map(([, d]) => d).join('\n')}\n${code}\nzd.attach(server);\nserver.listen(Number(process.env.PORT), () => zd.ready());\n`;
  }
  return `${needed.map(([, d]) => d).join('\n')}\n${code}`;
}

const scratch = path.join(ROOT, '.readme-snippets'); // inside the repo, so `require('@zerodown/core')` resolves
let dependency: Server;
let dependencyUrl: string;
let redisUrl: string;
beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  dependency = createServer((_req, res) => res.end('pong'));
  await new Promise<void>((resolve) => dependency.listen(0, '127.0.0.1', resolve));
  dependencyUrl = `http://127.0.0.1:${(dependency.address() as AddressInfo).port}/ping`;
  redisUrl = (await startRedis()).url;
}, 60000);
afterAll(async () => {
  await stopAll();
  await new Promise((resolve) => dependency.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

test('every code block of README.md says how it is exercised', () => {
  expect(ALL.length).toBeGreaterThanOrEqual(6);
  expect(ALL.filter((b) => !KNOWN.includes(b.tag)).map((b) => `README.md:${b.line} \`\`\`${b.tag}`)).toEqual([]);
});

test.each(of('js quickstart', 'mjs quickstart', 'js fragment').map((b) => [`README.md:${b.line} ${b.tag}`, b] as const))('%s runs, answers the probes and drains to exit 0 on SIGTERM', async (_n, b) => {
  const file = path.join(scratch, `readme-${b.line}.${b.tag.startsWith('mjs') ? 'mjs' : 'js'}`);
  writeFileSync(file, program(b, dependencyUrl));
  await runServer(file, { REDIS_URL: redisUrl }, async (port) => {
    expect(await getStatus(port, '/health')).toBe(200);
  });
}, 60000);

test.each(of('sh npm').map((b) => [`README.md:${b.line}`, b] as const))('sh npm %s names real npm scripts', (_n, b) => {
  const scripts = Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  for (const line of b.code.split('\n').filter((l) => l.trim())) {
    for (const cmd of line.replace(/#.*$/, '').split('&&').map((c) => c.trim().split(/\s+/))) {
      expect(cmd[0]).toBe('npm');
      if (cmd[1] === 'install') continue;
      expect(scripts).toContain(cmd[1] === 'run' ? cmd[2] : cmd[1]);
    }
  }
});
