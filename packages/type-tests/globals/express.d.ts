/* eslint-disable @typescript-eslint/consistent-type-imports -- a script file (no import statement) declares globals, so its types come through import() */
// The names an Express snippet in the README or docs/ uses without declaring them: the app and its
// request, the suite's functions (fragments show no import), and the user's own objects (typed
// loosely: they are the app's, not the suite's). A snippet's own imports and consts shadow these.
type ExpressGuard = typeof import('@guard-suite/express-guard');

declare const app: import('express').Express;
declare const req: import('express').Request;
declare const res: import('express').Response;
declare const logger: import('@guard-suite/express-guard').GuardLogger;
declare const redis: import('ioredis').Redis;
declare const z: typeof import('zod').z;

declare const guard: ExpressGuard['guard'];
declare const notFound: ExpressGuard['notFound'];
declare const errorHandler: ExpressGuard['errorHandler'];
declare const asyncHandler: ExpressGuard['asyncHandler'];
declare const rateLimit: ExpressGuard['rateLimit'];
declare const concurrencyLimit: ExpressGuard['concurrencyLimit'];
declare const jsonBody: ExpressGuard['jsonBody'];
declare const validate: ExpressGuard['validate'];
declare const createCircuitBreaker: ExpressGuard['createCircuitBreaker'];
declare const createRetry: ExpressGuard['createRetry'];
declare const createTimeout: ExpressGuard['createTimeout'];
declare const withTimeout: ExpressGuard['withTimeout'];
declare const createBulkhead: ExpressGuard['createBulkhead'];
declare const wrap: ExpressGuard['wrap'];
declare const breaker: import('@guard-suite/express-guard').CircuitBreaker;
declare const signal: AbortSignal;
declare const server: import('node:http').Server;

// The app's own things.
declare const orders: { find(id: string, options: { signal: AbortSignal }): Promise<unknown> };
declare const payments: {
  charge(body: unknown, options: { signal: AbortSignal }): Promise<unknown>;
};
declare const db: {
  orders(): Promise<unknown>;
  query(sql: string, options: { signal: AbortSignal }): Promise<unknown>;
};
declare const sql: string;
declare const url: string;
declare const reportUrl: string;
declare const name: string;
declare const socket: import('node:net').Socket;
declare const handler: import('express').RequestHandler;
declare const login: import('express').RequestHandler;
declare function verifyPassword(username: string, password: string): Promise<boolean>;
declare function callPaymentApi(signal: AbortSignal): Promise<unknown>;
declare function fetchData(signal: AbortSignal): Promise<unknown>;
