'use strict';
// Markdown rendering of the benchmark results and the issue's targets (met / not met).

const { pairedRatio } = require('./stats');

/** Round spread (half the max-min range over the median) above which a result is flagged noisy. */
const NOISY = 0.1;

const pct = (x) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const num = (x) => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const ms = (x) => (Number.isFinite(x) ? String(x) : 'n/a');
const us = (x) => (x === undefined ? 'n/a' : x.toFixed(1));

/** Markdown table from a header row and body rows. */
function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The issue's targets for one group: [{ text, short, ratio (req/s), cpuRatio, goal, met, noisy }]. */
function verdicts(group, s) {
  const out = [];
  const zd = s[group.zerodown.id];
  const check = (other, goal, short) => {
    const ratio = pairedRatio(zd, s[other.id]);
    const halfSpread = Math.max(zd.spread, s[other.id].spread) / 2;
    const noisy = halfSpread > NOISY;
    // a difference smaller than the round spread is no measured difference, in either direction
    const withinSpread = Math.abs(ratio - 1) < halfSpread ? halfSpread : undefined;
    out.push({ text: `${group.zerodown.label} ${short}`, short, ratio, cpuRatio: pairedRatio(zd, s[other.id], 'cpu'), goal, met: ratio >= goal, noisy, withinSpread });
  };
  if (group.goal !== undefined) check(group.bare, group.goal, `≥ ${pct(group.goal)} of bare`);
  if (group.peer) check(group.peer, 1, `not below ${group.peer.label}`);
  return out;
}

const verdictText = (v) =>
  `${v.met ? 'met' : '**not met**'}${v.noisy ? ' (noisy)' : ''}${v.withinSpread !== undefined ? ` (the difference is within the round spread ±${pct(v.withinSpread)}: no difference measured; the instruction counts decide)` : ''}`;

/** The main table: one row per target, with ratios and the issue's targets marked. */
function resultsTable(groups, s) {
  const rows = [];
  for (const g of groups) {
    const bare = s[g.bare.id];
    const v = verdicts(g, s);
    for (const t of [g.bare, g.zerodown, g.peer].filter(Boolean)) {
      const r = s[t.id];
      const isZd = t === g.zerodown;
      const isBare = t === g.bare;
      const vsPeer = isZd && g.peer ? pct(pairedRatio(r, s[g.peer.id])) : '';
      const goal = isZd ? (v.length ? v.map((x) => `${x.short}: ${verdictText(x)}`).join('; ') : 'none (info)') : '';
      rows.push([
        t.label,
        num(r.rps),
        ms(r.p99),
        isBare ? '100%' : pct(pairedRatio(r, bare)),
        vsPeer,
        us(r.cpuUsPerReq),
        isBare ? '100%' : pct(pairedRatio(r, bare, 'cpu')),
        `±${pct(r.spread / 2)}`,
        r.errors ? `**${r.errors}**` : '0',
        goal,
      ]);
    }
  }
  return table(['target', 'req/s', 'p99 ms', 'vs bare', 'vs terminus', 'server CPU µs/req', 'vs bare by CPU', 'round spread', 'errors', 'issue 2 target'], rows);
}

/** One line per target of the issue: ratio by req/s and by CPU, and the verdict. */
function targetsSummary(groups, s) {
  const v = groups.flatMap((g) => verdicts(g, s));
  return v.map((x) => `- ${x.text}: ${pct(x.ratio)} by req/s (${pct(x.cpuRatio)} by server CPU per request) → ${verdictText(x)}`).join('\n');
}

/** Every round's req/s and server CPU µs/request per target (to judge noise). */
function roundsTable(groups, s, rounds) {
  const header = ['target', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)];
  const rows = [];
  for (const g of groups) {
    for (const t of [g.bare, g.zerodown, g.peer].filter(Boolean)) {
      rows.push([t.label, ...s[t.id].runs.map((r) => `${num(r.rps)} req/s, ${us(r.cpuUsPerReq)} µs`)]);
    }
  }
  return table(header, rows);
}

/** The probe-load table: req/s on /readyz and how many times the check ran meanwhile. */
function probeTable(probes) {
  return table(
    ['probe', 'req/s', 'p99 ms', 'requests', 'custom check runs during the load'],
    probes.map((p) => [p.label, num(p.rps), ms(p.p99), num(p.total), p.checkRuns === undefined ? 'n/a' : String(p.checkRuns)]),
  );
}

/** Rows returned by bench/breakers.js, as a table when they are objects. */
function rowsTable(rows) {
  if (!Array.isArray(rows) || rows.length === 0) return '_(no rows)_';
  if (rows.every((r) => r && typeof r === 'object' && !Array.isArray(r))) {
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return table(keys, rows.map((r) => keys.map((k) => (r[k] === undefined ? '' : String(r[k])))));
  }
  return rows.map((r) => `- ${Array.isArray(r) ? r.join(' | ') : String(r)}`).join('\n');
}

module.exports = { table, verdicts, resultsTable, targetsSummary, roundsTable, probeTable, rowsTable, pct, NOISY };
