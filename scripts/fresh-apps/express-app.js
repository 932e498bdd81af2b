/* global guardSuite, express, dataDir -- defined by the ESM or CommonJS header scripts/fresh-install-check.mjs adds */
/* eslint-disable @typescript-eslint/no-unused-vars -- `listener` is read by requests.js, appended after this */
// The README's Express app, as a user writes it (loaded by ESM and CommonJS headers, see
// scripts/fresh-install-check.mjs): guard(), a route reading req.guard, an upload, notFound() and
// errorHandler() last. asyncHandler() makes the async routes safe on Express 4 too.
const { asyncHandler, errorHandler, guard, notFound, rateLimit, upload } = guardSuite;
const app = express();
// guard() with its defaults, except load shedding out of reach: a busy CI machine (and a process
// that just started) would rightly be shed, and shedding has its own spec.
app.use(guard({ loadShedding: { maxEventLoopDelayMs: 60_000, maxEventLoopUtilization: 1 } }));
const uploads = upload({
  dir: `${dataDir}/uploads`,
  tmpDir: `${dataDir}/tmp`,
  allowedExtensions: ['.pdf', '.png'],
});
app.post(
  '/avatars',
  rateLimit({ name: 'uploads', limit: 10 }),
  uploads.single('file'),
  (req, res) => res.status(201).json(req.upload),
);
app.get(
  '/orders/:id',
  asyncHandler(async (req, res) => {
    res.json({
      id: req.params.id,
      aborted: req.guard.signal.aborted,
      deadline: req.guard.deadline,
    });
  }),
);
app.get(
  '/boom',
  asyncHandler(async () => {
    throw new Error('db password hunter2 at /srv/app/db.js');
  }),
);
app.use(notFound());
app.use(errorHandler());
const listener = app;
