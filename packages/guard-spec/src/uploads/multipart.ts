import { randomBytes } from 'node:crypto';

/** One part of a hand-built multipart/form-data body. */
export interface Part {
  field: string;
  /** The filename as the client sends it (escaped the way browsers do: `"` → %22, CR/LF → %0D/%0A). */
  filename?: string;
  /** Raw header bytes to use instead of a quoted filename (to send `filename*=` or broken forms). */
  dispositionTail?: string;
  contentType?: string;
  data: Buffer | string;
}

/** Whether a name holds a control byte other than CR and LF (which browsers escape). */
function hasRawControl(name: string): boolean {
  return [...name].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
  });
}

/** Quotes a filename for a Content-Disposition parameter the way busboy reads it back exactly. */
export function quoteFilename(name: string): string {
  const escaped = name
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '%22')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
  return `"${escaped}"`;
}

/**
 * Builds a multipart/form-data body by hand, so filenames reach the server byte for byte as a hostile
 * client would send them (supertest's form encoder would normalise some).
 */
export function multipart(
  parts: readonly Part[],
  options: { terminate?: boolean } = {},
): { body: Buffer; contentType: string; boundary: string } {
  const boundary = `----guardspec${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.field}"`;
    if (part.dispositionTail !== undefined) disposition += part.dispositionTail;
    else if (part.filename !== undefined)
      // Control bytes are not allowed raw in a header (busboy refuses the part as malformed), so such a
      // name goes as RFC 5987 `filename*`, which busboy decodes: the name itself must reach the policy.
      disposition += hasRawControl(part.filename)
        ? `; filename*=UTF-8''${encodeURIComponent(part.filename)}`
        : `; filename=${quoteFilename(part.filename)}`;
    const headers = [`Content-Disposition: ${disposition}`];
    if (part.filename !== undefined || part.contentType)
      headers.push(`Content-Type: ${part.contentType ?? 'application/octet-stream'}`);
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data);
    chunks.push(Buffer.from('\r\n'));
  }
  if (options.terminate !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
    boundary,
  };
}
