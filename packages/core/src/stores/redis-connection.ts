/** ioredis states after a connection was lost; `wait`/`connecting`/`connect` are still starting up. */
const LOST = new Set(['reconnecting', 'close', 'end']);

/**
 * Whether an ioredis client has lost its connection (reconnecting, closed, ended). Commands would
 * then wait in ioredis's offline queue or fail late, so callers fail at once and fall back instead.
 * A client still making its first connection is not lost: its commands queue until it is up.
 */
export function isConnectionLost(client: { readonly status: string }): boolean {
  return LOST.has(client.status);
}
