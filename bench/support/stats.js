'use strict';
// Small statistics and the result table.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

// rows: [{ metric, unit, ours, official, oursQ, limit?, limitName?, limitQ? }]. The quotients
// are of the values (ours / official, limit / official): below 1 is cheaper for a cost
// (µs, B, ms), above 1 is faster for a rate (/s). `limit` is the bare reference of the row
// (bare ws or bare node:http), absent where there is none.
function printTable(rows, out = console.log, sides = ['ours (engine.io-ts)', 'official (engine.io@6)']) {
  const withLimit = rows.some((row) => row.limit !== undefined);
  const lines = rows.map((row) => {
    const cells = [row.metric, `${formatNumber(row.ours)} ${row.unit}`, `${formatNumber(row.official)} ${row.unit}`];
    if (withLimit) cells.push(row.limit === undefined ? '-' : `${formatNumber(row.limit)} ${row.unit} (${row.limitName})`);
    cells.push(row.oursQ.toFixed(2));
    if (withLimit) cells.push(row.limitQ === undefined ? '-' : row.limitQ.toFixed(2));
    return cells;
  });
  const header = ['metric', sides[0], sides[1]];
  if (withLimit) header.push('limit (bare)');
  header.push('ours/official');
  if (withLimit) header.push('limit/official');
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  out(fmt(header));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) out(fmt(l));
  out(
    `The columns are medians over alternating slices (or rounds); a quotient is the median of the quotients of adjacent slices, value / ${sides[1]}'s value: ` +
      'for a cost (µs, B, ms/s) below 1 is cheaper, for a rate (/s) above 1 is faster.' +
      (withLimit ? ' limit: a bare `ws` server (ws) or a bare `node:http` handler (http) speaking just enough Engine.IO v4.' : ''),
  );
}

module.exports = { median, percentile, formatNumber, printTable };
