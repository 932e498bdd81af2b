import { createServer } from 'node:http';
import type { Server } from 'node:http';
// @ts-expect-error -- a plain JavaScript example without type declarations
import { createExpressApp } from '../express-app.mjs';
// @ts-expect-error -- a plain JavaScript example without type declarations
import { createKoaApp } from '../koa-app.mjs';

/** What a twin's factory returns. */
export interface Service {
  app: unknown;
  config: { dataDir: string; upload: { dir: string; tmpDir: string } };
  close(): void;
}

export interface ServiceOptions {
  dataDir: string;
  logger?: unknown;
  redis?: unknown;
  redisPrefix?: string;
  uploadsPerWindow?: number;
  loadShedding?: Record<string, number>;
}

/** The two twins of the upload service, each mounted on a plain node:http server. */
export const twins: {
  name: string;
  start(options: ServiceOptions): { service: Service; server: Server };
}[] = [
  {
    name: 'express',
    start(options) {
      const service = (createExpressApp as (o: ServiceOptions) => Service)(options);
      return { service, server: createServer(service.app as never) };
    },
  },
  {
    name: 'koa',
    start(options) {
      const service = (createKoaApp as (o: ServiceOptions) => Service)(options);
      const app = service.app as { callback(): never };
      return { service, server: createServer(app.callback()) };
    },
  },
];
