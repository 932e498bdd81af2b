// A small Express app behind the secure error handler: every failure becomes a problem+json
// response with an errorId, and the full error goes to the log under that id.
import express from 'express';
import { errorHandler, notFound } from 'express-guard';

/** Builds the app; `logger` is any winston logger (default: JSON lines on stdout). */
export function createApp({ logger } = {}) {
  const app = express();
  app.get('/', (_req, res) => {
    res.json({ service: 'express-basic', try: ['/fail', '/missing-file', '/nowhere'] });
  });
  // A bug with secrets in its message: the client sees a generic 500 and an errorId, the log sees all.
  app.get('/fail', () => {
    throw new Error('connect to postgres://app:hunter2@10.0.0.7/db failed at /srv/app/db.js');
  });
  // A Node system error: ENOENT becomes a plain 404.
  app.get('/missing-file', async (_req, res) => {
    const { readFile } = await import('node:fs/promises');
    res.send(await readFile('/definitely/not/here.txt'));
  });
  app.use(notFound());
  app.use(errorHandler(logger ? { logger } : {}));
  return app;
}
