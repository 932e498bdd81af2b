import type { IncomingMessage, ServerResponse } from 'node:http';
import secureJson from 'secure-json-parse';
import { InvalidInputError } from '../errors/invalid-input-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';
import { optionReader } from '../options/option-reader';
import { readBody } from './read-body';
import { scanJson } from './scan-json';

/** Options of `jsonBody()`. */
export interface JsonBodyOptions {
  /** Largest body, in bytes; larger → 413. Default `102400` (100 KiB). */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays; deeper → 400. Default `20`. */
  maxDepth?: number;
  /** Most object members in the whole document; more → 400. Default `1000`. */
  maxKeys?: number;
  /** `__proto__` and `constructor.prototype` keys: `'error'` rejects the body with 400 (default),
   * `'remove'` strips them and keeps the rest. */
  protoAction?: 'error' | 'remove';
}

/** Parses one request's JSON body under the limits. */
export interface JsonBodyParser {
  readonly options: Readonly<Required<JsonBodyOptions>>;
  /**
   * Resolves with the parsed body, or `undefined` when the request has no body. Rejects with
   * `UnsupportedMediaTypeError` (415) for a body that is not `application/json` (or `+json`) in
   * UTF-8, `PayloadTooLargeError` (413) past `maxBytes`, and `InvalidInputError` (400) for
   * malformed, too deep, too wide or prototype-poisoning JSON.
   */
  parse(req: IncomingMessage, res: ServerResponse): Promise<unknown>;
}

const KNOWN_OPTIONS = ['maxBytes', 'maxDepth', 'maxKeys', 'protoAction'] as const;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** Checks and completes `jsonBody` options. */
export function resolveJsonBodyOptions(
  factory: string,
  options: unknown,
): Readonly<Required<JsonBodyOptions>> {
  const read = optionReader(factory, options, KNOWN_OPTIONS);
  return Object.freeze({
    maxBytes: read.positiveInteger('maxBytes', 102_400, 'bytes'),
    maxDepth: read.positiveInteger('maxDepth', 20, 'levels'),
    maxKeys: read.nonNegativeInteger('maxKeys', 1000, 'keys'),
    protoAction: read.oneOf('protoAction', ['error', 'remove'] as const, 'error'),
  });
}

/** Whether the request carries a body at all (RFC 9112 §6.3: Content-Length or Transfer-Encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Checks `Content-Type: application/json` (or `application/*+json`) with no charset or UTF-8. */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...params] = header.split(';');
  if (!JSON_TYPE.test(type.trim())) return false;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() === 'charset') {
      const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
      if (charset !== 'utf-8' && charset !== 'utf8') return false;
    }
  }
  return true;
}

/**
 * Creates a JSON body parser: strict content type, size cap while reading, depth and key-count
 * bounds before parsing, and prototype-poisoning protection by secure-json-parse.
 * @example
 * const parser = createJsonBodyParser({ maxBytes: 102_400, maxDepth: 20 });
 * const body = await parser.parse(req, res);
 */
export function createJsonBodyParser(
  options: JsonBodyOptions = {},
  factory = 'createJsonBodyParser',
): JsonBodyParser {
  const resolved = resolveJsonBodyOptions(factory, options);
  const { maxBytes, maxDepth, maxKeys, protoAction } = resolved;
  const parseOptions = { protoAction, constructorAction: protoAction } as const;
  const invalid = (reason: string, cause?: unknown) =>
    new InvalidInputError(undefined, { cause: cause ?? new Error(reason) });

  return {
    options: resolved,
    async parse(req, res) {
      if (!hasBody(req)) return undefined;
      // Strict: a form or text body sent to a JSON route is refused, not guessed at.
      if (!isJsonContentType(req.headers['content-type'])) throw new UnsupportedMediaTypeError();
      const raw = await readBody(req, res, maxBytes, `${factory}.maxBytes`, 'JSON body');
      if (raw.length === 0) return undefined;
      const shape = scanJson(raw, maxDepth, maxKeys);
      if (shape.depth > maxDepth) throw invalid(`JSON nested deeper than ${maxDepth} levels`);
      if (shape.keys > maxKeys) throw invalid(`JSON has more than ${maxKeys} keys`);
      try {
        return secureJson.parse(raw.toString('utf8'), null, parseOptions) as unknown;
      } catch (error) {
        // SyntaxError: malformed JSON, or a __proto__ / constructor.prototype key under 'error'.
        throw invalid('malformed or poisoned JSON', error);
      }
    },
  };
}
