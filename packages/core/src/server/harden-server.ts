import type { Server } from 'node:http';
import { optionReader } from '../options/option-reader';

/** Options of `hardenServer`. Each default is the safe value applied when left out. */
export interface HardenServerOptions {
  /** Time a client has to send the complete request headers, in milliseconds. Default `10000`. */
  headersTimeoutMs?: number;
  /** Time a client has to send the complete request (headers and body), in milliseconds. Default `30000`. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open, in milliseconds. Default `5000`. */
  keepAliveTimeoutMs?: number;
  /** Most request headers parsed; the rest are ignored. Default `100`. */
  maxHeadersCount?: number;
  /** Most requests served over one keep-alive connection. Default `1000`. */
  maxRequestsPerSocket?: number;
}

/** What `hardenServer` applied. */
export type ResolvedHardenServerOptions = Readonly<Required<HardenServerOptions>>;

const KNOWN_OPTIONS = [
  'headersTimeoutMs',
  'requestTimeoutMs',
  'keepAliveTimeoutMs',
  'maxHeadersCount',
  'maxRequestsPerSocket',
] as const;

/**
 * Sets safe connection limits on a node:http (or https) server, so a slowloris client that dribbles
 * its headers is disconnected after `headersTimeoutMs`. Call it before `listen()`: Node checks the
 * header and request timeouts on an interval it sets up when the server starts listening, and this
 * also shortens that interval to match. Returns the values applied.
 * @example hardenServer(http.createServer(app), { headersTimeoutMs: 10_000 }).listen(3000);
 */
export function hardenServer<TServer extends Server>(
  server: TServer,
  options: HardenServerOptions = {},
): TServer {
  applyHardening(server, options);
  return server;
}

/** Resolves and applies the options; exposed for tests and for callers that want the values. */
export function applyHardening(server: Server, options: unknown): ResolvedHardenServerOptions {
  const read = optionReader('hardenServer', options, KNOWN_OPTIONS);
  const resolved = Object.freeze({
    headersTimeoutMs: read.positiveInteger('headersTimeoutMs', 10_000, 'milliseconds'),
    requestTimeoutMs: read.positiveInteger('requestTimeoutMs', 30_000, 'milliseconds'),
    keepAliveTimeoutMs: read.positiveInteger('keepAliveTimeoutMs', 5_000, 'milliseconds'),
    maxHeadersCount: read.positiveInteger('maxHeadersCount', 100, 'headers'),
    maxRequestsPerSocket: read.positiveInteger('maxRequestsPerSocket', 1000, 'requests'),
  });
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs)
    read.fail(
      'headersTimeoutMs',
      `at most "requestTimeoutMs" (${resolved.requestTimeoutMs})`,
      resolved.headersTimeoutMs,
    );
  if (typeof (server as Partial<Server>).listen !== 'function')
    read.fail('server', 'a node:http Server', server);
  server.headersTimeout = resolved.headersTimeoutMs;
  server.requestTimeout = resolved.requestTimeoutMs;
  server.keepAliveTimeout = resolved.keepAliveTimeoutMs;
  server.maxHeadersCount = resolved.maxHeadersCount;
  server.maxRequestsPerSocket = resolved.maxRequestsPerSocket;
  // Node enforces the two timeouts only when its connection check runs (every 30 s by default);
  // check often enough that a slow client is dropped close to the configured time.
  const interval = Math.max(
    250,
    Math.min(resolved.headersTimeoutMs, resolved.requestTimeoutMs) / 4,
  );
  const tracked = server as Server & { connectionsCheckingInterval?: number };
  if ((tracked.connectionsCheckingInterval ?? Infinity) > interval)
    tracked.connectionsCheckingInterval = Math.floor(interval);
  return resolved;
}
