// Starts the Express demo: PORT (default 3000) on HOST (default 127.0.0.1).
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const server = createApp().listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`express-basic listening on http://${host}:${actual}`);
});
