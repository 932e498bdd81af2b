/* eslint-disable @typescript-eslint/consistent-type-imports -- a script file (no import statement) declares globals, so its types come through import() */
// The names a Koa snippet in the README or docs/ uses without declaring them (see express.d.ts).
declare const app: import('koa');
declare const router: import('@koa/router').Router;
declare const ctx: import('koa').Context;
declare const logger: import('@guard-suite/koa-guard').GuardLogger;
declare const redis: import('ioredis').Redis;

type KoaGuard = typeof import('@guard-suite/koa-guard');
declare const guard: KoaGuard['guard'];
declare const errorHandler: KoaGuard['errorHandler'];

// The app's own things.
declare const api: { getUser(id: string, options: { signal: AbortSignal }): Promise<unknown> };
declare const id: string;
