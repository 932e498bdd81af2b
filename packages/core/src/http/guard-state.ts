import type { ServerResponse } from 'node:http';
import { AbortedError } from '../errors/aborted-error';
import type { Criticality } from '../overload/criticality';

/**
 * Per-request state handlers reach as `req.guard` (Express) or `ctx.state.guard` (Koa).
 * `signal` aborts at the request deadline and when the client disconnects; it is created on first
 * read, so a request whose handler never looks at it pays for no AbortController and no listener.
 */
export class GuardState {
  /** Epoch milliseconds by which the response must be sent; `Infinity` without a timeout. */
  deadline = Infinity;
  /**
   * The request's class when the server must refuse some (`guard({ criticality })`); load shedding
   * reads `'critical'` while it is not set.
   */
  criticality?: Criticality;
  // Truly private (#): logging or spreading `req.guard` must not carry the response object along.
  #controller: AbortController | undefined;
  #reason: unknown;
  #isAborted = false;
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** Aborts on the request timeout and on client disconnect. */
  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#isAborted) controller.abort(this.#reason);
    else if (this.#res.destroyed && !this.#res.writableFinished) this.abort(disconnected());
    else
      this.#res.once('close', () => {
        // A response that finished was delivered; only an unfinished one means the client left.
        if (!this.#res.writableFinished) this.abort(disconnected());
      });
    return controller.signal;
  }

  /** Aborts the signal (now, or at its creation) with `reason`; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.#isAborted) return;
    this.#isAborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

function disconnected(): AbortedError {
  return new AbortedError('Client disconnected');
}
