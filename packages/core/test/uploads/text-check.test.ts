import { TextCheck } from '../../src/uploads/text-check';

function check(chunks: Buffer[]): string | undefined {
  const text = new TextCheck();
  for (const chunk of chunks) if (!text.push(chunk)) return text.failure;
  return text.end() ? undefined : text.failure;
}

describe('TextCheck', () => {
  it('accepts UTF-8 with a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('東京 🚀', 'utf8');
    for (let cut = 1; cut < bytes.length; cut += 1)
      expect(check([bytes.subarray(0, cut), bytes.subarray(cut)])).toBeUndefined();
  });

  it('refuses NUL bytes', () => {
    expect(check([Buffer.from('a\u0000b')])).toMatch(/NUL/);
  });

  it('refuses invalid UTF-8', () => {
    expect(check([Buffer.from([0x61, 0xc3, 0x28])])).toMatch(/UTF-8/);
  });

  it('refuses text cut inside a character', () => {
    expect(check([Buffer.from([0x61, 0xe6, 0x97])])).toMatch(/UTF-8/);
  });
});
