import type { Context, Next } from 'koa';
import { silenceLateWrites } from 'guard-core';
import type { RequestGate, TimeoutError } from 'guard-core';
import { guardStateOf } from './step';

const ignore = () => undefined;

/**
 * Takes the request through the gate (concurrency slot, then deadline) and runs the rest of the
 * chain. At the deadline the chain's promise is abandoned for a TimeoutError that the error handler
 * answers; whatever the handler does later is dropped (its rejection is observed by the race).
 */
export async function admitAndRun(
  gate: RequestGate,
  hasTimeout: boolean,
  ctx: Context,
  next: Next,
): Promise<void> {
  let onTimeout: (error: TimeoutError) => void = ignore;
  const timedOut = hasTimeout
    ? new Promise<never>((_, reject) => {
        onTimeout = (error) => {
          if (ctx.res.writableEnded) return; // answered just in time; 'close' has not fired yet
          // A handler that took over the raw response (`ctx.respond = false`) but sent nothing yet
          // must still let the 503 out.
          if (!ctx.res.headersSent) ctx.respond = true;
          silenceLateWrites(ctx.res);
          reject(error);
        };
      })
    : undefined;
  const pending = gate.enter(ctx.res, guardStateOf(ctx), (error) => onTimeout(error));
  if (pending !== undefined) await pending;
  if (timedOut === undefined) {
    await next();
    return;
  }
  await Promise.race([next(), timedOut]);
}
