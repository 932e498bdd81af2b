import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, EXE, describeWithBrowser, startExampleServer } from 'guard-spec';
import type { ExampleServer } from 'guard-spec';

// A real browser (Debian's Chromium, installed by .ci/run; CHROMIUM_PATH picks another) drives the
// page as a person would. Without one the file skips with one line, unless REQUIRE_BROWSER=1.
describeWithBrowser('examples/upload-service web page', () => {
  let browser: Browser;
  let server: ExampleServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'upload-page-'));
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
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads an allowed file and shows its stored name, size, hash and the quota left', async () => {
    const page = await browser.newPage();
    const text = Buffer.from('Quarterly notes\nAll figures are final.\n');
    await page.goto(server.url);
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: text });
    await page.click('#send');
    const result = page.locator('#result');
    await result.getByText('Stored', { exact: true }).waitFor();
    await expect(result.textContent()).resolves.toContain(
      createHash('sha256').update(text).digest('hex'),
    );
    await expect(result.textContent()).resolves.toContain(`${text.length} bytes`);
    await expect(result.textContent()).resolves.toContain('notes.txt');
    await expect(
      page.locator('#progress').evaluate((p) => (p as unknown as { value: number }).value),
    ).resolves.toBe(100);
    await expect(page.locator('#quota').textContent()).resolves.toMatch(
      /Uploads left in this window: \d+/,
    );
    await page.close();
  });

  it('refuses a disguised executable and says so in plain words, with a reference', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.setInputFiles('#file', {
      name: 'invoice.pdf',
      mimeType: 'application/pdf',
      buffer: EXE,
    });
    await page.click('#send');
    const result = page.locator('#result');
    await result.getByText('Not stored', { exact: true }).waitFor();
    const shown = (await result.textContent()) ?? '';
    expect(shown).toContain('415');
    expect(shown).toMatch(/Reference[0-9a-f-]{36}/);
    expect(shown).not.toMatch(/stack|\/srv\/|node_modules/);
    await page.close();
  });
});
