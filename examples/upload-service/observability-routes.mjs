// GET /metrics (Prometheus text) and the live dashboard (/dashboard, its script, style and the
// uPlot chart library, served from memory). Mounted before guard(): an operator's view must not be
// rate limited, queued or shed together with the traffic it is watching. In production, serve
// these on an internal port or behind authentication.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const file = (path, type) => ({ type, body: readFileSync(path) });
const own = (name) => new URL(`./public/${name}`, import.meta.url);

/** URL path → { type, body }: the dashboard's static files, read once at start-up. */
export const dashboardAssets = new Map([
  ['/dashboard', file(own('dashboard.html'), 'text/html; charset=utf-8')],
  ['/dashboard.js', file(own('dashboard.js'), 'text/javascript; charset=utf-8')],
  ['/dashboard.css', file(own('dashboard.css'), 'text/css; charset=utf-8')],
  [
    '/vendor/uPlot.iife.min.js',
    file(require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'),
  ],
  [
    '/vendor/uPlot.min.css',
    file(require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'),
  ],
]);

/** Express: a router with the observability routes, behind the suite's security headers. */
export function expressObservability(express, securityHeaders, telemetry) {
  const router = express.Router();
  const headers = securityHeaders();
  for (const [path, { type, body }] of dashboardAssets)
    router.get(path, headers, (_req, res) => res.type(type).send(body));
  router.get('/dashboard/data', headers, async (_req, res) => {
    res.set('cache-control', 'no-store').json(await telemetry.snapshot());
  });
  router.get('/metrics', (req, res) => telemetry.servePrometheus(req, res));
  return router;
}

/** Koa: a router with the same routes. */
export function koaObservability(Router, securityHeaders, telemetry) {
  const router = new Router();
  const headers = securityHeaders();
  for (const [path, { type, body }] of dashboardAssets)
    router.get(path, headers, (ctx) => {
      ctx.type = type;
      ctx.body = body;
    });
  router.get('/dashboard/data', headers, async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = await telemetry.snapshot();
  });
  router.get('/metrics', (ctx) => {
    ctx.respond = false;
    telemetry.servePrometheus(ctx.req, ctx.res);
  });
  return router;
}
