import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on 127.0.0.1 with a random port; `close()` also drops kept-alive sockets. */
export interface Listening {
  port: number;
  close: () => Promise<void>;
}

export async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A promise with its resolve function outside, to hold a handler open until the test lets it go. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Resolves once `predicate` holds (it may ask asynchronously, say Redis), checking every few
 * milliseconds; fails the test after `ms`. Wait for the state itself, never a fixed sleep.
 */
export async function until(predicate: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What a raw request saw: the response, or that the connection closed without one. */
export interface RawResult {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Sends a request by hand: `write` is called with the request stream to send (part of) a body and
 * may leave it open; the promise resolves with the response, or with `status: undefined` when the
 * connection closed first.
 */
export function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: OutgoingHttpHeaders },
  write: (send: (chunk: string | Buffer) => boolean | null, end: () => void) => void = (_s, end) =>
    end(),
): Promise<RawResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: RawResult) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(result);
    };
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode, headers: res.headers, body }));
        res.on('error', () => done({ status: res.statusCode, headers: res.headers, body }));
      },
    );
    req.on('error', () => done({ status: undefined, headers: {}, body: '' }));
    req.on('close', () => setImmediate(() => done({ status: undefined, headers: {}, body: '' })));
    write(
      (chunk) => (req.destroyed || settled ? null : req.write(chunk)),
      () => req.end(),
    );
  });
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a GET the test can abandon with `destroy()` (errors from that are expected and ignored). */
export function startRequest(port: number, path: string): ClientRequest {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  req.end();
  return req;
}
