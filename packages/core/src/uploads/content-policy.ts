import type { DetectedType } from './file-type';

/** Extensions whose content must be UTF-8 text (no NUL, and script-free when `scanText`). */
const TEXT_TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
  '.htm': 'text/html',
};

// file-type names some formats differently from their usual extension.
const BINARY_ALIASES: Readonly<Record<string, string>> = {
  '.jpeg': 'jpg',
  '.jpe': 'jpg',
  '.tiff': 'tif',
  '.doc': 'cfb',
  '.xls': 'cfb',
  '.ppt': 'cfb',
  '.msg': 'cfb',
  '.htm': 'html',
};

// file-type recognises a few text formats itself; a text extension may carry them.
const TEXTUAL_DETECTIONS = new Set(['xml', 'svg']);

/** Whether an extension is judged as text (UTF-8, no NUL, script scan) rather than by its signature. */
export function isTextExtension(extension: string): boolean {
  return Object.hasOwn(TEXT_TYPES, extension);
}

/**
 * Decides whether sniffed content may carry the extension, and which mime type to store. A binary
 * type must be exactly what the extension promises (a PNG named .pdf or a zip named .docx is refused);
 * a text extension must not sniff as any binary format (a GIF named .txt is refused).
 */
export function matchContent(
  extension: string,
  detected: DetectedType | undefined | 'unrecognised',
): { ok: true; mimeType: string } | { ok: false; reason: string } {
  if (detected === 'unrecognised')
    return { ok: false, reason: 'The file content could not be recognised' };
  const textMime = TEXT_TYPES[extension];
  if (textMime !== undefined) {
    if (detected === undefined || TEXTUAL_DETECTIONS.has(detected.ext))
      return { ok: true, mimeType: textMime };
    return { ok: false, reason: 'The file content does not match its extension' };
  }
  const expected = BINARY_ALIASES[extension] ?? extension.slice(1);
  if (detected !== undefined && detected.ext === expected)
    return { ok: true, mimeType: detected.mime };
  return { ok: false, reason: 'The file content does not match its extension' };
}
