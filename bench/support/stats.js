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

// rows: [{ metric, unit, ours, official, higherIsBetter }]; the ratio is oriented so
// that > 1 always means our server did better.
function printTable(rows, out = console.log, sides = ['ours (engine.io-ts)', 'official (engine.io@6)']) {
  const lines = rows.map((row) => {
    const ratio = row.ratio ?? (row.higherIsBetter ? row.ours / row.official : row.official / row.ours);
    return [row.metric, `${formatNumber(row.ours)} ${row.unit}`, `${formatNumber(row.official)} ${row.unit}`, `${ratio.toFixed(2)}x`];
  });
  const header = ['metric', sides[0], sides[1], 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  out(fmt(header));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) out(fmt(l));
  out(`ratio > 1 means ${sides[0]} is better (faster, less CPU, less memory, lower latency); the two columns are medians over alternating A/B slices, the ratio is the median of the ratios of adjacent A/B slices.`);
}

module.exports = { median, percentile, formatNumber, printTable };
