import type { IncomingMessage, ServerResponse } from 'node:http';

/** A middleware that only sets and removes response headers, with helmet's `(req, res, next)`. */
export type HeaderMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Sets a header middleware's headers on one response; throws what the middleware passed to `next`.
 * `writes` lists what it does when that is the same on every response (replayed), else `undefined`.
 */
export type HeaderWriter = ((req: IncomingMessage, res: ServerResponse) => void) & {
  readonly writes: readonly HeaderWrite[] | undefined;
};

/** One recorded header write: a value to set, or `undefined` to remove the header. */
export type HeaderWrite = readonly [
  name: string,
  value: number | string | readonly string[] | undefined,
];

/**
 * Turns helmet (or any middleware that only sets headers, synchronously) into a writer of
 * `(req, res)`. When `options` are plain data (strings, numbers, booleans, plain objects and
 * arrays), the headers are the same on every response: the middleware runs once, against a
 * recording response, and each request replays those writes. That spares every request helmet's
 * dispatch through a dozen small middlewares. Anything else may answer differently per request: a
 * function (a CSP nonce), or a Set, Map or class instance that could hold one or compute values on
 * access. Then the middleware itself runs on every request.
 * @example const write = headerWriter(helmet(options), options); write(req, res);
 */
export function headerWriter(middleware: HeaderMiddleware, options: unknown): HeaderWriter {
  const writes = isPlainData(options, 0) ? recordWrites(middleware) : undefined;
  if (writes === undefined)
    return Object.assign(
      (req: IncomingMessage, res: ServerResponse) => runOnce(middleware, req, res),
      {
        writes: undefined,
      },
    );
  return Object.assign(
    function replayHeaders(_req: IncomingMessage, res: ServerResponse) {
      // One method lookup per response rather than one per header: Express gives every response a
      // prototype of its own, so each `res.setHeader` lookup misses V8's inline caches.
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(res)
      const { setHeader, removeHeader } = res;
      for (const [name, value] of writes) {
        if (value === undefined) removeHeader.call(res, name);
        else setHeader.call(res, name, value);
      }
    },
    { writes: Object.freeze(writes) },
  );
}

function runOnce(middleware: HeaderMiddleware, req: IncomingMessage, res: ServerResponse): void {
  let failure: unknown;
  // helmet only sets headers and calls next synchronously.
  middleware(req, res, (error) => {
    failure = error;
  });
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('helmet failed', { cause: failure });
}

/** The writes of one run against a response that only records; undefined if it did anything else. */
function recordWrites(middleware: HeaderMiddleware): HeaderWrite[] | undefined {
  const writes: HeaderWrite[] = [];
  const recorder = {
    setHeader(name: string, value: HeaderWrite[1]) {
      writes.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      writes.push([name, undefined]);
    },
  };
  let outcome: 'next' | 'failed' | undefined;
  try {
    middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
      outcome = error === undefined ? 'next' : 'failed';
    });
  } catch {
    return undefined;
  }
  return outcome === 'next' ? writes : undefined;
}

/** Whether a value is only strings, numbers, booleans, null, plain objects and arrays (bounded depth). */
function isPlainData(value: unknown, depth: number): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  // Deeper than any helmet option: not worth walking, so not replayed.
  if (type !== 'object' || depth > 8) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  // Own getters could answer differently later: only plain values are data.
  return Object.values(Object.getOwnPropertyDescriptors(value)).every(
    (descriptor) => 'value' in descriptor && isPlainData(descriptor.value, depth + 1),
  );
}
