// A small dependency-free SVG line chart for bench/overload.mjs: goodput against offered load, one
// line per contender, with the ideal min(load, 1) as a grey reference.

const COLORS = {
  bare: '#6b6b6b',
  peer: '#d9822b',
  'peer-lax': '#9c5a1c',
  guard: '#1f5fbf',
};
const FALLBACK = ['#2a9d4b', '#b23a48', '#7b4fb5', '#178a8a'];

const escape = (text) =>
  String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );
const fixed = (n) => Number(n.toFixed(1));

/**
 * Renders `series` (`[{ name, key, points: [[x, y]], dashed? }]`) as an SVG document string.
 * `key` picks the colour (contender name); x and y are ratios to capacity.
 */
export function goodputChart({
  title,
  subtitle,
  series,
  deadlineMs = 1000,
  width = 880,
  height = 400,
}) {
  // The legend sits right of the plot, where no line can run under it.
  const margin = { top: 58, right: 260, bottom: 48, left: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = Math.max(1, ...xs) * 1.05;
  const yMax = Math.max(1.2, Math.ceil(Math.max(0, ...ys) * 5) / 5);
  const px = (x) => fixed(margin.left + (x / xMax) * plotW);
  const py = (y) => fixed(margin.top + plotH - (y / yMax) * plotH);
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${margin.left}" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${margin.left}" y="38" fill="#555">${escape(subtitle)}</text>`,
  );
  // Grid and ticks.
  for (let y = 0; y <= yMax + 1e-9; y += 0.2) {
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${py(y) + 4}" text-anchor="end" fill="#444">${y.toFixed(1)}</text>`,
    );
  }
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  for (const x of [0, ...xTicks]) {
    out.push(
      `<line x1="${px(x)}" x2="${px(x)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${px(x)}" y="${margin.top + plotH + 16}" text-anchor="middle" fill="#444">${x}×</text>`,
    );
  }
  out.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">offered load (× capacity, Poisson arrivals)</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">goodput (× capacity): 200s within ${deadlineMs / 1000} s</text>`,
  );
  // The ideal: everything up to capacity, then capacity.
  out.push(
    `<polyline fill="none" stroke="#bbb" stroke-width="1.5" stroke-dasharray="2 4" ` +
      `points="${px(0)},${py(0)} ${px(1)},${py(1)} ${px(xMax)},${py(1)}"/>`,
  );
  // Series and legend.
  let fallback = 0;
  const legendX = margin.left + plotW + 16;
  const ly0 = margin.top + 14;
  out.push(
    `<line x1="${legendX}" x2="${legendX + 22}" y1="${ly0 - 4}" y2="${ly0 - 4}" stroke="#bbb" stroke-width="1.5" stroke-dasharray="2 4"/>`,
    `<text x="${legendX + 28}" y="${ly0}" fill="#555">ideal: min(load, 1)</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[s.key] ?? FALLBACK[fallback++ % FALLBACK.length];
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const points = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ');
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2.2"${dash} points="${points}"/>`,
    );
    for (const [x, y] of s.points)
      out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${color}"/>`);
    const ly = ly0 + (i + 1) * 16;
    out.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2.2"${dash}/>`,
      `<text x="${legendX + 28}" y="${ly}">${escape(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
