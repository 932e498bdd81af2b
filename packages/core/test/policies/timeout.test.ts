import {
  AbortedError,
  GuardConfigError,
  TimeoutError,
  createTimeout,
  withTimeout,
} from '../../src/index';

describe('createTimeout / withTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves with the value and leaves no timer behind', async () => {
    jest.useFakeTimers();
    const pending = createTimeout(10_000).execute(() => Promise.resolve('later'));
    expect(jest.getTimerCount()).toBe(1);
    await expect(pending).resolves.toBe('later');
    await expect(withTimeout(() => 'done', 10_000)).resolves.toBe('done');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves no timer or listener on the caller signal after a failure', async () => {
    jest.useFakeTimers();
    const caller = new AbortController();
    const add = jest.spyOn(caller.signal, 'addEventListener');
    const remove = jest.spyOn(caller.signal, 'removeEventListener');
    await expect(
      withTimeout(() => Promise.reject(new Error('x')), 10_000, { signal: caller.signal }),
    ).rejects.toThrow('x');
    expect(jest.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0]?.[1]);
  });

  it('rejects with TimeoutError at the deadline and aborts the signal handed to fn', async () => {
    let seen: AbortSignal | undefined;
    const error = await withTimeout(({ signal }) => {
      seen = signal;
      return new Promise(() => {});
    }, 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ status: 503, code: 'ERR_GUARD_TIMEOUT' });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it('rejects with the caller abort and aborts the inner signal', async () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const pending = createTimeout(10_000).execute(
      ({ signal }) => {
        seen = signal;
        return new Promise(() => {});
      },
      { signal: caller.signal },
    );
    caller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(seen?.aborted).toBe(true);
  });

  it('never calls fn when the caller already aborted', async () => {
    const fn = jest.fn();
    await expect(withTimeout(fn, 100, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(fn).not.toHaveBeenCalled();
  });

  it('passes a synchronous throw and a rejection through unchanged', async () => {
    const boom = new Error('boom');
    await expect(
      withTimeout(() => {
        throw boom;
      }, 100),
    ).rejects.toBe(boom);
    await expect(withTimeout(() => Promise.reject(boom), 100)).rejects.toBe(boom);
  });

  // 2^31 ms and more: setTimeout would fire after 1 ms, timing every call out at once.
  it.each([0, -1, -0, 1.5, NaN, Infinity, -Infinity, '100', null, {}, [], 2 ** 31, 3e9])(
    'rejects the deadline %p at construction',
    (ms) => {
      expect(() => createTimeout(ms as number)).toThrow(GuardConfigError);
      expect(() => createTimeout(ms as number)).toThrow(
        /createTimeout: "ms" must be a positive integer/,
      );
    },
  );
});
