/** Depth and member count of a JSON text, found without parsing it. */
export interface JsonShape {
  /** Deepest nesting of objects and arrays. */
  depth: number;
  /** Object members in the whole document. */
  keys: number;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Measures nesting depth and member count with one linear pass over the bytes, stopping as soon as
 * a limit is passed, so a 10,000-level or 100,000-key document is refused before any parser builds
 * it. Bytes inside strings are skipped; this is a bound check, not a validator: the parser still
 * rejects malformed text.
 */
export function scanJson(text: Buffer, maxDepth: number, maxKeys: number): JsonShape {
  let depth = 0;
  let deepest = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i] as number; // i < length
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    switch (byte) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > maxDepth) return { depth: deepest, keys };
        }
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        depth--;
        break;
      case COLON:
        if (++keys > maxKeys) return { depth: deepest, keys };
        break;
      default:
        break;
    }
  }
  return { depth: deepest, keys };
}
