// Type tests of @guard-suite/koa-guard as published: the same options as Express, with `ctx` where
// Express has `req`, and ctx.state typed for what the middleware sets.
import Koa from 'koa';
import type { Context, Middleware } from 'koa';
import Router from '@koa/router';
import { expectTypeOf } from 'expect-type';
import { errorHandler, guard, rateLimit, timeout, upload } from '@guard-suite/koa-guard';
import type {
  ErrorHandlerMiddleware,
  GuardState,
  GuardStatus,
  KoaGuardOptions,
  KoaRateLimitOptions,
  UploadRecord,
  UploadStatus,
} from '@guard-suite/koa-guard';

const app = new Koa();
const router = new Router();

const protection = guard({
  loadShedding: { skip: (ctx) => ctx.path === '/health' },
  rateLimit: { limit: 120, windowMs: 60_000, key: (ctx) => ctx.ip },
  concurrency: { max: 10 },
  timeout: { ms: 10_000 },
});
app.use(errorHandler({ debug: false }));
app.use(protection);
expectTypeOf(protection).toMatchTypeOf<Middleware>();
expectTypeOf(protection.status()).toEqualTypeOf<GuardStatus>();
expectTypeOf(guard).parameter(0).toEqualTypeOf<KoaGuardOptions | undefined>();
expectTypeOf<KoaRateLimitOptions['key']>().toEqualTypeOf<((ctx: Context) => string) | undefined>();
expectTypeOf(errorHandler()).toEqualTypeOf<ErrorHandlerMiddleware>();
expectTypeOf(errorHandler()).toMatchTypeOf<Middleware>();
expectTypeOf(timeout({ ms: 1000 })).toEqualTypeOf<Middleware>();

// @ts-expect-error -- "limt" is not an option
guard({ rateLimit: { limt: 5 } });
// @ts-expect-error -- a key function returns a string
rateLimit({ key: (ctx: Context) => ctx.ips });

router.get('/orders/:id', (ctx) => {
  expectTypeOf(ctx.state.guard).toEqualTypeOf<GuardState>();
  expectTypeOf(ctx.state.guard.signal).toEqualTypeOf<AbortSignal>();
  ctx.body = { deadline: ctx.state.guard.deadline };
});
const uploads = upload({ dir: '/srv/uploads' });
router.post('/files', uploads.single('file'), (ctx) => {
  expectTypeOf(ctx.state.upload).toEqualTypeOf<UploadRecord | UploadRecord[]>();
  ctx.status = 201;
  ctx.body = ctx.state.upload;
});
expectTypeOf(uploads.single('file')).toEqualTypeOf<Middleware>();
expectTypeOf(uploads.status('id')).toEqualTypeOf<UploadStatus>();
app.use(router.routes());
