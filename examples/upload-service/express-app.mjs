// The secure upload service on Express: guard() in front, upload() on POST /uploads with a
// per-client quota, stored files served only through the file store, errorHandler() last.
import express from 'express';
import {
  NotFoundError,
  createFileStore,
  errorHandler,
  guard,
  notFound,
  rateLimit,
  securityHeaders,
  sendStoredFile,
  upload,
} from '@guard-suite/express-guard';
import { createAuditLog } from './audit-log.mjs';
import { healthReport } from './health.mjs';
import { expressObservability } from './observability-routes.mjs';
import { pageAssets } from './page-assets.mjs';
import { serviceConfig } from './service-config.mjs';
import { createServiceTelemetry } from './telemetry.mjs';

/** Builds the app; `close()` stops its timers (load-shedding sampler, limiter stores). */
export function createExpressApp({ logger, ...options } = {}) {
  const telemetry = createServiceTelemetry();
  const config = serviceConfig({ ...options, meterProvider: telemetry.meterProvider });
  const protection = guard({ ...config.guard((req) => req.path), ...(logger ? { logger } : {}) });
  const uploads = upload(config.upload);
  const files = createFileStore({ dir: config.upload.dir });
  const audit = createAuditLog(config);

  const app = express();
  if (config.instance)
    app.use((_req, res, next) => {
      res.set('X-Instance', config.instance);
      next();
    });
  app.use(expressObservability(express, securityHeaders, telemetry));
  app.use(protection);
  for (const [path, { type, body }] of pageAssets)
    app.get(path, (_req, res) => res.type(type).send(body));
  app.post('/uploads', rateLimit(config.uploadQuota), uploads.single('file'), async (req, res) => {
    await audit.record(req.upload, req.guard.signal);
    res.status(201).json(req.upload);
  });
  app.get('/uploads/:id/status', (req, res) => {
    const status = uploads.status(req.params.id);
    if (status.status === 'not_found') throw new NotFoundError();
    res.json(status);
  });
  app.get('/files/:storedName', (req, res) => sendStoredFile(res, files, req.params.storedName));
  app.get('/health', (_req, res) => res.json(healthReport(protection, audit, config)));
  app.use(notFound());
  app.use(errorHandler({ ...(logger ? { logger } : {}), meterProvider: telemetry.meterProvider }));

  const close = () => (protection.close?.(), audit.close(), void telemetry.close());
  return { app, config, close };
}
