import type { Context, Next } from 'koa';
import { silenceLateWrites } from '@guard-suite/core/internal';
import type { TimeoutError } from '@guard-suite/core';
import type { RequestGate } from '@guard-suite/core/internal';
import { cutResponse, reportLateError } from './late-request';
import { guardStateOf } from './step';

const ignore = () => undefined;

/** Contexts whose chain was abandoned at its deadline (the handler may still be running). */
const abandoned = new WeakSet<Context>();

/**
 * Whether the chain of `ctx` was abandoned at its deadline. Its handler may still set `ctx.body`
 * before Koa responds, so the error handler sends the timeout answer at once instead.
 */
export function wasAbandoned(ctx: Context): boolean {
  return abandoned.has(ctx);
}

/**
 * Takes the request through the gate (concurrency slot, then deadline) and runs the rest of the
 * chain. At the deadline the chain's promise is abandoned for a TimeoutError that the error handler
 * answers; whatever the handler writes later is dropped, and an error it raises later is logged once
 * (issue 12 #8). One promise settled by whichever comes first, rather than a race of two: this runs
 * on every request.
 */
export function admitAndRun(gate: RequestGate, ctx: Context, next: Next): Promise<void> {
  if (!gate.hasDeadline) {
    const pending = gate.enter(ctx.res, guardStateOf(ctx), ignore);
    return pending === undefined ? next() : pending.then(next);
  }
  return new Promise<void>((resolve, reject) => {
    let isChainDone = false;
    const onTimeout = (error: TimeoutError) => {
      if (ctx.res.writableEnded) return; // answered just in time; 'close' has not fired yet
      // The chain returned but the response is still going out: a streamed body.
      if (isChainDone) {
        cutResponse(ctx, error);
        return;
      }
      // A handler that took over the raw response (`ctx.respond = false`) but sent nothing yet
      // must still let the 503 out.
      if (!ctx.res.headersSent) ctx.respond = true;
      silenceLateWrites(ctx.res);
      abandoned.add(ctx);
      reject(error);
    };
    const run = () =>
      next().then(
        () => {
          isChainDone = true;
          resolve();
        },
        (error: unknown) => {
          if (abandoned.has(ctx)) reportLateError(ctx, error);
          // What the chain threw goes on unchanged, whatever it is.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          else reject(error);
        },
      );
    const pending = gate.enter(ctx.res, guardStateOf(ctx), onTimeout);
    if (pending === undefined) void run();
    else pending.then(run, reject);
  });
}
