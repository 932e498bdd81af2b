// The static page, read once at start-up and served from memory by both twins (three small files:
// no static-file middleware, so nothing else on disk can ever be served by accident).
import { readFileSync } from 'node:fs';

const asset = (file, type) => ({
  type,
  body: readFileSync(new URL(`./public/${file}`, import.meta.url)),
});

/** URL path → { type, body }. */
export const pageAssets = new Map([
  ['/', asset('index.html', 'text/html; charset=utf-8')],
  ['/page.js', asset('page.js', 'text/javascript; charset=utf-8')],
  ['/page.css', asset('page.css', 'text/css; charset=utf-8')],
]);
