import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { UriTooLongError } from '../errors/uri-too-long-error';
import { optionReader } from '../options/option-reader';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import type { SectionTelemetryOptions } from '../telemetry/meter-provider-option';
import { createAllowedCounter, createRefusalSite } from '../telemetry/refusal';
import type { RefusalSite } from '../telemetry/refusal';
import { criticalityOf, requestIdOf } from '../telemetry/request-facts';
import { createTelemetry } from '../telemetry/telemetry';
import { isMultipart } from './is-multipart';

/** Options of `inputLimits()` / `guard({ inputLimits })`. */
export interface InputLimitsOptions {
  /** Longest request target (path and query), in characters; longer → 414. Default `2048`. */
  maxUrlLength?: number;
  /**
   * Largest request body, in bytes: a larger declared `Content-Length` → 413 before reading; a
   * chunked body is cut off with 413 when it streams past it. A multipart/form-data body on a route
   * whose `upload()` takes it is bounded by `upload()`'s own limits instead (so the two work together
   * out of the box); on any other route it is cut off here as it streams. Default `1048576` (1 MiB).
   */
  maxBodyBytes?: number;
  /** Where `inputLimits()` records its metrics (an OpenTelemetry MeterProvider). Default: the global one. */
  meterProvider?: GuardMeterProvider;
}

/** Input-limit options with every default filled in (the meter provider is not kept). */
export type ResolvedInputLimitsOptions = Readonly<
  Required<Omit<InputLimitsOptions, 'meterProvider'>>
>;

/** Checks one request's URL and body size; the adapters call `check` first thing. */
export interface InputLimits {
  readonly options: ResolvedInputLimitsOptions;
  /**
   * Throws `UriTooLongError` or `PayloadTooLargeError` for what the headers already show, and
   * otherwise arranges for a body that streams past `maxBodyBytes` to fail with
   * `PayloadTooLargeError` for whoever reads it (body parser, multer, a handler). A multipart body
   * is never refused from its headers alone: `upload()` may take it (see `releaseBodyCap`). Each
   * refusal is described as an `input_limits` refusal; `state` is the per-request state.
   */
  check(req: IncomingMessage, res: ServerResponse, state?: object): void;
}

const KNOWN_OPTIONS = ['maxUrlLength', 'maxBodyBytes', 'meterProvider'] as const;

/** Checks and completes input-limit options. */
export function resolveInputLimitsOptions(
  factory: string,
  options: unknown,
  pathPrefix = '',
): ResolvedInputLimitsOptions {
  const read = optionReader(factory, options, KNOWN_OPTIONS, pathPrefix);
  return Object.freeze({
    maxUrlLength: read.positiveInteger('maxUrlLength', 2048, 'characters'),
    maxBodyBytes: read.positiveInteger('maxBodyBytes', 1_048_576, 'bytes'),
  });
}

/**
 * Creates the input-limit check.
 * @example const limits = createInputLimits({ maxUrlLength: 2048, maxBodyBytes: 1_048_576 });
 */
export function createInputLimits(
  options: InputLimitsOptions = {},
  factory = 'createInputLimits',
  pathPrefix = '',
  context: SectionTelemetryOptions = {},
): InputLimits {
  const resolved = resolveInputLimitsOptions(factory, options, pathPrefix);
  const { maxUrlLength, maxBodyBytes } = resolved;
  const telemetry = createTelemetry(
    readMeterProvider(
      optionReader(factory, options, KNOWN_OPTIONS, pathPrefix),
      context.meterProvider,
    ),
  );
  const site = createRefusalSite(telemetry, 'input_limits', 'default');
  const countAllowed = context.insideGuard ? undefined : createAllowedCounter(telemetry, 'default');
  return {
    options: resolved,
    check(req, res, state) {
      const urlLength = req.url?.length ?? 0;
      if (urlLength > maxUrlLength)
        throw site.refuse(new UriTooLongError(), {
          observed: urlLength,
          threshold: maxUrlLength,
          criticality: criticalityOf(state),
          requestId: requestIdOf(res),
        });
      const declared = req.headers['content-length'];
      if (declared !== undefined) {
        // Node has already rejected a malformed Content-Length; a number too big to count is too big.
        const bytes = Number(declared);
        if (bytes > maxBodyBytes) {
          if (!isMultipart(req.headers['content-type']))
            throw site.refuse(tooLarge(res, maxBodyBytes, LIMIT_NAME), {
              observed: bytes,
              threshold: maxBodyBytes,
              criticality: criticalityOf(state),
              requestId: requestIdOf(res),
            });
          capBody(req, res, maxBodyBytes, site, state);
        }
        // Otherwise the parser never delivers more than declared.
        countAllowed?.(criticalityOf(state));
        return;
      }
      if (req.headers['transfer-encoding'] !== undefined)
        capBody(req, res, maxBodyBytes, site, state);
      countAllowed?.(criticalityOf(state));
    },
  };
}

/** How a 413 of the input limits names its limit (the same inside `guard()` and alone). */
const LIMIT_NAME = 'inputLimits.maxBodyBytes';

/** The body caps a later middleware may release: the request's `upload()` bounds its body itself. */
const releasableCaps = new WeakMap<object, () => void>();

/**
 * Lifts the input limits' cap off a multipart body that `upload()` takes: `upload()` bounds it by
 * its own limits (file size and count, field count and size), which the app chose for this route,
 * so `guard()`'s general `maxBodyBytes` (1 MiB by default) no longer refuses a 3 MB upload that
 * `upload()` (5 MB by default) accepts (issue 14 #3). Other bodies keep their cap.
 */
export function releaseBodyCap(req: object): void {
  releasableCaps.get(req)?.();
  releasableCaps.delete(req);
}

/**
 * A 413 that also closes the connection: the rest of an unread body is never worth reading. Its
 * message names the limit's bytes; `limitName` says which limit (for the log).
 */
export function tooLarge(
  res: ServerResponse,
  maxBytes: number,
  limitName: string,
  what = 'request body',
): PayloadTooLargeError {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  return new PayloadTooLargeError(
    `Payload too large: the ${what} is larger than ${maxBytes} bytes`,
    {
      limitName,
      limit: maxBytes,
    },
  );
}

/**
 * Counts a streamed body as Node's parser pushes it into the request, and past the limit drops the
 * rest and fails the stream for its reader. Wrapping `push` (not listening to 'data') leaves the
 * stream paused for the parser or multer that reads it later.
 */
function capBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  site: RefusalSite,
  state: object | undefined,
): void {
  // Bytes the parser pushed before this check ran (an async step came first) count too.
  let received = req.readableLength;
  let failed = false;
  let released = false;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (failed) return false;
    if (!released && chunk !== null && chunk !== undefined) {
      received += (chunk as { length: number }).length;
      if (received > maxBytes) {
        failed = true;
        fail(
          req,
          site.refuse(tooLarge(res, maxBytes, LIMIT_NAME), {
            observed: received,
            threshold: maxBytes,
            criticality: criticalityOf(state),
            requestId: requestIdOf(res),
          }),
        );
        return false;
      }
    }
    return push(chunk, encoding);
  };
  if (isMultipart(req.headers['content-type'])) releasableCaps.set(req, () => (released = true));
}

function fail(req: IncomingMessage, error: PayloadTooLargeError): void {
  // The reader may attach its 'error' listener only later (a body parser after an await); emitting
  // into no listener would crash the process, and destroying the request would also destroy the
  // socket and with it the 413. So: emit now if someone listens, else on the next tick, and destroy
  // only when still nobody listens (the client then sees the connection close).
  if (req.listenerCount('error') > 0) {
    req.emit('error', error);
    return;
  }
  process.nextTick(() => {
    if (req.listenerCount('error') > 0) req.emit('error', error);
    else req.destroy(error);
  });
}
