import {
  BINARY_SCRIPT_PATTERNS,
  ScriptScanner,
  TEXT_SCRIPT_PATTERNS,
} from '../../src/uploads/script-scanner';

function scanInChunks(text: string | Buffer, sizes: number[], patterns = TEXT_SCRIPT_PATTERNS) {
  const scanner = new ScriptScanner(patterns);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let at = 0;
  let index = 0;
  while (at < bytes.length) {
    const size = sizes[index % sizes.length] ?? 1;
    if (scanner.push(bytes.subarray(at, at + size))) return scanner.found;
    at += size;
    index += 1;
  }
  return scanner.found;
}

describe('ScriptScanner', () => {
  it.each(['<script', '<SCRIPT', '<ScRiPt', '<?php', '<?PHP', '<%', 'javascript:', 'JAVASCRIPT:'])(
    'finds %j in one chunk',
    (pattern) => {
      expect(scanInChunks(`hello ${pattern} world`, [1000])).toBeDefined();
    },
  );

  it('finds every pattern split at every possible boundary, down to one byte per chunk', () => {
    for (const pattern of ['<script', '<?php', '<%', 'javascript:']) {
      const text = `abc ${pattern.toUpperCase()} def`;
      for (let first = 1; first < text.length; first += 1)
        expect(scanInChunks(text, [first, 1, 2, 3])).toBe(pattern);
    }
  });

  it('finds nothing in clean text, whatever the chunking', () => {
    const text = 'a < b, 5 % 3, java script, php? <b>ok</b> '.repeat(50);
    for (const size of [1, 2, 3, 7, 64]) expect(scanInChunks(text, [size])).toBeUndefined();
  });

  it('scans binary data only for <?php', () => {
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 0x3c, 0x25]), Buffer.from('<?pHp')]);
    expect(scanInChunks(binary, [4], BINARY_SCRIPT_PATTERNS)).toBe('<?php');
    expect(scanInChunks(Buffer.from('<% <script'), [3], BINARY_SCRIPT_PATTERNS)).toBeUndefined();
  });
});
