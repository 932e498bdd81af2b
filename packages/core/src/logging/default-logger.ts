import type winston from 'winston';
import type TransportStream from 'winston-transport';
import { loadOnUse } from '../load-on-use';

const MESSAGE = Symbol.for('message');

interface LoggerParts {
  readonly winston: typeof winston;
  readonly format: () => winston.Logform.Format;
  readonly Transport: new () => TransportStream;
}

/** winston is loaded with the first default logger: an app that passes its own never loads it. */
let parts: LoggerParts | undefined;

function loadParts(): LoggerParts {
  const loaded = loadOnUse('winston') as typeof winston;
  const Base = loadOnUse('winston-transport') as typeof TransportStream;

  /**
   * JSON lines with a timestamp. The suite only logs entries it has already made JSON-safe
   * (redacted, bounded, cycles cut), so plain JSON.stringify serves, at about half the cost of
   * winston's cycle-safe `format.json()` on the error path (bench/error-handler.mjs); a value it
   * cannot encode still falls back to that format.
   */
  const format = loaded.format((info) => {
    const entry = { timestamp: new Date().toISOString(), ...info };
    try {
      (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(entry);
      return info;
    } catch {
      return loaded.format
        .json()
        .transform(Object.assign(info, { timestamp: entry.timestamp }), {});
    }
  });

  /**
   * Writes each finished line straight to process.stdout. winston's own Stream and Console
   * transports also schedule a `setImmediate` per entry to emit 'logged', which nobody listens to
   * here and which costs more than the write itself on the error path (bench/error-handler.mjs).
   */
  class StdoutTransport extends Base {
    override log(info: Record<string | symbol, unknown>, callback: () => void): void {
      process.stdout.write(`${info[MESSAGE] as string}\n`);
      callback();
    }
  }

  return { winston: loaded, format, Transport: StdoutTransport };
}

/** The logger used when none is passed: structured JSON lines on stdout, at `info` and above. */
export function createDefaultLogger(): winston.Logger {
  parts ??= loadParts();
  return parts.winston.createLogger({
    level: 'info',
    format: parts.format(),
    // Straight to process.stdout (winston's Console transport detours through console.log when the
    // global console is replaced, as test runners do).
    transports: [new parts.Transport()],
  });
}

/** The logger shape the suite needs: winston's, or anything with the same level methods. */
export type GuardLogger = Pick<winston.Logger, 'log' | 'warn' | 'error' | 'info'>;
