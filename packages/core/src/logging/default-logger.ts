import winston from 'winston';

/** The logger used when none is passed: structured JSON lines on stdout, at `info` and above. */
export function createDefaultLogger(): winston.Logger {
  return winston.createLogger({
    level: 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/** The logger shape the suite needs: winston's, or anything with the same level methods. */
export type GuardLogger = Pick<winston.Logger, 'log' | 'warn' | 'error' | 'info'>;
