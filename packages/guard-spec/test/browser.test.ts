import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as BrowserModule from '../src/browser';

/** Loads browser.ts afresh under `env`, with `describe` replaced by spies, and calls the gate. */
function gate(env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  const realDescribe = global.describe;
  const run = jest.fn();
  const skip = jest.fn();
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env))
    if (value === undefined) delete process.env[name];
  global.describe = Object.assign(run, { skip }) as unknown as jest.Describe;
  try {
    let outcome: unknown;
    jest.isolateModules(() => {
      const { describeWithBrowser } = jest.requireActual<typeof BrowserModule>('../src/browser');
      try {
        describeWithBrowser('the page', () => {});
      } catch (error) {
        outcome = error;
      }
    });
    const lines = stderr.mock.calls.map(([chunk]) => String(chunk));
    return { run, skip, lines, error: outcome as Error | undefined };
  } finally {
    global.describe = realDescribe;
    stderr.mockRestore();
    process.env = saved;
  }
}

describe('describeWithBrowser (the page test without Chromium)', () => {
  let dir: string;
  let fakeChromium: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'browser-gate-'));
    fakeChromium = join(dir, 'chromium');
    writeFileSync(fakeChromium, '#!/bin/sh\n');
    chmodSync(fakeChromium, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('skips with one line naming CHROMIUM_PATH and how to install one when there is no browser', () => {
    const missing = join(dir, 'nowhere');
    const { run, skip, lines } = gate({ CHROMIUM_PATH: missing, REQUIRE_BROWSER: undefined });
    expect(run).not.toHaveBeenCalled();
    expect(skip).toHaveBeenCalledWith('the page', expect.any(Function));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[skip\] the page: no Chromium at .*nowhere; set CHROMIUM_PATH/);
    expect(lines[0]).toContain('apt-get install chromium');
    expect(lines[0]?.trimEnd().split('\n')).toHaveLength(1);
  });

  it('fails instead of skipping under REQUIRE_BROWSER=1', () => {
    const { run, skip, error } = gate({
      CHROMIUM_PATH: join(dir, 'nowhere'),
      REQUIRE_BROWSER: '1',
    });
    expect(error?.message).toMatch(/^REQUIRE_BROWSER=1 but no Chromium at .*nowhere/);
    expect(run).not.toHaveBeenCalled();
    expect(skip).not.toHaveBeenCalled();
  });

  it('runs the tests, silently, when CHROMIUM_PATH names an executable', () => {
    const { run, skip, lines } = gate({ CHROMIUM_PATH: fakeChromium, REQUIRE_BROWSER: '1' });
    expect(run).toHaveBeenCalledWith('the page', expect.any(Function));
    expect(skip).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });
});
