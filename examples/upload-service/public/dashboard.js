// The live dashboard: polls /dashboard/data every second and draws the last two minutes with uPlot
// (served from the uplot package, no build step). Counters arrive as running totals and are drawn
// as rates per second; gauges as they are. Each chart's <figure> carries data-points (samples
// drawn) and data-last (the latest values by series), which the page test reads.
/* global uPlot */
const POLL_MS = 1000;
const KEEP = 120;
const COLORS = [
  '#1a7f37',
  '#cf222e',
  '#0969da',
  '#9a6700',
  '#8250df',
  '#bf3989',
  '#1b7c83',
  '#57606a',
];
const samples = [];
const charts = new Map();

const sum = (points, keep) => points.filter(keep).reduce((total, p) => total + p.value, 0);
const refusals = (s) => s.requests.filter((r) => r.result === 'rejected');
const unique = (values) => [...new Set(values)].sort();
const allSamples = (pick) => unique(samples.flatMap(pick));

/** What each chart shows: its series names, how to read each from a snapshot, rate or gauge. */
const CHARTS = {
  requests: () => ({
    rate: true,
    keys: ['allowed', 'refused'],
    read: (s) => [sum(s.requests, (r) => r.result === 'allowed'), sum(refusals(s), () => true)],
  }),
  refusals: () => {
    const keys = allSamples((s) => refusals(s).map((r) => `${r.policy} · ${r.reason}`));
    return {
      rate: true,
      keys,
      read: (s) => keys.map((k) => sum(refusals(s), (r) => `${r.policy} · ${r.reason}` === k)),
    };
  },
  concurrency: () => {
    const names = allSamples((s) => Object.keys(s.concurrency));
    const keys = names.flatMap((n) => [`${n}: in flight`, `${n}: queued`, `${n}: limit`]);
    return {
      rate: false,
      keys,
      read: (s) =>
        names.flatMap((n) => {
          const c = s.concurrency[n];
          return c ? [c.active, c.queued, c.limit] : [null, null, null];
        }),
    };
  },
  pressure: () => ({
    rate: false,
    keys: ['pressure', 'threshold'],
    read: (s) => [s.pressure, 1],
  }),
  breakers: () => {
    const keys = allSamples((s) => Object.keys(s.breakers));
    return {
      rate: false,
      range: [0, 2.2],
      keys,
      read: (s) => keys.map((k) => s.breakers[k] ?? null),
    };
  },
  'rate-limits': () => {
    const limited = (s) => refusals(s).filter((r) => r.policy === 'rate_limit');
    const keys = allSamples((s) => limited(s).map((r) => r.name));
    return { rate: true, keys, read: (s) => keys.map((k) => sum(limited(s), (r) => r.name === k)) };
  },
  uploads: () => {
    const label = (u) => (u.result === 'rejected' ? `refused · ${u.reason}` : u.result);
    const keys = allSamples((s) => s.uploads.map(label));
    return {
      rate: true,
      keys,
      read: (s) => keys.map((k) => sum(s.uploads, (u) => label(u) === k)),
    };
  },
};

/** The chart's data: x in seconds, then one array per series (rates between samples). */
function dataFor({ rate, read }) {
  const xs = samples.map((s) => s.at / 1000);
  const rows = samples.map(read);
  const columns = (rows[0] ?? []).map((_, j) =>
    rows.map((row, i) => {
      if (!rate) return row[j];
      if (i === 0) return null;
      const seconds = (samples[i].at - samples[i - 1].at) / 1000;
      return Math.max(0, (row[j] - rows[i - 1][j]) / seconds);
    }),
  );
  return [xs, ...columns];
}

function draw(name, figure) {
  const spec = CHARTS[name]();
  const data = dataFor(spec);
  let entry = charts.get(name);
  if (!entry || entry.keys.join('\n') !== spec.keys.join('\n')) {
    entry?.chart.destroy();
    const chart = new uPlot(
      {
        width: Math.max(320, figure.clientWidth - 24),
        height: 180,
        scales: { x: { time: true }, ...(spec.range ? { y: { range: spec.range } } : {}) },
        series: [
          {},
          ...spec.keys.map((label, i) => ({
            label,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            ...(spec.rate ? { value: (_u, v) => (v == null ? '–' : v.toFixed(1)) } : {}),
          })),
        ],
        axes: [{}, { size: 50 }],
      },
      data,
      figure,
    );
    entry = { chart, keys: spec.keys };
    charts.set(name, entry);
  } else {
    entry.chart.setData(data);
  }
  const last = Object.fromEntries(spec.keys.map((k, i) => [k, data[i + 1].at(-1) ?? null]));
  figure.dataset.points = String(data[0].length);
  figure.dataset.last = JSON.stringify(last);
}

function showTotals(s) {
  document.getElementById('total-allowed').textContent = String(
    sum(s.requests, (r) => r.result === 'allowed'),
  );
  const refused = refusals(s);
  document.getElementById('total-refused').textContent = String(sum(refused, () => true));
  const limiter = Object.values(s.concurrency)[0];
  document.getElementById('concurrency-now').textContent = limiter
    ? `${limiter.active} / ${limiter.queued} / ${limiter.limit}`
    : '–';
  document.getElementById('pressure-now').textContent =
    s.pressure == null ? '–' : s.pressure.toFixed(2);
  const words = ['closed', 'half_open', 'open'];
  const breakers = document.getElementById('breakers-now');
  breakers.replaceChildren(
    ...Object.entries(s.breakers).map(([name, state]) => {
      const badge = document.createElement('span');
      badge.className = `state-${words[state] ?? 'closed'}`;
      badge.textContent = `${name}: ${words[state] ?? state} `;
      return badge;
    }),
  );
  const body = document.querySelector('#refusal-table tbody');
  body.replaceChildren(
    ...[...refused]
      .sort((a, b) => b.value - a.value)
      .map((r) => {
        const row = document.createElement('tr');
        for (const cell of [r.policy, r.reason, r.name, String(r.value)]) {
          const td = document.createElement('td');
          td.textContent = cell;
          row.append(td);
        }
        return row;
      }),
  );
}

async function poll() {
  const status = document.getElementById('status');
  try {
    const response = await fetch('/dashboard/data', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    samples.push(await response.json());
    if (samples.length > KEEP) samples.shift();
    const latest = samples.at(-1);
    for (const figure of document.querySelectorAll('figure[data-chart]'))
      draw(figure.dataset.chart, figure);
    showTotals(latest);
    status.textContent = `Updated ${new Date(latest.at).toLocaleTimeString()}.`;
  } catch (error) {
    status.textContent = `No answer from the service (${error.message}); retrying.`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

void poll();
