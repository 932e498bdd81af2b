import {
  classifyError,
  createErrorReporter,
  redact,
  serializeError,
} from '@guard-suite/core/internal';
import { createMemoryLogger, hostileThrownValues } from 'guard-spec';

// Issue 12 #12: each step of the error path is total, so the handler as a whole never throws.
describe('the error path on hostile thrown values', () => {
  it.each(hostileThrownValues)(
    'classifies, serialises and redacts $name without throwing',
    ({ thrown }) => {
      const value = thrown();
      expect(() => classifyError(value)).not.toThrow();
      expect(() => JSON.stringify(serializeError(value))).not.toThrow();
      expect(() => JSON.stringify(redact({ value }))).not.toThrow();
    },
  );

  it.each(hostileThrownValues)(
    'reports $name as a sendable answer and one log entry',
    ({ thrown, status }) => {
      const { logger, entries } = createMemoryLogger();
      const response = createErrorReporter({ logger, debug: true }).report(thrown(), {
        method: 'GET',
        url: '/boom',
      });
      expect(response.status).toBe(status);
      expect(JSON.parse(response.payload)).toMatchObject({
        status,
        errorId: response.body.errorId,
      });
      expect(entries).toHaveLength(1);
    },
  );
});
