/* global guardSuite, Koa, Router, dataDir -- defined by the ESM or CommonJS header scripts/fresh-install-check.mjs adds */
/* eslint-disable @typescript-eslint/no-unused-vars -- `listener` is read by requests.js, appended after this */
// The README's Koa app (see express-app.js): errorHandler() first, guard(), routes on @koa/router.
const { errorHandler, guard, upload } = guardSuite;
const app = new Koa();
const router = new Router();
const uploads = upload({
  dir: `${dataDir}/uploads`,
  tmpDir: `${dataDir}/tmp`,
  allowedExtensions: ['.pdf', '.png'],
});
router.post('/avatars', uploads.single('file'), (ctx) => {
  ctx.status = 201;
  ctx.body = ctx.state.upload;
});
router.get('/orders/:id', async (ctx) => {
  ctx.body = {
    id: ctx.params.id,
    aborted: ctx.state.guard.signal.aborted,
    deadline: ctx.state.guard.deadline,
  };
});
router.get('/boom', async () => {
  throw new Error('db password hunter2 at /srv/app/db.js');
});
app.use(errorHandler());
// guard() with its defaults, except load shedding out of reach: a busy CI machine (and a process
// that just started) would rightly be shed, and shedding has its own spec.
app.use(guard({ loadShedding: { maxEventLoopDelayMs: 60_000, maxEventLoopUtilization: 1 } }));
app.use(router.routes());
const listener = app.callback();
