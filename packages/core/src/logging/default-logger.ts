import winston from 'winston';
import TransportStream from 'winston-transport';

const MESSAGE = Symbol.for('message');

/**
 * JSON lines with a timestamp. The suite only logs entries it has already made JSON-safe (redacted,
 * bounded, cycles cut), so plain JSON.stringify serves, at about half the cost of winston's
 * cycle-safe `format.json()` on the error path (bench/error-handler.mjs); a value it cannot encode
 * still falls back to that format.
 */
const fastJson = winston.format((info) => {
  const entry = { timestamp: new Date().toISOString(), ...info };
  try {
    (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(entry);
    return info;
  } catch {
    return winston.format.json().transform(Object.assign(info, { timestamp: entry.timestamp }), {});
  }
});

/**
 * Writes each finished line straight to process.stdout. winston's own Stream and Console transports
 * also schedule a `setImmediate` per entry to emit 'logged', which nobody listens to here and which
 * costs more than the write itself on the error path (bench/error-handler.mjs).
 */
class StdoutTransport extends TransportStream {
  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    process.stdout.write(`${info[MESSAGE] as string}\n`);
    callback();
  }
}

/** The logger used when none is passed: structured JSON lines on stdout, at `info` and above. */
export function createDefaultLogger(): winston.Logger {
  return winston.createLogger({
    level: 'info',
    format: fastJson(),
    // Straight to process.stdout (winston's Console transport detours through console.log when the
    // global console is replaced, as test runners do).
    transports: [new StdoutTransport()],
  });
}

/** The logger shape the suite needs: winston's, or anything with the same level methods. */
export type GuardLogger = Pick<winston.Logger, 'log' | 'warn' | 'error' | 'info'>;
