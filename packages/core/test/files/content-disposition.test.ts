import { contentDisposition } from '../../src/files/content-disposition';

describe('contentDisposition', () => {
  it('gives an ASCII fallback and an RFC 8187 UTF-8 form', () => {
    expect(contentDisposition('résumé "final".pdf')).toBe(
      `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
  });

  it('can never inject a header or a parameter', () => {
    const value = contentDisposition('a"; filename="evil.html\r\nSet-Cookie: x=1\u0000.txt');
    for (const forbidden of ['\r', '\n', '\u0000']) expect(value).not.toContain(forbidden);
    expect(value).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]*$/);
  });

  it('encodes the characters RFC 8187 does not allow raw', () => {
    expect(contentDisposition("it's (1)*!.txt")).toContain(
      "filename*=UTF-8''it%27s%20%281%29%2A%21.txt",
    );
  });

  it('falls back to "download" for a name with nothing printable', () => {
    expect(contentDisposition('\u202E\u0000')).toBe(
      `attachment; filename="download"; filename*=UTF-8''download`,
    );
  });
});
