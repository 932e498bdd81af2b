import { createHash } from 'node:crypto';
import { EXE, describeWithBrowser } from 'guard-spec';
import { exampleInBrowser } from './browser-fixture';

// A real browser (Debian's Chromium, installed by .ci/run; CHROMIUM_PATH picks another) drives the
// page as a person would. Without one the file skips with one line, unless REQUIRE_BROWSER=1.
describeWithBrowser('examples/upload-service web page', () => {
  const example = exampleInBrowser('upload-page-');

  it('uploads an allowed file and shows its stored name, size, hash and the quota left', async () => {
    const page = await example.browser.newPage();
    const text = Buffer.from('Quarterly notes\nAll figures are final.\n');
    await page.goto(example.server.url);
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
    const page = await example.browser.newPage();
    await page.goto(example.server.url);
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
