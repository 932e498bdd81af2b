import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from 'guard-spec';
import { STALE_TEMP_MS, newTempPath, sweepStaleTempFiles } from '../../src/uploads/temp-files';
import { createUploadEngine } from '../../src/uploads/upload-engine';

describe('leftover temporary files', () => {
  const root = mkdtempSync(join(tmpdir(), 'guard-sweep-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A file in `dir` last written `ageMs` ago. */
  const leave = (dir: string, name: string, ageMs: number) => {
    const path = join(dir, name);
    writeFileSync(path, 'half an upload');
    const at = (Date.now() - ageMs) / 1000;
    utimesSync(path, at, at);
    return path;
  };

  it('removes only the engine’s own temporary files untouched for an hour', async () => {
    const dir = join(root, 'sweep');
    mkdirSync(dir);
    const staleUpload = leave(dir, `.upload-${randomUUID()}.part`, STALE_TEMP_MS + 60_000);
    const staleMeta = leave(dir, `.meta-${randomUUID()}.part`, 2 * STALE_TEMP_MS);
    // Another instance may be writing this one right now.
    const fresh = leave(dir, `.upload-${randomUUID()}.part`, STALE_TEMP_MS - 60_000);
    // Names the engine never makes are never touched, however old.
    const foreign = [
      leave(dir, 'notes.txt', 10 * STALE_TEMP_MS),
      leave(dir, '.upload-not-a-uuid.part', 10 * STALE_TEMP_MS),
      leave(dir, `.upload-${randomUUID()}.part.bak`, 10 * STALE_TEMP_MS),
    ];
    expect(await sweepStaleTempFiles(dir)).toBe(2);
    expect([staleUpload, staleMeta].map(existsSync)).toEqual([false, false]);
    expect([fresh, ...foreign].map(existsSync)).toEqual([true, true, true, true]);
  });

  it('makes names the sweep recognises, and never rejects on a missing folder', async () => {
    const dir = join(root, 'names');
    mkdirSync(dir);
    const made = [newTempPath(dir, 'upload'), newTempPath(dir, 'meta')];
    for (const path of made) {
      writeFileSync(path, 'x');
      const at = (Date.now() - 2 * STALE_TEMP_MS) / 1000;
      utimesSync(path, at, at);
    }
    expect(await sweepStaleTempFiles(dir)).toBe(2);
    await expect(sweepStaleTempFiles(join(root, 'missing'))).resolves.toBe(0);
  });

  it('is swept when an upload engine starts on the folder', async () => {
    const dir = join(root, 'engine');
    const tmpDir = join(dir, '.tmp');
    mkdirSync(tmpDir, { recursive: true });
    const stale = leave(tmpDir, `.upload-${randomUUID()}.part`, 2 * STALE_TEMP_MS);
    createUploadEngine({ dir, minFreeDiskBytes: 0 });
    // The sweep runs in the background: wait for it (up to 10 s on a loaded machine), not 1 s.
    await until(() => !existsSync(stale), 10_000);
    expect(existsSync(stale)).toBe(false);
  });
});
