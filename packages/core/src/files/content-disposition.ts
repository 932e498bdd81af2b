/**
 * Builds a `Content-Disposition` value that is safe for any filename (RFC 6266 with RFC 8187): an ASCII
 * `filename="…"` fallback where quotes, backslashes, controls and non-ASCII become `_`, plus
 * `filename*=UTF-8''…` with every byte outside RFC 8187's attr-char percent-encoded. No header
 * injection is possible: CR, LF and NUL never reach the value.
 * @example contentDisposition('résumé "final".pdf')
 * // attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf
 */
export function contentDisposition(
  filename: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  // Controls and format characters have no place in a shown name, in either form.
  const cleaned = filename.normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '');
  const name = cleaned.length > 0 ? cleaned : 'download';
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
