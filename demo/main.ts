/**
 * `npm run demo`: deploys a zerodown app once under continuous keep-alive load, prints a summary
 * (requests, errors, p50/p99, time per instance) and writes a chart of requests/s, p99 and errors over
 * time with the deploy's steps marked.
 *
 * Scenarios: `rolling-reload` (every worker of `zerodown serve` replaced by `zerodown reload`; through
 * HAProxy when installed, else one host directly) when the CLI has `serve`; otherwise, and with
 * `--scenario rolling-patch`, the rolling patch of three instances behind HAProxy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { quantile, startLoad } from '../test/e2e/harness/load';
import { bucketize, writeChart, type ChartMark } from './chart';
import { rollingPatchScenario } from './scenarios/rolling-patch';
import { rollingReloadScenario } from './scenarios/rolling-reload';
import type { DemoScenario } from './scenarios/types';

const ROOT = resolve(__dirname, '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every scenario, best first: the first one available runs unless `--scenario` names one. */
export const SCENARIOS: DemoScenario[] = [rollingReloadScenario, rollingPatchScenario];

interface Args {
  out: string;
  connections: number;
  scenario?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { out: join(ROOT, 'demo/out'), connections: 32 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') args.out = resolve(value());
    else if (a === '--connections') {
      args.connections = Number(value());
      if (!Number.isInteger(args.connections) || args.connections < 1 || args.connections > 2000) throw new Error('--connections must be a whole number between 1 and 2000');
    } else if (a === '--scenario') args.scenario = value();
    else throw new Error(`unknown option ${a} (options: --out DIR, --connections N, --scenario ${SCENARIOS.map((s) => s.name).join('|')})`);
  }
  return args;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Runs the demo; resolves with the exit code: 0 when no member request failed, 1 otherwise, 2 when it cannot run here. */
export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const candidates = args.scenario ? SCENARIOS.filter((s) => s.name === args.scenario) : SCENARIOS;
  if (candidates.length === 0) throw new Error(`unknown scenario "${args.scenario}": one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const scenario = candidates.find((s) => !s.unavailable());
  if (!scenario) {
    for (const s of candidates) say(`demo: ${s.name} cannot run here: ${s.unavailable()}`);
    return 2;
  }
  for (const s of SCENARIOS) if (s !== scenario && s.unavailable()) say(`demo: skipping ${s.name}: ${s.unavailable()}`);

  say(`demo: ${scenario.name}, ${args.connections} keep-alive connections`);
  const target = await scenario.start();
  say(`demo: ${target.description}`);
  const load = startLoad({ url: target.url, connections: args.connections, paths: ['/', '/work?ms=20', '/', '/work?ms=100'], maxMs: 600000 });
  const marks: ChartMark[] = [];
  let times: Awaited<ReturnType<typeof target.deploy>>;
  let report: Awaited<ReturnType<typeof load.stop>>;
  try {
    await sleep(2000); // a steady baseline before the deploy, for the chart
    times = await target.deploy((m) => {
      marks.push({ at: m.now - load.startedAt, label: m.label });
      say(`  ${((m.now - load.startedAt) / 1000).toFixed(1).padStart(6)} s  ${m.label}`);
    });
    await sleep(2000);
  } finally {
    report = await load.stop();
    await target.stop();
  }
  const errors = report.failed.length + report.non2xx.length;
  const latencies = report.outcomes.map((o) => o.ms);
  const summary = {
    scenario: scenario.name,
    setup: target.description,
    connections: args.connections,
    node: process.version,
    requests: report.total,
    errors,
    failed: report.failed.length,
    non2xx: report.non2xx.length,
    p50Ms: Math.round(quantile(latencies, 0.5) * 10) / 10,
    p99Ms: Math.round(quantile(latencies, 0.99) * 10) / 10,
    durationS: Math.round(report.durationMs / 100) / 10,
    perInstance: times.map((t) => ({ name: t.name, seconds: Math.round(t.ms / 100) / 10 })),
  };
  say('');
  say(`requests   ${summary.requests} in ${summary.durationS} s (${Math.round(summary.requests / summary.durationS)}/s)`);
  say(`errors     ${errors} (${summary.failed} failed, ${summary.non2xx} non-2xx)`);
  say(`latency    p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`);
  say(`instances  ${summary.perInstance.map((p) => `${p.name} ${p.seconds} s`).join(', ')}`);
  for (const o of [...report.failed, ...report.non2xx].slice(0, 5)) say(`  error at ${(o.at / 1000).toFixed(1)} s ${o.path}: ${o.status || o.error}`);

  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${scenario.name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  const title = `zerodown ${scenario.name}: ${summary.requests} requests on ${args.connections} keep-alive connections, ${errors} errors`;
  const chart = await writeChart(join(args.out, scenario.name), bucketize(report.outcomes), marks, title);
  say(`chart      ${relative(process.cwd(), chart.svg)}${chart.png ? `, ${relative(process.cwd(), chart.png)}` : ''} (${chart.note})`);
  return errors === 0 ? 0 : 1;
}
