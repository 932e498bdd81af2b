import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describeWithBrowser } from 'guard-spec';
import { exampleInBrowser } from './browser-fixture';

// Like page.test.ts: a real Chromium (CHROMIUM_PATH); without one the file skips with one line,
// unless REQUIRE_BROWSER=1.

/** Runs `npm run demo:load` (node load.mjs) against the server for `seconds`; resolves on exit. */
function runLoad(url: string, seconds: number): Promise<string> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'load.mjs')], {
    env: { ...process.env, TARGET: url, DURATION_SECONDS: String(seconds) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`load: ${code}`))));
  });
}

/** Polls `check` (every 200 ms, at most 30 s) until it holds. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The latest values a chart drew, by series, and how many samples it holds. */
async function chart(page: Page, name: string) {
  const figure = page.locator(`figure[data-chart="${name}"]`);
  const last = (await figure.getAttribute('data-last')) ?? '{}';
  return {
    points: Number((await figure.getAttribute('data-points')) ?? 0),
    last: JSON.parse(last) as Record<string, number | null>,
  };
}

describeWithBrowser('examples/upload-service dashboard under load', () => {
  const example = exampleInBrowser('upload-dashboard-');

  it('serves /metrics in Prometheus text format with the guard instruments', async () => {
    await fetch(`${example.server.url}/health`);
    const response = await fetch(`${example.server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^# TYPE guard_requests_total counter$/m);
    expect(text).toMatch(/^guard_concurrency_limit\{guard_name="default"[^}]*\} 32$/m);
    expect(text).toMatch(/^guard_circuit_breaker_state\{guard_name="audit-log"[^}]*\} 0$/m);
  });

  it('shows the charts move and the refusals appear while the load script runs', async () => {
    const page = await example.browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${example.server.url}/dashboard`);
    await eventually(async () => (await chart(page, 'requests')).points > 0);
    const before = await chart(page, 'requests');
    const load = runLoad(example.server.url, 12);
    // Refusals show up in the chart of refusals and in the table while the load runs.
    await eventually(async () => (await page.locator('#refusal-table tbody tr').count()) >= 2);
    await eventually(async () =>
      Object.values((await chart(page, 'refusals')).last).some((value) => (value ?? 0) > 0),
    );
    const output = await load;
    // One more poll after the load stopped, so the totals include all of it.
    const done = (await chart(page, 'requests')).points;
    await eventually(async () => (await chart(page, 'requests')).points > done);
    const after = await chart(page, 'requests');
    expect(after.points).toBeGreaterThan(before.points);
    expect(Number(await page.locator('#total-refused').textContent())).toBeGreaterThan(0);
    expect(Number(await page.locator('#total-allowed').textContent())).toBeGreaterThan(0);
    const table = (await page.locator('#refusal-table').textContent()) ?? '';
    // The greedy client goes over its rate limit, and disguised executables are refused, every run.
    expect(table).toContain('rate_limit');
    expect(table).toContain('unsupported_media_type');
    expect((await chart(page, 'concurrency')).last).toHaveProperty('default: limit', 32);
    expect((await chart(page, 'breakers')).last).toEqual({ 'audit-log': 0 });
    expect(output).toMatch(/^done: /m);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
