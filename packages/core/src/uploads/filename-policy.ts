import { InvalidInputError } from '../errors/invalid-input-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';

/** The longest client filename accepted, in UTF-8 bytes as sent (most filesystems stop at 255). */
export const MAX_FILENAME_BYTES = 255;

/** A client filename that passed the policy. */
export interface CheckedFilename {
  /** The NFC form of the name as sent: kept only in the upload record, never used as a path. */
  originalName: string;
  /** The last extension of the NFKC form, lower-cased, with its dot (`.pdf`). */
  extension: string;
}

// Separators, and their percent-encoded, double-encoded and overlong UTF-8 forms: a name that holds
// one is an attack on some later consumer that decodes it, never a real file name.
const SEPARATOR = /[/\\]/;
const ENCODED_SEPARATOR_OR_DOT = /%(?:25)*(?:2f|5c|2e)|%c0%(?:af|ae|9c)|%c1%(?:9c|1c)|%e0%80%af/i;
// Cc covers NUL and C0/C1 controls; Cf covers the bidi overrides and zero-width characters that
// make a name display differently from what it is.
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;
// Slash look-alikes NFKC leaves alone: ∕ ⁄ ⧸ (contract), and the backslash look-alikes ∖ ⧵ ⧹.
const SLASH_LOOKALIKE = /[\u2215\u2044\u29F8\u2216\u29F5\u29F9]/u;
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
const TRAILING_DOT_OR_SPACE = /[. ]$/;

/**
 * Judges a client filename exactly as sent (CONTRACT.md "Upload result"): over 255 UTF-8 bytes → 400;
 * then, on the NFKC form, separators, `..` segments, encoded separators or dots, NUL, control and format
 * characters, slash look-alikes, Windows reserved names and a trailing dot or space → 400; finally the
 * last extension, lower-cased, must be in `allowedExtensions` → otherwise 415.
 * @example checkFilename('report.PDF', new Set(['.pdf'])) // { originalName: 'report.PDF', extension: '.pdf' }
 */
export function checkFilename(
  name: string,
  allowedExtensions: ReadonlySet<string>,
): CheckedFilename {
  if (name.length === 0) throw new InvalidInputError('The file name is empty');
  if (Buffer.byteLength(name, 'utf8') > MAX_FILENAME_BYTES)
    throw new InvalidInputError(`The file name is longer than ${MAX_FILENAME_BYTES} bytes`);
  // NFKC folds compatibility forms (fullwidth ／, ＼, ．, the two-dot leader ‥) into the characters
  // every check below looks for, so a look-alike cannot slip past them.
  const normalized = name.normalize('NFKC');
  if (SEPARATOR.test(normalized) || normalized === '..' || normalized === '.')
    throw new InvalidInputError('The file name must not contain a path');
  if (ENCODED_SEPARATOR_OR_DOT.test(normalized))
    throw new InvalidInputError('The file name must not contain encoded path characters');
  if (CONTROL_OR_FORMAT.test(normalized))
    throw new InvalidInputError('The file name must not contain control or format characters');
  if (SLASH_LOOKALIKE.test(normalized))
    throw new InvalidInputError('The file name must not contain slash look-alike characters');
  if (TRAILING_DOT_OR_SPACE.test(normalized))
    throw new InvalidInputError('The file name must not end with a dot or a space');
  // Windows treats `CON.txt` and `con .tar.gz` as the device too: judge the part before the first dot.
  const stem = (normalized.split('.', 1)[0] ?? '').trimEnd();
  if (WINDOWS_RESERVED.test(stem))
    throw new InvalidInputError('The file name is reserved on Windows');

  const dot = normalized.lastIndexOf('.');
  const extension = dot === -1 ? '' : normalized.slice(dot).toLowerCase();
  if (!allowedExtensions.has(extension))
    throw new UnsupportedMediaTypeError(
      extension === '' ? 'The file has no extension' : 'This file extension is not allowed',
    );
  return { originalName: name.normalize('NFC'), extension };
}
