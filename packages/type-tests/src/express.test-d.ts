// Type tests of @guard-suite/express-guard as published (dist/*.d.ts): what a user types in
// options, and what the middleware hands back. A wrong type fails `tsc` (pnpm run typecheck).
import diagnosticsChannel from 'node:diagnostics_channel';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { expectTypeOf } from 'expect-type';
import {
  ChannelNames,
  MetricNames,
  createCircuitBreaker,
  createRateLimiter,
  createRetry,
  errorHandler,
  guard,
  isGuardError,
  metricsReady,
  notFound,
  rateLimit,
  timeout,
  upload,
  wrap,
} from '@guard-suite/express-guard';
import type {
  ConcurrencyLimitMessage,
  ErrorHandlerMiddleware,
  ErrorHandlerOptions,
  GuardError,
  ExpressGuardOptions,
  ExpressRateLimitOptions,
  GuardState,
  GuardStatus,
  LoadSheddingMessage,
  RateLimitDecision,
  RejectionRecord,
  UploadRecord,
  UploadStatus,
} from '@guard-suite/express-guard';

const app = express();

// guard(): every section optional, each can be false; the result is Express middleware with figures.
const protection = guard({
  helmet: false,
  loadShedding: { maxEventLoopDelayMs: 200, skip: (req) => req.path === '/health' },
  rateLimit: { limit: 60, windowMs: 60_000, key: (req) => req.ip ?? 'unknown' },
  concurrency: { max: 10, maxQueue: 50, queueTimeoutMs: 1000 },
  timeout: { ms: 30_000 },
  inputLimits: { maxUrlLength: 2048, maxBodyBytes: 1_048_576 },
});
app.use(protection);
expectTypeOf(protection).toMatchTypeOf<RequestHandler>();
expectTypeOf(protection.status()).toEqualTypeOf<GuardStatus>();
expectTypeOf(protection.close).toEqualTypeOf<() => void>();
expectTypeOf(guard).parameter(0).toEqualTypeOf<ExpressGuardOptions | undefined>();
expectTypeOf<ExpressRateLimitOptions['key']>().toEqualTypeOf<
  ((req: Request) => string) | undefined
>();

// Misspelt or mistyped options do not compile (and throw at start-up in JavaScript).
// @ts-expect-error -- "limt" is not an option
guard({ rateLimit: { limt: 5 } });
// @ts-expect-error -- milliseconds are a number
timeout({ ms: '5s' });
// @ts-expect-error -- a section is options or false, not true
guard({ concurrency: true });

// What handlers read: req.guard after guard()/timeout()/concurrencyLimit(), req.upload after upload().
app.get('/orders/:id', (req, res) => {
  expectTypeOf(req.guard).toEqualTypeOf<GuardState>();
  expectTypeOf(req.guard.signal).toEqualTypeOf<AbortSignal>();
  expectTypeOf(req.guard.deadline).toEqualTypeOf<number>();
  res.end();
});
const uploads = upload({
  dir: '/srv/uploads',
  allowedExtensions: ['.png'],
  maxFileBytes: 5_000_000,
});
app.post('/avatars', uploads.single('file'), (req, res) => {
  expectTypeOf(req.upload).toEqualTypeOf<UploadRecord | UploadRecord[]>();
  const record = Array.isArray(req.upload) ? req.upload[0] : req.upload;
  expectTypeOf(record).toEqualTypeOf<UploadRecord>();
  res.status(201).json(record);
});
expectTypeOf(uploads.single('file')).toEqualTypeOf<RequestHandler>();
expectTypeOf(uploads.array('files', 3)).toEqualTypeOf<RequestHandler>();
expectTypeOf(uploads.status('id')).toEqualTypeOf<UploadStatus>();
expectTypeOf<UploadRecord>().toHaveProperty('sha256').toEqualTypeOf<string>();
expectTypeOf<UploadRecord>().toHaveProperty('size').toEqualTypeOf<number>();

// A route-level rate limit; the error handler and 404 last.
app.post('/login', rateLimit({ name: 'login', limit: 5, windowMs: 60_000 }));
app.use(notFound());
app.use(errorHandler({ debug: false, messages: { 500: 'Something went wrong' } }));
expectTypeOf(errorHandler()).toEqualTypeOf<ErrorHandlerMiddleware>();
expectTypeOf(errorHandler()).toMatchTypeOf<ErrorRequestHandler>();
expectTypeOf<ErrorHandlerOptions>().toHaveProperty('debug').toEqualTypeOf<boolean | undefined>();

// Outbound policies: results keep the called function's type; the context carries the signal.
const breaker = createCircuitBreaker({ name: 'payments', failureThreshold: 5 });
const policy = wrap(createRetry({ retries: 2, jitter: 'full' }), breaker);
const total = policy.execute(({ signal, attempt }) => {
  expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
  expectTypeOf(attempt).toEqualTypeOf<number>();
  return Promise.resolve(42);
});
expectTypeOf(total).toEqualTypeOf<Promise<number>>();

// A limiter's decision, and errors narrowed by isGuardError.
const decision = createRateLimiter({ limit: 10, windowMs: 1000 }).consume('client');
expectTypeOf(decision).toEqualTypeOf<RateLimitDecision | Promise<RateLimitDecision>>();
const caught: unknown = new Error('x');
if (isGuardError(caught)) expectTypeOf(caught).toMatchTypeOf<GuardError>();

// Observability: an SDK MeterProvider fits every meterProvider option; the event messages are typed.
const meterProvider = new MeterProvider();
guard({ meterProvider, loadShedding: { meterProvider } });
errorHandler({ meterProvider });
createCircuitBreaker({ name: 'payments', meterProvider });
expectTypeOf(ChannelNames.REJECT).toEqualTypeOf<'guard:reject'>();
expectTypeOf(MetricNames.REQUESTS).toEqualTypeOf<'guard.requests'>();
expectTypeOf(metricsReady()).toEqualTypeOf<Promise<void>>();
diagnosticsChannel.subscribe(ChannelNames.CONCURRENCY_LIMIT, (message) => {
  const { name, limit, previous } = message as ConcurrencyLimitMessage;
  expectTypeOf(name).toEqualTypeOf<string>();
  expectTypeOf(limit - previous).toEqualTypeOf<number>();
});
expectTypeOf<LoadSheddingMessage['pressure']>().toEqualTypeOf<number>();
expectTypeOf<RejectionRecord['keyHash']>().toEqualTypeOf<string | undefined>();
