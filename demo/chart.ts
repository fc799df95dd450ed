/**
 * The demo's chart: requests/s, p99 latency and errors over time, with the deploy's steps marked, as
 * SVG rendered in Node by Vega-Lite + Vega (no browser, no native module), and as PNG when a real SVG
 * converter (rsvg-convert or ImageMagick) is installed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { RequestOutcome } from '../test/e2e/harness/load';
import { quantile } from '../test/e2e/harness/load';

/** A marked moment, in milliseconds since the load started. */
export interface ChartMark {
  at: number;
  label: string;
}

/** One time bucket of the chart. */
export interface Bucket {
  /** Seconds since the load started (bucket start). */
  t: number;
  rps: number;
  p99: number;
  errors: number;
}

/** Groups outcomes by the time they were sent: requests/s, p99 (ms) and errors (failed or non-2xx) per bucket. */
export function bucketize(outcomes: RequestOutcome[], bucketMs = 500): Bucket[] {
  const groups = new Map<number, RequestOutcome[]>();
  for (const o of outcomes) {
    const k = Math.floor(o.at / bucketMs);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(o);
  }
  // the last bucket is cut short by the end of the load: leave it out rather than draw a false dip
  const last = Math.max(0, ...groups.keys()) - 1;
  const out: Bucket[] = [];
  for (let k = 0; k <= last; k++) {
    const g = groups.get(k) ?? [];
    out.push({
      t: (k * bucketMs) / 1000,
      rps: (g.length * 1000) / bucketMs,
      p99: Math.round(quantile(g.map((o) => o.ms), 0.99) * 10) / 10,
      errors: g.filter((o) => o.status < 200 || o.status >= 300).length,
    });
  }
  return out;
}

const importEsm = new Function('s', 'return import(s)') as (specifier: string) => Promise<any>; // vega is ESM-only

/** Renders the chart to an SVG string. */
export async function renderSvg(buckets: Bucket[], marks: ChartMark[], title: string): Promise<string> {
  const [vega, vl] = await Promise.all([importEsm('vega'), importEsm('vega-lite')]);
  const events = marks.map((m) => ({ t: m.at / 1000, instance: m.label.split(' ')[0], kind: m.label.replace(/^\S+ /, '') }));
  const x = { field: 't', type: 'quantitative', title: 'seconds since the load started', scale: { domain: [0, buckets.length ? buckets[buckets.length - 1]!.t + 0.5 : 1] } };
  const rules = {
    data: { values: events },
    mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1 },
    encoding: { x: { field: 't', type: 'quantitative' }, color: { field: 'kind', type: 'nominal', title: 'deploy step', scale: { scheme: 'dark2' } } },
  };
  // the instance's name above the first step of each instance (its drain, or its reload)
  const names = {
    data: { values: events.filter((e, i) => events.findIndex((f) => f.instance === e.instance) === i) },
    mark: { type: 'text', align: 'left', dx: 3, dy: -4, baseline: 'bottom', fontSize: 11 },
    encoding: { x: { field: 't', type: 'quantitative' }, y: { value: 0 }, text: { field: 'instance' } },
  };
  const panel = (field: string, yTitle: string, color: string, extra: Record<string, unknown> = {}, first = false) => ({
    width: 760,
    height: 130,
    layer: [
      { mark: { type: 'line', interpolate: 'step-after', color }, encoding: { x, y: { field, type: 'quantitative', title: yTitle, ...extra } } },
      rules,
      ...(first ? [names] : []),
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    background: 'white',
    data: { values: buckets },
    vconcat: [
      panel('rps', 'requests/s', '#1f77b4', {}, true),
      panel('p99', 'p99 latency (ms)', '#9467bd'),
      panel('errors', 'errors (failed or non-2xx)', '#d62728', { scale: { domainMin: 0, domainMax: 1 } }),
    ],
    config: { font: 'DejaVu Sans, sans-serif' },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg: string = await view.toSVG();
  view.finalize();
  return svg;
}

/** The first working SVG→PNG converter: `rsvg-convert`, then ImageMagick (`magick`, `convert`); undefined if none. */
export function pngConverter(): { name: string; args: (svg: string, png: string) => [string, string[]] } | undefined {
  const works = (cmd: string, args: string[], expect: RegExp): boolean => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 && expect.test(`${r.stdout}${r.stderr}`);
  };
  if (works('rsvg-convert', ['--version'], /rsvg-convert/)) return { name: 'rsvg-convert', args: (svg, png) => ['rsvg-convert', ['-b', 'white', '-o', png, svg]] };
  for (const cmd of ['magick', 'convert']) {
    if (works(cmd, ['-version'], /ImageMagick/)) return { name: `ImageMagick (${cmd})`, args: (svg, png) => [cmd, [svg, png]] };
  }
  return undefined;
}

/** Writes `<base>.svg`, and `<base>.png` when a converter is installed; returns what was written and how. */
export async function writeChart(base: string, buckets: Bucket[], marks: ChartMark[], title: string): Promise<{ svg: string; png?: string; note: string }> {
  const svgPath = `${base}.svg`;
  writeFileSync(svgPath, await renderSvg(buckets, marks, title));
  const conv = pngConverter();
  if (!conv) return { svg: svgPath, note: 'no PNG: neither rsvg-convert (Debian: librsvg2-bin) nor ImageMagick is installed' };
  const pngPath = `${base}.png`;
  const [cmd, args] = conv.args(svgPath, pngPath);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) return { svg: svgPath, note: `no PNG: ${conv.name} failed: ${r.stderr.trim()}` };
  return { svg: svgPath, png: pngPath, note: `PNG by ${conv.name}` };
}
