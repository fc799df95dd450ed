'use strict';
// Markdown rendering of the benchmark results and the issue's targets (met / not met).

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const num = (x) => Math.round(x).toLocaleString('en-US');
const ms = (x) => (Number.isFinite(x) ? String(x) : 'n/a');

/** Markdown table from a header row and body rows. */
function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The verdicts of the issue's targets for one group: [{ text, ratio, met }]. */
function verdicts(group, s) {
  const out = [];
  const zd = s[group.zerodown.id];
  if (group.goal !== undefined) {
    const ratio = zd.rps / s[group.bare.id].rps;
    out.push({ text: `${group.zerodown.label} ≥ ${pct(group.goal)} of bare`, ratio, met: ratio >= group.goal });
  }
  if (group.peer) {
    const ratio = zd.rps / s[group.peer.id].rps;
    out.push({ text: `${group.zerodown.label} not below ${group.peer.label}`, ratio, met: ratio >= 1 });
  }
  return out;
}

/** The main table: one row per target, with ratios and the issue's targets marked. */
function resultsTable(groups, s) {
  const rows = [];
  for (const g of groups) {
    const bare = s[g.bare.id];
    const v = verdicts(g, s);
    for (const t of [g.bare, g.zerodown, g.peer].filter(Boolean)) {
      const r = s[t.id];
      const isZd = t === g.zerodown;
      const vsPeer = isZd && g.peer ? pct(r.rps / s[g.peer.id].rps) : '';
      const goal = isZd ? (v.length ? v.map((x) => `${x.met ? 'met' : '**not met**'} (${x.text.replace(`${g.zerodown.label} `, '')})`).join('; ') : 'no target (info)') : '';
      rows.push([t.label, num(r.rps), ms(r.p99), t === g.bare ? '100%' : pct(r.rps / bare.rps), vsPeer, `±${pct(r.spread / 2)}`, r.errors ? `**${r.errors}**` : '0', goal]);
    }
  }
  return table(['target', 'req/s (median)', 'p99 ms', 'vs bare', 'vs terminus', 'round spread', 'errors', 'issue 2 target'], rows);
}

/** Every round's req/s per target (to judge noise). */
function roundsTable(groups, s, rounds) {
  const header = ['target', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)];
  const rows = [];
  for (const g of groups) for (const t of [g.bare, g.zerodown, g.peer].filter(Boolean)) rows.push([t.label, ...s[t.id].rounds.map(num)]);
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

module.exports = { table, verdicts, resultsTable, roundsTable, probeTable, rowsTable, pct };
