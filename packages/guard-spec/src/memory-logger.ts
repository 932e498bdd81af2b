import { Writable } from 'node:stream';
import winston from 'winston';

/** A real winston logger that keeps its JSON entries in memory, so tests can read the log. */
export interface MemoryLogger {
  logger: winston.Logger;
  entries: Record<string, unknown>[];
}

export function createMemoryLogger(level = 'debug'): MemoryLogger {
  const entries: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) entries.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = winston.createLogger({
    level,
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, entries };
}
