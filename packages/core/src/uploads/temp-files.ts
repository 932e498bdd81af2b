import { randomUUID } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Temporary files older than this are leftovers of a process that died mid-upload. */
export const STALE_TEMP_MS = 60 * 60_000;

/** The names the engine gives its temporary files, and nothing else in `tmpDir`. */
const TEMP_NAME =
  /^\.(?:upload|meta)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.part$/;

/** A fresh temporary path in `tmpDir` for an incoming file (`upload`) or a record (`meta`). */
export function newTempPath(tmpDir: string, kind: 'upload' | 'meta'): string {
  return join(tmpDir, `.${kind}-${randomUUID()}.part`);
}

/**
 * Removes the temporary files a crashed or killed process left in `tmpDir`: only names the engine
 * makes, and only those untouched for `maxAgeMs`, since other instances of the app may share the
 * folder and be writing theirs right now (every write refreshes a file's mtime). A running process
 * never leaves one behind; this is for the process that did not get to clean up. Never rejects.
 */
export async function sweepStaleTempFiles(
  tmpDir: string,
  maxAgeMs = STALE_TEMP_MS,
  now = Date.now(),
): Promise<number> {
  let removed = 0;
  try {
    for (const name of await readdir(tmpDir)) {
      if (!TEMP_NAME.test(name)) continue;
      const path = join(tmpDir, name);
      try {
        const { mtimeMs } = await stat(path);
        if (now - mtimeMs < maxAgeMs) continue;
        await unlink(path);
        removed += 1;
      } catch {
        // Gone already (another instance swept it), or not ours to remove: leave it.
      }
    }
  } catch {
    // An unreadable tmpDir fails the first upload with a clear error instead.
  }
  return removed;
}
