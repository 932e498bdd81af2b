import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Part } from './multipart';
import { multipart } from './multipart';

/** Polls `check` until it holds (bounded), for cleanups that finish after the client is gone. */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Entries of a folder (empty when it does not exist). */
export function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Open file descriptors of this process. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Starts the server on an ephemeral loopback port. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes the server and every connection it still holds. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Posts hand-built multipart parts. */
export function post(server: Server, path: string, parts: readonly Part[]) {
  const { body, contentType } = multipart(parts);
  return request(server).post(path).set('content-type', contentType).send(body);
}

/**
 * Sends the first `sendBytes` of a body announced in full by Content-Length, waits for `until` (for
 * example a temp file appearing), then disconnects: a client that gives up mid-upload.
 */
export async function sendPartThenDisconnect(
  port: number,
  path: string,
  body: Buffer,
  contentType: string,
  sendBytes: number,
  until: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    headers: { 'content-type': contentType, 'content-length': String(body.length) },
  });
  req.on('error', () => undefined);
  await new Promise<void>((resolve) => req.write(body.subarray(0, sendBytes), () => resolve()));
  await until();
  req.destroy();
}
