/** What file-type recognised in a file's first bytes. */
export interface DetectedType {
  ext: string;
  mime: string;
}

/** How many leading bytes the sniffer may see: enough for every signature and an Office zip's first entries. */
export const SNIFF_BYTES = 64 * 1024;

/** How long the sniffer may run before the file counts as unrecognisable. */
export const SNIFF_TIMEOUT_MS = 2_000;

/** file-type's `fileTypeFromBuffer` (replaceable in tests). */
export type FileTypeFromBuffer = (input: Uint8Array) => Promise<DetectedType | undefined>;

let loading: Promise<FileTypeFromBuffer> | undefined;

/**
 * Loads file-type on first use. It ships ESM only: `import()` works from both builds (tsup keeps it as
 * a real dynamic import in the CommonJS output too), and nothing is loaded until the first upload.
 */
function loadFileType(): Promise<FileTypeFromBuffer> {
  loading ??= import('file-type/node').then((module) => module.fileTypeFromBuffer);
  return loading;
}

/**
 * Sniffs a file's type from its first bytes. file-type's maintainers warn that malformed input can make
 * it throw or hang, so it only ever sees `head` (at most {@link SNIFF_BYTES}, never the whole file: a zip
 * bomb's entries past it are never inflated) and gets {@link SNIFF_TIMEOUT_MS}; a failure or a timeout
 * resolves to `'unrecognised'`, never a rejection.
 */
export async function sniffType(
  head: Uint8Array,
  timeoutMs = SNIFF_TIMEOUT_MS,
  detect: () => Promise<FileTypeFromBuffer> = loadFileType,
): Promise<DetectedType | undefined | 'unrecognised'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'unrecognised'>((resolve) => {
    timer = setTimeout(() => resolve('unrecognised'), timeoutMs);
    timer.unref();
  });
  try {
    const fromBuffer = await detect();
    return await Promise.race([fromBuffer(head), timeout]);
  } catch {
    return 'unrecognised';
  } finally {
    clearTimeout(timer);
  }
}
