import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, startExampleServer } from 'guard-spec';
import type { ExampleServer } from 'guard-spec';

/** What a browser test of the example works with, ready once its `beforeAll` ran. */
export interface ExampleInBrowser {
  readonly browser: Browser;
  readonly server: ExampleServer;
}

/**
 * For the enclosing describe block: the example server on a fresh data folder (no Redis) and a
 * headless Chromium (`CHROMIUM_PATH`), both stopped and the folder removed afterwards. Use it inside
 * `describeWithBrowser`, which skips the block with one line when there is no browser.
 */
export function exampleInBrowser(dataFolderPrefix: string): ExampleInBrowser {
  let browser: Browser | undefined;
  let server: ExampleServer | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), dataFolderPrefix));
    server = await startExampleServer(join(__dirname, '..', 'server.mjs'), {
      DATA_DIR: dataDir,
      REDIS_URL: '',
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get browser() {
      if (!browser) throw new Error('exampleInBrowser: used before its beforeAll ran');
      return browser;
    },
    get server() {
      if (!server) throw new Error('exampleInBrowser: used before its beforeAll ran');
      return server;
    },
  };
}
