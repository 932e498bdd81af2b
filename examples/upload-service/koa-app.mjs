// The Koa twin of express-app.mjs: the same routes, policies and answers.
import Koa from 'koa';
import Router from '@koa/router';
import {
  NotFoundError,
  createFileStore,
  errorHandler,
  guard,
  rateLimit,
  sendStoredFile,
  upload,
} from '@guard-suite/koa-guard';
import { createAuditLog } from './audit-log.mjs';
import { healthReport } from './health.mjs';
import { pageAssets } from './page-assets.mjs';
import { serviceConfig } from './service-config.mjs';

/** Builds the app; `close()` stops its timers (load-shedding sampler, limiter stores). */
export function createKoaApp({ logger, ...options } = {}) {
  const config = serviceConfig(options);
  const protection = guard({ ...config.guard((ctx) => ctx.path), ...(logger ? { logger } : {}) });
  const uploads = upload(config.upload);
  const files = createFileStore({ dir: config.upload.dir });
  const audit = createAuditLog(config);

  const router = new Router();
  for (const [path, { type, body }] of pageAssets)
    router.get(path, (ctx) => {
      ctx.type = type;
      ctx.body = body;
    });
  router.post('/uploads', rateLimit(config.uploadQuota), uploads.single('file'), async (ctx) => {
    await audit.record(ctx.state.upload, ctx.state.guard.signal);
    ctx.status = 201;
    ctx.body = ctx.state.upload;
  });
  router.get('/uploads/:id/status', (ctx) => {
    const status = uploads.status(ctx.params.id);
    if (status.status === 'not_found') throw new NotFoundError();
    ctx.body = status;
  });
  router.get('/files/:storedName', (ctx) => sendStoredFile(ctx, files, ctx.params.storedName));
  router.get('/health', (ctx) => {
    ctx.body = healthReport(protection, audit, config);
  });

  const app = new Koa();
  if (config.instance)
    app.use((ctx, next) => {
      ctx.set('X-Instance', config.instance);
      return next();
    });
  app.use(errorHandler(logger ? { logger } : {}));
  app.use(protection);
  app.use(router.routes());
  app.use(router.allowedMethods());

  return { app, config, close: () => (protection.close?.(), audit.close()) };
}
