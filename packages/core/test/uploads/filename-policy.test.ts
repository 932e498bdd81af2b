import { checkFilename, MAX_FILENAME_BYTES } from '../../src/uploads/filename-policy';

const allowed = new Set(['.txt', '.pdf', '.jpg']);

function statusOf(name: string): number | 'ok' {
  try {
    checkFilename(name, allowed);
    return 'ok';
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe('checkFilename', () => {
  it.each([
    'report.pdf',
    'REPORT.PDF',
    'résumé.pdf',
    'a.php.jpg',
    'file name (1).txt',
    '東京.txt',
    '..hidden.txt',
    'a..b.txt',
    '50%.pdf',
  ])('accepts %j', (name) => {
    expect(statusOf(name)).toBe('ok');
  });

  it('judges the last extension, lower-cased', () => {
    expect(checkFilename('Scan.Final.JPG', allowed).extension).toBe('.jpg');
  });

  it('keeps the NFC form of the name as sent', () => {
    expect(checkFilename('Cafe\u0301.pdf', allowed).originalName).toBe('Café.pdf');
  });

  it('counts the 255-byte limit in UTF-8 bytes as sent, before normalisation', () => {
    const fits = `${'a'.repeat(MAX_FILENAME_BYTES - 4)}.txt`;
    expect(statusOf(fits)).toBe('ok');
    expect(statusOf(`a${fits}`)).toBe(400);
    // 126 × 'é' is 252 bytes: with ".txt" it is 256 bytes in only 130 characters.
    expect(statusOf(`${'é'.repeat(126)}.txt`)).toBe(400);
  });

  it.each([
    ['../x.txt', 'traversal'],
    ['a/b.txt', 'slash'],
    ['a\\b.txt', 'backslash'],
    ['..', 'dot-dot'],
    ['\uFF0E\uFF0E', 'fullwidth dots that NFKC folds to ..'],
    ['\u2025', 'two dot leader that NFKC folds to ..'],
    ['a\uFF0Fb.txt', 'fullwidth solidus that NFKC folds to /'],
    ['a\u2215b.txt', 'division slash'],
    ['a\u2044b.txt', 'fraction slash'],
    ['a\u29F8b.txt', 'big solidus'],
    ['%2e%2e%2fx.txt', 'encoded traversal'],
    ['%2E%2E%5Cx.txt', 'encoded traversal, upper case'],
    ['a%252fb.txt', 'double-encoded slash'],
    ['a\u0000.txt', 'NUL'],
    ['a\u0007.txt', 'bell'],
    ['evil\u202Etxt.exe', 'right-to-left override'],
    ['a\u200B.txt', 'zero width space'],
    ['CON.txt', 'reserved name'],
    ['lpt9.pdf', 'reserved name, lower case'],
    ['con .txt', 'reserved name with a trailing space before the dot'],
    ['COM\u00B9.txt', 'reserved name with a superscript digit'],
    ['a.txt.', 'trailing dot'],
    ['a.txt ', 'trailing space'],
    ['', 'empty'],
  ])('refuses %j (%s) with 400', (name) => {
    expect(statusOf(name)).toBe(400);
  });

  it.each(['shell.php', 'README', '.htaccess', 'a.pdf.exe'])(
    'refuses %j with 415 (extension)',
    (name) => {
      expect(statusOf(name)).toBe(415);
    },
  );
});
