import { createRefusalLog, isPolicyRefusal } from '../../src/http/refusal-log';

const shed = {
  code: 'ERR_GUARD_OVERLOADED',
  status: 503,
  reason: 'overloaded',
  retryAfterSeconds: 10,
} as const;
const busy = { code: 'ERR_GUARD_BUSY', status: 503, reason: 'queue_full' } as const;
const queueTimeout = { code: 'ERR_GUARD_BUSY', status: 503, reason: 'queue_timeout' } as const;

function logInto() {
  const lines: { status: number; message: string; entry: Record<string, unknown> }[] = [];
  const log = createRefusalLog({
    intervalMs: 10_000,
    individualCount: 3,
    write: (status, message, entry) => lines.push({ status, message, entry }),
  });
  return { lines, log };
}

describe('createRefusalLog', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('lets the first few of an interval have their own line, then counts all of them once', () => {
    const { lines, log } = logInto();
    const individually = Array.from({ length: 100 }, () => log.count(shed));
    expect(individually.filter(Boolean)).toHaveLength(3);
    expect(individually.slice(0, 3)).toEqual([true, true, true]);
    expect(lines).toHaveLength(0);
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.status).toBe(503);
    expect(lines[0]?.message).toBe(
      '100 requests refused by load_shedding (overloaded) -> 503 ERR_GUARD_OVERLOADED',
    );
    expect(lines[0]?.entry).toEqual({
      policy: 'load_shedding',
      name: 'default',
      reason: 'overloaded',
      status: 503,
      retryAfterSeconds: 10,
      code: 'ERR_GUARD_OVERLOADED',
      count: 100,
      loggedIndividually: 3,
      since: '2026-01-01T00:00:00.000Z',
      intervalMs: 10_000,
    });
  });

  it('keeps one count per policy and reason', () => {
    const { lines, log } = logInto();
    for (let i = 0; i < 5; i++) log.count(busy);
    for (let i = 0; i < 7; i++) log.count(queueTimeout);
    for (let i = 0; i < 4; i++) log.count(shed);
    log.flush();
    expect(lines.map((line) => [line.entry.policy, line.entry.reason, line.entry.count])).toEqual([
      ['concurrency', 'queue_full', 5],
      ['concurrency', 'queue_timeout', 7],
      ['load_shedding', 'overloaded', 4],
    ]);
  });

  it('keys a refusal by the policy and name of its rejection record, when the policy described it', () => {
    const { lines, log } = logInto();
    const limited = {
      code: 'ERR_GUARD_RATE_LIMITED',
      status: 429,
      reason: 'limit_exceeded',
    } as const;
    const record = (policy: 'rate_limit' | 'brute_force', name: string) =>
      ({ policy, name, reason: 'limit_exceeded', status: 429 }) as const;
    for (let i = 0; i < 4; i++) log.count(limited, record('rate_limit', 'api'));
    for (let i = 0; i < 5; i++) log.count(limited, record('brute_force', 'login'));
    for (let i = 0; i < 6; i++) log.count(limited);
    log.flush();
    expect(lines.map((line) => [line.entry.policy, line.entry.name, line.entry.count])).toEqual([
      ['rate_limit', 'api', 4],
      ['rate_limit', 'default', 6],
      ['brute_force', 'login', 5],
    ]);
    expect(lines[2]?.message).toBe(
      '5 requests refused by brute_force "login" (limit_exceeded) -> 429 ERR_GUARD_RATE_LIMITED',
    );
  });

  it('starts each interval afresh: first few again, counts from zero', () => {
    const { lines, log } = logInto();
    for (let i = 0; i < 10; i++) log.count(shed);
    jest.advanceTimersByTime(10_000);
    const again = Array.from({ length: 4 }, () => log.count(shed));
    expect(again).toEqual([true, true, true, false]);
    jest.advanceTimersByTime(10_000);
    expect(lines.map((line) => line.entry.count)).toEqual([10, 4]);
  });

  it('writes no count line when every refusal already had its own line', () => {
    const { lines, log } = logInto();
    log.count(shed);
    log.count(shed);
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(0);
  });

  it('runs its timer only while refusals come, and never keeps the process alive', () => {
    const { log } = logInto();
    expect(jest.getTimerCount()).toBe(0);
    log.count(shed);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(10_000); // the interval with the refusal
    jest.advanceTimersByTime(10_000); // a quiet one: the timer stops
    expect(jest.getTimerCount()).toBe(0);
    log.count(shed);
    expect(jest.getTimerCount()).toBe(1);
    log.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('logs what is pending on close()', () => {
    const { lines, log } = logInto();
    for (let i = 0; i < 8; i++) log.count(busy);
    log.close();
    expect(lines[0]?.entry).toMatchObject({ count: 8, loggedIndividually: 3 });
  });
});

describe('isPolicyRefusal', () => {
  it.each([
    ['a shed request', shed, true],
    ['a full queue', busy, true],
    [
      'a rate limit',
      { code: 'ERR_GUARD_RATE_LIMITED', status: 429, reason: 'limit_exceeded' },
      true,
    ],
    [
      'a request timeout',
      { code: 'ERR_GUARD_TIMEOUT', status: 503, reason: 'deadline_exceeded' },
      true,
    ],
    [
      'an open circuit',
      { code: 'ERR_GUARD_CIRCUIT_OPEN', status: 503, reason: 'circuit_open' },
      true,
    ],
    [
      'a body too large (413)',
      { code: 'ERR_GUARD_PAYLOAD_TOO_LARGE', status: 413, reason: 'payload_too_large' },
      false,
    ],
    ['a 503 without a reason', { code: 'ERR_GUARD_OVERLOADED', status: 503 }, false],
    ['a crash', { code: 'ERR_GUARD_INTERNAL', status: 500 }, false],
    ['an upstream 503', { code: 'ERR_GUARD_SERVICE_UNAVAILABLE', status: 503 }, false],
  ] as const)('%s: %p', (_name, facts, expected) => {
    expect(isPolicyRefusal(facts)).toBe(expected);
  });
});
