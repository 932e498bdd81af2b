/** Script openers refused in text files: `<script`, `<?php`, `<%` and `javascript:` (case-insensitive). */
export const TEXT_SCRIPT_PATTERNS: readonly string[] = ['<script', '<?php', '<%', 'javascript:'];

/**
 * Script openers refused inside binary files: the `<?php` of a GIF/PHP polyglot. Shorter openers such as
 * `<%` occur by chance in compressed data, so binary files are only scanned for this one.
 */
export const BINARY_SCRIPT_PATTERNS: readonly string[] = ['<?php'];

/** Every upper/lower-case spelling of a short ASCII byte sequence (`ja` → `ja`, `Ja`, `jA`, `JA`). */
function caseVariants(bytes: Buffer): Buffer[] {
  let variants: number[][] = [[]];
  for (const byte of bytes) {
    const isLetter = byte >= 0x61 && byte <= 0x7a;
    variants = variants.flatMap((v) =>
      isLetter
        ? [
            [...v, byte],
            [...v, byte - 0x20],
          ]
        : [[...v, byte]],
    );
  }
  return variants.map((v) => Buffer.from(v));
}

/**
 * Finds ASCII patterns case-insensitively in a byte stream fed chunk by chunk, including matches split
 * across chunk boundaries (the last `longest - 1` bytes of each chunk are kept to check the seam). It
 * works on bytes so a large binary file is scanned with `indexOf` and never decoded or copied.
 */
export class ScriptScanner {
  private readonly patterns: readonly Buffer[];
  private readonly starts: readonly (readonly (readonly [Buffer, Buffer])[])[];
  private readonly keep: number;
  private carry: Buffer = Buffer.alloc(0);
  /** The pattern found, once one is. */
  found: string | undefined;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map((p) => Buffer.from(p.toLowerCase(), 'latin1'));
    // Each pattern is searched by its first two bytes, in every case variant, with `indexOf` (native,
    // fast): a one-byte needle such as `<` would stop the scan every few hundred bytes of binary data.
    this.starts = this.patterns.map((p) =>
      caseVariants(p.subarray(0, 2)).map((n) => [n, p] as const),
    );
    this.keep = Math.max(1, ...this.patterns.map((p) => p.length)) - 1;
  }

  /** Scans the next chunk; returns true once a pattern was found. */
  push(chunk: Buffer): boolean {
    if (this.found !== undefined) return true;
    if (this.carry.length > 0) {
      const seam = Buffer.concat([this.carry, chunk.subarray(0, this.keep)]);
      // Only matches that start inside the carried bytes: the rest are found in `chunk` itself.
      if (this.scan(seam, this.carry.length)) return true;
    }
    if (this.scan(chunk, chunk.length)) return true;
    // Copy the tail so the carry never pins a large chunk in memory.
    if (this.keep === 0) return false;
    this.carry =
      chunk.length >= this.keep
        ? Buffer.from(chunk.subarray(chunk.length - this.keep))
        : Buffer.from(Buffer.concat([this.carry, chunk]).subarray(-this.keep));
    return false;
  }

  private scan(buffer: Buffer, startLimit: number): boolean {
    for (let index = 0; index < this.patterns.length; index += 1) {
      for (const [needle, pattern] of this.starts[index] ?? []) {
        let at = buffer.indexOf(needle);
        while (at !== -1 && at < startLimit) {
          if (matchesAt(buffer, at, pattern)) {
            this.found = pattern.toString('latin1');
            return true;
          }
          at = buffer.indexOf(needle, at + 1);
        }
      }
    }
    return false;
  }
}

function matchesAt(buffer: Buffer, at: number, lowerPattern: Buffer): boolean {
  if (at + lowerPattern.length > buffer.length) return false;
  for (let i = 1; i < lowerPattern.length; i += 1) {
    let byte = buffer[at + i] ?? 0;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if (byte !== lowerPattern[i]) return false;
  }
  return true;
}
