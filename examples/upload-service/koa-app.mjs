// The Koa twin of express-app.mjs: the same routes, policies and answers.
import Koa from 'koa';
import Router from '@koa/router';
import {
  NotFoundError,
  createFileStore,
  errorHandler,
  guard,
  rateLimit,
  securityHeaders,
  sendStoredFile,
  upload,
} from '@guard-suite/koa-guard';
import { createAuditLog } from './audit-log.mjs';
import { healthReport } from './health.mjs';
import { koaObservability } from './observability-routes.mjs';
import { pageAssets } from './page-assets.mjs';
import { serviceConfig } from './service-config.mjs';
import { createServiceTelemetry } from './telemetry.mjs';

/** Builds the app; `close()` stops its timers (load-shedding sampler, limiter stores). */
export function createKoaApp({ logger, ...options } = {}) {
  const telemetry = createServiceTelemetry();
  const config = serviceConfig({ ...options, meterProvider: telemetry.meterProvider });
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
  app.use(errorHandler({ ...(logger ? { logger } : {}), meterProvider: telemetry.meterProvider }));
  app.use(koaObservability(Router, securityHeaders, telemetry).routes());
  app.use(protection);
  app.use(router.routes());
  app.use(router.allowedMethods());

  const close = () => (protection.close?.(), audit.close(), void telemetry.close());
  return { app, config, close };
}
