import { createDefaultLogger } from '@guard-suite/core/internal';

describe('createDefaultLogger', () => {
  it('writes one JSON line per entry to stdout, with a timestamp, and survives a value JSON cannot encode', async () => {
    const lines: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        lines.push(chunk.toString());
        return true;
      });
    try {
      const logger = createDefaultLogger();
      logger.error('failed', { errorId: 'e-1', status: 500 });
      logger.warn('odd', { big: 10n });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      write.mockRestore();
    }
    const first = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'error', message: 'failed', errorId: 'e-1', status: 500 });
    expect(new Date(first.timestamp as string).getTime()).not.toBeNaN();
    const second = JSON.parse(lines[1] ?? '') as Record<string, unknown>;
    expect(second).toMatchObject({ level: 'warn', message: 'odd' });
    expect(String(second.big)).toBe('10');
  });
});
