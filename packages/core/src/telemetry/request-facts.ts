import type { ServerResponse } from 'node:http';
import { isCriticality } from '../overload/criticality';
import type { Criticality } from '../overload/criticality';

/**
 * The class of a request from its per-request state (`req.guard` / `ctx.state.guard`), when the
 * state carries one; `undefined` otherwise (the refusal then says `critical`, every request's default).
 */
export function criticalityOf(state: object | undefined): Criticality | undefined {
  const value = (state as { criticality?: unknown } | undefined)?.criticality;
  return isCriticality(value) ? value : undefined;
}

/** The request header a refusal takes its `requestId` from (the error handler's default too). */
const REQUEST_ID_HEADER = 'x-request-id';

/** The client's `X-Request-Id`, cut to 200 characters, for a rejection record. */
export function requestIdOf(res: ServerResponse | undefined): string | undefined {
  const value = res?.req?.headers[REQUEST_ID_HEADER];
  return typeof value === 'string' && value !== '' ? value.slice(0, 200) : undefined;
}
