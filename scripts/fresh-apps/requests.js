/* global label, http, crypto, listener, Blob -- defined by the header and the app fragment before this */
// Requests the app must answer as the README says; prints one line per check, throws on the first
// failure. Runs after express-app.js or koa-app.js defined `listener`.
const assert = (ok, what, detail) => {
  if (!ok) throw new Error(`${label}: ${what} (${JSON.stringify(detail)})`);
  console.log(`${label}: ${what}`);
};
const server = http.createServer(listener);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
try {
  let res = await fetch(`${base}/orders/7`);
  let body = await res.json();
  assert(
    res.status === 200 && body.id === '7',
    'a request through guard() reaches the route',
    body,
  );
  assert(
    body.aborted === false && body.deadline > Date.now(),
    'req.guard has a live signal and a deadline',
    body,
  );
  assert(
    res.headers.get('ratelimit') !== null &&
      res.headers.get('x-content-type-options') === 'nosniff',
    'guard() sets RateLimit and security headers',
    Object.fromEntries(res.headers),
  );

  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
    'hex',
  );
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), 'avatar.png');
  res = await fetch(`${base}/avatars`, { method: 'POST', body: form });
  body = await res.json();
  const sha256 = crypto.createHash('sha256').update(png).digest('hex');
  assert(
    res.status === 201 && body.sha256 === sha256 && body.size === png.length,
    'an upload is stored and described',
    body,
  );

  res = await fetch(`${base}/boom`);
  const text = await res.text();
  assert(
    res.status === 500 &&
      /^application\/problem\+json/.test(res.headers.get('content-type')) &&
      JSON.parse(text).errorId &&
      !/hunter2|\/srv\//.test(text),
    'errorHandler answers a bug with problem+json, no secret',
    text,
  );

  res = await fetch(`${base}/nowhere`);
  assert(
    res.status === 404 && /^application\/problem\+json/.test(res.headers.get('content-type')),
    'an unmatched route is a 404 problem+json',
    res.status,
  );
} finally {
  server.close();
}
process.exit(0); // guard()'s sampler and the limiter's timers are unref'd; exit now all the same
