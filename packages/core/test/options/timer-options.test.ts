import {
  GuardConfigError,
  createCircuitBreaker,
  createLoadShedder,
  createRetry,
} from '@guard-suite/core';

// setTimeout and setInterval turn a delay over 2^31-1 ms into 1 ms: such options are refused.
describe('options handed to a timer', () => {
  const tooLong = 2 ** 31;
  const fakeRedis = { evalsha() {}, eval() {}, status: 'ready' };

  it.each([
    ['load shedding sampleIntervalMs', () => createLoadShedder({ sampleIntervalMs: tooLong })],
    ['retry maxDelayMs', () => createRetry({ baseDelayMs: 1, maxDelayMs: tooLong })],
    [
      'breaker store timeoutMs',
      () =>
        createCircuitBreaker({
          name: 'db',
          store: { redis: fakeRedis as never, timeoutMs: tooLong },
        }),
    ],
  ])('refuses %s over 2^31-1', (_label, build) => {
    expect(build).toThrow(GuardConfigError);
    expect(build).toThrow(/2147483647/);
  });
});
