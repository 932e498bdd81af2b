import { accessSync, constants } from 'node:fs';

/** The Chromium the page tests drive: `CHROMIUM_PATH`, default Debian's /usr/bin/chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Under `REQUIRE_BROWSER=1` (CI) a missing Chromium fails the run instead of skipping. */
export const BROWSER_REQUIRED = process.env.REQUIRE_BROWSER === '1';

/** Whether CHROMIUM_PATH names an executable file. */
export function browserAvailable(path = CHROMIUM_PATH): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** How to make the browser tests run, for the skip line and the REQUIRE_BROWSER=1 failure. */
function howToRun(path: string): string {
  return (
    `no Chromium at ${path}; set CHROMIUM_PATH to a Chromium or Chrome binary, ` +
    `or install one (Debian: apt-get install chromium)`
  );
}

/**
 * `describe` for tests that drive a real browser (playwright-core, which downloads no browser here).
 * Without Chromium they skip and say so in one line, as the Redis tests do; under REQUIRE_BROWSER=1
 * (set by .ci/run) the test file fails instead, so CI never skips them. Decided when called, so
 * files that only import guard-spec neither print nor fail.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (browserAvailable()) return describe(name, body);
  if (BROWSER_REQUIRED) throw new Error(`REQUIRE_BROWSER=1 but ${howToRun(CHROMIUM_PATH)}`);
  // One plain line on stderr: console.warn under jest adds a stack excerpt to it.
  process.stderr.write(
    `[skip] ${name}: ${howToRun(CHROMIUM_PATH)}. REQUIRE_BROWSER=1 makes this a failure.\n`,
  );
  describe.skip(name, body);
}
