/**
 * A generated corpus of hostile client filenames, every one of which CONTRACT.md says is a 400:
 * traversal in every encoding, Unicode look-alikes of `/` and `.`, bidi overrides and other format
 * characters, NUL and control characters, names over 255 UTF-8 bytes, Windows reserved names and
 * trailing dots or spaces. Each entry keeps a label saying why it must be refused.
 */
export function hostileFilenames(): { label: string; name: string }[] {
  const out = new Map<string, string>();
  const add = (label: string, name: string) => {
    if (!out.has(name)) out.set(name, label);
  };

  const targets = ['etc/passwd.txt', 'windows/win.ini.txt', 'app/config.json.txt', 'x.txt'];
  const separators = ['/', '\\'];
  for (const target of targets)
    for (const sep of separators) {
      const t = target.replace(/\//g, sep);
      add('traversal', `..${sep}${t}`);
      add('traversal', `..${sep}..${sep}..${sep}${t}`);
      add('traversal', `.${sep}..${sep}${t}`);
      add('traversal', `....${sep}${sep}${t}`);
      add('traversal', `..;${sep}${t}`);
      add('absolute path', `${sep}${t}`);
      add('nested path', `dir${sep}${t}`);
    }
  add('windows drive path', 'C:\\Windows\\System32\\evil.txt');
  add('UNC path', '\\\\server\\share\\evil.txt');
  add('dot-dot', '..');
  add('dot', '.');

  const encodings = [
    '%2e%2e%2f',
    '%2E%2E%2F',
    '%2e%2e/',
    '..%2f',
    '..%2F',
    '..%5c',
    '..%5C',
    '%2e%2e%5c',
    '%2e%2e',
    '%2E%2e',
    '%252e%252e%252f',
    '%252f',
    '%255c',
    '..%252f',
    '%c0%ae%c0%ae%c0%af',
    '..%c0%af',
    '..%C0%AF',
    '%c1%9c',
    '..%c1%9c',
    '%e0%80%af',
    '%2f',
    '%5c',
    '%2e',
  ];
  for (const encoded of encodings) {
    add('encoded traversal', `${encoded}etc.txt`);
    add('encoded traversal', `a${encoded}b.txt`);
  }

  const lookalikes: [string, string][] = [
    ['division slash', '\u2215'],
    ['fraction slash', '\u2044'],
    ['big solidus', '\u29F8'],
    ['fullwidth solidus', '\uFF0F'],
    ['fullwidth reverse solidus', '\uFF3C'],
    ['small reverse solidus', '\uFE68'],
    ['set minus', '\u2216'],
  ];
  for (const [label, char] of lookalikes) {
    add(`look-alike: ${label}`, `..${char}etc.txt`);
    add(`look-alike: ${label}`, `a${char}b.txt`);
    add(`look-alike: ${label}`, `${char}etc${char}passwd.txt`);
  }
  const dotLikes: [string, string][] = [
    ['fullwidth full stop', '\uFF0E\uFF0E'],
    ['two dot leader', '\u2025'],
    ['one dot leader', '\u2024\u2024'],
    ['small full stop', '\uFE52\uFE52'],
  ];
  for (const [label, dots] of dotLikes) {
    add(`dot look-alike: ${label}`, dots);
    add(`dot look-alike: ${label}`, `${dots}/x.txt`);
    add(`dot look-alike: ${label}`, `${dots}\uFF0Fx.txt`);
    add(`dot look-alike: ${label}`, `x.txt${dots.slice(0, 1)}`);
  }

  const formats: [string, string][] = [
    ['right-to-left override', '\u202E'],
    ['left-to-right override', '\u202D'],
    ['right-to-left embedding', '\u202B'],
    ['pop directional formatting', '\u202C'],
    ['left-to-right isolate', '\u2066'],
    ['right-to-left isolate', '\u2067'],
    ['first strong isolate', '\u2068'],
    ['pop directional isolate', '\u2069'],
    ['right-to-left mark', '\u200F'],
    ['left-to-right mark', '\u200E'],
    ['zero width space', '\u200B'],
    ['zero width joiner', '\u200D'],
    ['byte order mark', '\uFEFF'],
    ['arabic letter mark', '\u061C'],
    ['soft hyphen', '\u00AD'],
    ['word joiner', '\u2060'],
  ];
  for (const [label, char] of formats) {
    add(`format character: ${label}`, `invoice${char}txt.exe`);
    add(`format character: ${label}`, `${char}report.txt`);
  }

  add('NUL', 'a.txt\u0000.exe');
  add('NUL', '\u0000.txt');
  add('NUL', 'file\u0000');
  for (let code = 1; code < 0x20; code += 1)
    add(
      `control character U+${code.toString(16).padStart(4, '0')}`,
      `a${String.fromCharCode(code)}b.txt`,
    );
  add('control character DEL', 'a\u007fb.txt');
  add('control character NEL', 'a\u0085b.txt');
  add('control character CSI', 'a\u009bb.txt');

  add('300 ASCII bytes', `${'a'.repeat(296)}.txt`);
  add('256 ASCII bytes', `${'b'.repeat(252)}.txt`);
  add('over 255 UTF-8 bytes in 130 characters', `${'é'.repeat(128)}.txt`);
  add('over 255 UTF-8 bytes of emoji', `${'😀'.repeat(64)}.txt`);
  add('over 255 UTF-8 bytes of CJK', `${'文'.repeat(86)}.txt`);

  const reserved = ['CON', 'PRN', 'AUX', 'NUL'];
  for (let n = 0; n <= 9; n += 1) reserved.push(`COM${n}`, `LPT${n}`);
  for (const name of reserved) {
    add('Windows reserved name', `${name}.txt`);
    add('Windows reserved name', `${name.toLowerCase()}.pdf`);
  }
  add('Windows reserved name', 'con');
  add('Windows reserved name', 'CON .txt');
  add('Windows reserved name', 'aux.tar.txt');
  add('Windows reserved name (superscript digit)', 'COM\u00B9.txt');
  add('Windows reserved name (fullwidth)', '\uFF23\uFF2F\uFF2E.txt');

  for (const tail of ['.', ' ', '...', ' .', '. ', '  ', '.\u3000'])
    add('trailing dot or space', `report.txt${tail}`);

  return [...out].map(([name, label]) => ({ label, name }));
}
