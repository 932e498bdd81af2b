import type { ServerResponse } from 'node:http';

const noop = function (this: ServerResponse) {
  return this;
};
const accepted = (...args: unknown[]): boolean => {
  // Honour a write callback so a handler awaiting it does not hang.
  const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  if (callback) process.nextTick(callback);
  return true;
};

function mute(res: ServerResponse): void {
  // Own properties shadow the prototype's methods on this one response only.
  Object.assign(res, {
    writeHead: noop,
    setHeader: noop,
    appendHeader: noop,
    removeHeader: noop,
    flushHeaders: noop,
    write: accepted,
    end(this: ServerResponse, ...args: unknown[]) {
      accepted(...args);
      return this;
    },
  });
}

/**
 * After a timeout answered the request, a handler that still writes must cause no crash, no
 * "headers already sent" error and no second response: once the answer's `end()` has run, every
 * later write to this response is accepted and dropped.
 */
export function silenceLateWrites(res: ServerResponse): void {
  if (res.writableEnded) {
    mute(res);
    return;
  }
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = function endThenMute(...args: unknown[]) {
    const result = end(...args);
    mute(res);
    return result;
  } as ServerResponse['end'];
}
