import type { Agent } from 'node:http';
import { request as httpRequest } from 'node:http';

/** One request of a storm: GET /work?ms=…, and after how many ms its client leaves (-1: never). */
export interface StormRequest {
  readonly ms: number;
  readonly abortAfterMs: number;
}

export interface AbortStormOptions {
  readonly port: number;
  /** The client's agent (`false`: a new connection per request). */
  readonly agent: Agent | false;
  readonly requests: number;
  /** Clients in a closed loop, each sending its next request when the last one ends. */
  readonly clients: number;
  /** Seeds the random numbers `plan` draws from, so a storm can be replayed. */
  readonly seed: number;
  /** Picks each request's handler time and whether its client leaves early. */
  plan(random: () => number): StormRequest;
}

/**
 * Sends a storm of GET /work?ms=… requests, some of whose clients leave before the answer, and
 * resolves with how each one ended: its status code, or `aborted`.
 */
export async function abortStorm(options: AbortStormOptions): Promise<Map<string, number>> {
  let seed = options.seed;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const endings = new Map<string, number>();
  const count = (key: string) => endings.set(key, (endings.get(key) ?? 0) + 1);
  const one = () =>
    new Promise<void>((resolve) => {
      const { ms, abortAfterMs } = options.plan(random);
      const req = httpRequest(
        { host: '127.0.0.1', port: options.port, path: `/work?ms=${ms}`, agent: options.agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            count(String(res.statusCode));
            resolve();
          });
          res.on('error', () => resolve());
        },
      );
      req.on('error', () => {
        count('aborted');
        resolve();
      });
      req.end();
      if (abortAfterMs >= 0) setTimeout(() => req.destroy(), abortAfterMs);
    });
  let started = 0;
  const client = async () => {
    while (started < options.requests) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return endings;
}
