// pnpm bench telemetry-cost [base-root] [framework] [repeats]
// What the metrics cost a request, as CPU instructions counted by valgrind's callgrind: a
// deterministic figure on a shared machine, where req/s swing by ±20 %. For each case the driver
// (servers/telemetry-cost-driver.mjs) serves N1 and then N2 sequential requests in one process; the
// difference of the two instruction totals over N2 − N1 is the cost of one request, start-up
// excluded. Cases: guard() from `base-root` (a build of the commit before the metrics, if given),
// guard() from this checkout with @opentelemetry/api installed and no SDK (the default), and with
// an SDK registered (one run). Medians of `repeats` runs. TELEMETRY_COST_CASES=base,api,sdk picks
// cases.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const thisRoot = resolve(here, '..');
const [baseRoot, framework = 'express', repeatsArg = '3'] = process.argv.slice(2);
const repeats = Number(repeatsArg);
const [N1, N2] = [200, 1200];
const driver = join(here, 'servers', 'telemetry-cost-driver.mjs');
const out = mkdtempSync(join(tmpdir(), 'telemetry-cost-'));

/** Instructions callgrind counted for one run of the driver. */
function instructions(requests, root, sdk) {
  const file = join(out, `cg-${process.hrtime.bigint()}.out`);
  execFileSync(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${file}`,
      process.execPath,
      driver,
      framework,
      String(requests),
      root,
      sdk,
    ],
    { cwd: here, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const summary =
    readFileSync(file, 'utf8').match(/^summary: (\d+)/m) ??
    readFileSync(file, 'utf8').match(/^totals: (\d+)/m);
  return Number(summary[1]);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const only = process.env.TELEMETRY_COST_CASES?.split(',');
const allCases = [
  ...(baseRoot
    ? [{ key: 'base', name: 'before the metrics (base)', root: resolve(baseRoot), sdk: 'none' }]
    : []),
  { key: 'api', name: '@opentelemetry/api, no SDK', root: thisRoot, sdk: 'none' },
  // Once: what turning metrics on costs, for scale.
  { key: 'sdk', name: 'SDK registered (in-memory reader)', root: thisRoot, sdk: 'sdk', once: true },
];
const cases = allCases.filter((c) => !only || only.includes(c.key));
console.log(
  `telemetry cost: ${framework}, ${N2 - N1} requests difference, ${repeats} runs per case, node ${process.version}`,
);
const rows = [];
for (const c of cases) {
  const perRequest = [];
  for (let i = 0; i < (c.once ? 1 : repeats); i++) {
    const small = instructions(N1, c.root, c.sdk);
    const large = instructions(N2, c.root, c.sdk);
    perRequest.push((large - small) / (N2 - N1));
  }
  rows.push({ ...c, perRequest, median: median(perRequest) });
  console.log(`${c.name}: ${perRequest.map((v) => Math.round(v)).join(', ')} instructions/request`);
}
const base = rows[0];
console.log('\n| case | instructions per request (median) | vs first |');
console.log('| --- | ---: | ---: |');
for (const row of rows)
  console.log(
    `| ${row.name} | ${Math.round(row.median).toLocaleString('en')} | ${((row.median / base.median - 1) * 100).toFixed(2)} % |`,
  );
rmSync(out, { recursive: true, force: true });
