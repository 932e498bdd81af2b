import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  AbortedError,
  CircuitOpenError,
  GuardConfigError,
  createRetry,
  createTimeout,
  retry,
  wrap,
} from '../../src/index';

/** A function failing `failures` times before succeeding, recording each attempt. */
function flaky(failures: number, error: () => unknown = () => new Error('transient')) {
  const attempts: number[] = [];
  const fn = ({ attempt }: { attempt: number }) => {
    attempts.push(attempt);
    if (attempts.length <= failures) throw error();
    return Promise.resolve(`ok after ${attempts.length}`);
  };
  return { fn, attempts };
}

describe('retry', () => {
  it('issue 12 item 4: keeps the process alive while it waits to retry, as docs/retry.md says (a script awaiting it does not exit early)', () => {
    // A script with nothing else to do: an unref'd backoff timer would let Node exit before attempt 2.
    const script = `
      const { retry } = require(${JSON.stringify(join(__dirname, '../../dist/index.cjs'))});
      let attempts = 0;
      retry(() => { attempts++; if (attempts < 2) throw new Error('transient'); return 'done'; },
        { retries: 2, baseDelayMs: 50, jitter: 'none' })
        .then((value) => console.log(value, attempts));`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim()).toBe(
      'done 2',
    );
  });

  afterEach(() => jest.useRealTimers());

  it('retries until success, counting attempt from 1', async () => {
    const { fn, attempts } = flaky(2);
    await expect(retry(fn, { retries: 3, baseDelayMs: 0, maxDelayMs: 0 })).resolves.toBe(
      'ok after 3',
    );
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('rethrows the last failure after retries + 1 attempts', async () => {
    let n = 0;
    const fn = () => Promise.reject(new Error(`failure ${++n}`));
    await expect(retry(fn, { retries: 2, baseDelayMs: 0, maxDelayMs: 0 })).rejects.toThrow(
      'failure 3',
    );
  });

  it('waits the exponential delays (fake timers for the arithmetic)', async () => {
    jest.useFakeTimers();
    const delays: number[] = [];
    const { fn } = flaky(3);
    const pending = createRetry({
      retries: 3,
      baseDelayMs: 100,
      maxDelayMs: 250,
      jitter: 'none',
      onRetry: ({ delayMs }) => delays.push(delayMs),
    }).execute(fn);
    await jest.advanceTimersByTimeAsync(100 + 200 + 250);
    await expect(pending).resolves.toBe('ok after 4');
    expect(delays).toEqual([100, 200, 250]);
  });

  it('honours a larger retryAfterSeconds (seconds) on the error', async () => {
    jest.useFakeTimers();
    const delays: number[] = [];
    const { fn, attempts } = flaky(1, () =>
      Object.assign(new Error('slow down'), { retryAfterSeconds: 3 }),
    );
    const pending = retry(fn, {
      retries: 1,
      baseDelayMs: 10,
      jitter: 'none',
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    await jest.advanceTimersByTimeAsync(2999);
    expect(attempts).toEqual([1]);
    await jest.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe('ok after 2');
    expect(delays).toEqual([3000]);
  });

  it("issue 12 item 4: caps a failure's retryAfterSeconds at maxDelayMs by default", async () => {
    jest.useFakeTimers();
    const delays: number[] = [];
    const { fn, attempts } = flaky(1, () =>
      // 30 days: before, this was waited out (up to 24.8 days) whatever maxDelayMs said.
      Object.assign(new Error('come back next month'), { retryAfterSeconds: 30 * 86_400 }),
    );
    const pending = retry(fn, {
      retries: 1,
      baseDelayMs: 10,
      maxDelayMs: 5_000,
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    await jest.advanceTimersByTimeAsync(4_999);
    expect(attempts).toEqual([1]);
    await jest.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe('ok after 2');
    expect(delays).toEqual([5_000]);
  });

  it('issue 12 item 4: waits longer for retryAfterSeconds only as far as maxRetryAfterMs allows', async () => {
    jest.useFakeTimers();
    const delays: number[] = [];
    const asking = (seconds: number) => () =>
      Object.assign(new Error('slow down'), { retryAfterSeconds: seconds });
    const policy = createRetry({
      retries: 1,
      baseDelayMs: 10,
      maxDelayMs: 1_000,
      maxRetryAfterMs: 30_000,
      jitter: 'none',
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    for (const seconds of [20, 3_600]) {
      const pending = policy.execute(flaky(1, asking(seconds)).fn);
      await jest.advanceTimersByTimeAsync(30_000);
      await expect(pending).resolves.toBe('ok after 2');
    }
    expect(delays).toEqual([20_000, 30_000]);
  });

  it('issue 12 item 4: gives up at once, without sleeping, when the wait would pass the deadline', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const onRetry = jest.fn();
    const failure = Object.assign(new Error('busy'), { retryAfterSeconds: 10 });
    const { fn, attempts } = flaky(5, () => failure);
    const pending = retry(fn, {
      retries: 5,
      maxDelayMs: 60_000,
      onRetry,
      deadline: Date.now() + 5_000,
    });
    await expect(pending).rejects.toBe(failure);
    expect(attempts).toEqual([1]);
    expect(onRetry).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('issue 12 item 4: waits when the wait ends before the deadline, and gives up when the next would not', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { fn, attempts } = flaky(5);
    const pending = createRetry({ retries: 5, baseDelayMs: 1_000, jitter: 'none' }).execute(fn, {
      deadline: Date.now() + 2_500,
    });
    const settled = pending.catch((error: unknown) => error);
    // Waits 1 s (ends before the deadline), then would wait 2 s (ends after it): 2 attempts.
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await settled).toMatchObject({ message: 'transient' });
    expect(attempts).toEqual([1, 2]);
  });

  it('issue 12 item 4: hands the deadline through wrap to the retry', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { fn, attempts } = flaky(5);
    // No jitter: a full-jitter draw under 100 ms would start a wait that fake timers never end.
    const policy = wrap(
      createTimeout(10_000),
      createRetry({ retries: 5, baseDelayMs: 5_000, jitter: 'none' }),
    );
    await expect(policy.execute(fn, { deadline: Date.now() + 100 })).rejects.toThrow('transient');
    expect(attempts).toEqual([1]);
  });

  it('stops at once when the signal aborts mid-sleep and leaves no timer', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const { fn, attempts } = flaky(5);
    const pending = retry(fn, {
      retries: 5,
      baseDelayMs: 60_000,
      signal: controller.signal,
      jitter: 'none',
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(jest.getTimerCount()).toBe(1); // the backoff sleep
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(attempts).toEqual([1]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rethrows an abort reason that is an Error as it is', async () => {
    const reason = new Error('client went away');
    await expect(retry(() => 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it.each([
    ['a CircuitOpenError', () => new CircuitOpenError(undefined, { retryAfterSeconds: 5 })],
    [
      'a 404 (status, as http-errors sets it)',
      () => Object.assign(new Error('Not Found'), { status: 404, expose: true }),
    ],
    ['a 429 statusCode', () => Object.assign(new Error('x'), { statusCode: 429 })],
    ['an AbortedError', () => new AbortedError()],
  ])('never retries %s by default', async (_name, error) => {
    const { fn, attempts } = flaky(1, error);
    await expect(retry(fn, { retries: 3, baseDelayMs: 0, maxDelayMs: 0 })).rejects.toBeDefined();
    expect(attempts).toEqual([1]);
  });

  it('retries a 5xx by default and follows a custom retryIf, which never sees a CircuitOpenError', async () => {
    const five = flaky(1, () => Object.assign(new Error('Unavailable'), { status: 503 }));
    await expect(retry(five.fn, { baseDelayMs: 0, maxDelayMs: 0 })).resolves.toBe('ok after 2');
    const retryIf = jest.fn(() => true);
    const open = flaky(1, () => new CircuitOpenError());
    await expect(retry(open.fn, { baseDelayMs: 0, maxDelayMs: 0, retryIf })).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    expect(retryIf).not.toHaveBeenCalled();
    const none = flaky(1);
    await expect(
      retry(none.fn, { baseDelayMs: 0, maxDelayMs: 0, retryIf: () => false }),
    ).rejects.toThrow('transient');
    expect(none.attempts).toEqual([1]);
  });

  it('enforces the retry budget: retries stay within ratio of calls plus minRetries', async () => {
    const policy = createRetry({
      retries: 3,
      baseDelayMs: 0,
      maxDelayMs: 0,
      budget: { ratio: 0.1, minRetries: 5, windowMs: 60_000 },
    });
    let calls = 0;
    const alwaysFails = () => {
      calls++;
      return Promise.reject(new Error('outage'));
    };
    for (let i = 0; i < 100; i++) await policy.execute(alwaysFails).catch(() => {});
    // Without a budget: 400 calls. With it: 100 first attempts and max(5, 10 % of 100) retries.
    expect(calls).toBe(110);
  });

  it.each([
    [{ retries: -1 }, /"retries" must be a non-negative integer/],
    [{ baseDelayMs: NaN }, /"baseDelayMs"/],
    [{ maxDelayMs: Infinity }, /"maxDelayMs"/],
    [{ baseDelayMs: 100, maxDelayMs: 10 }, /"maxDelayMs" must be at least baseDelayMs/],
    [{ maxDelayMs: 1000, maxRetryAfterMs: 999 }, /"maxRetryAfterMs" must be at least maxDelayMs/],
    [{ maxRetryAfterMs: 2 ** 31 }, /"maxRetryAfterMs" must be at most 2147483647/],
    [{ maxRetryAfterMs: NaN }, /"maxRetryAfterMs"/],
    [{ maxRetryAfterMs: '60s' }, /"maxRetryAfterMs"/],
    [{ jitter: 'half' }, /"jitter" must be one of "full", "equal", "none"/],
    [{ retryIf: 'yes' }, /"retryIf" must be a function/],
    [{ budget: { ratio: 0 } }, /"budget.ratio"/],
    [{ budget: { raito: 0.1 } }, /unknown option "budget.raito" \(did you mean "ratio"\?\)/],
    [{ retires: 3 }, /did you mean "retries"/],
    [null, /options must be an object/],
  ])('rejects %p at construction', (options, message) => {
    expect(() => createRetry(options as never)).toThrow(GuardConfigError);
    expect(() => createRetry(options as never)).toThrow(message);
  });
});
