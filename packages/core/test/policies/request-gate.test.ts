import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createConcurrencyLimiter } from '@guard-suite/core';
import type { TimeoutError } from '@guard-suite/core';
import { GuardState } from '../../src/http/guard-state';
import type {
  ConcurrencyLimiter,
  Permit,
  PermitOutcome,
} from '../../src/policies/concurrency-limiter';
import { createRequestGate, responseOutcome } from '../../src/policies/request-gate';

/** Just enough of a ServerResponse for the gate: 'close', destroyed, writableFinished, statusCode. */
function fakeResponse(): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), {
    destroyed: false,
    writableFinished: false,
    statusCode: 200,
  }) as never;
}

/** A limiter double that records how each permit was released and what acquire was asked. */
function recordingLimiter(free: boolean) {
  const outcomes: (PermitOutcome | undefined)[] = [];
  const acquired: unknown[][] = [];
  const permit = (): Permit => ({ release: (outcome) => outcomes.push(outcome) });
  const limiter = {
    // What the gate's telemetry reads: the name of its refusals and the limit in force.
    options: { name: 'default' },
    limit: 1,
    tryAcquire: () => (free ? permit() : undefined),
    acquire: (...args: unknown[]) => {
      acquired.push(args);
      return Promise.resolve(permit());
    },
  } as unknown as ConcurrencyLimiter;
  return { limiter, outcomes, acquired };
}

describe('createRequestGate and the adaptive limit', () => {
  it.each([
    ['a finished 200', true, 200, 'success'],
    ['a finished 503 passed on from a dependency', true, 503, 'drop'],
    ['a response the client abandoned', false, 200, 'ignore'],
  ])('reports %s as %s', (_name, finished, status, expected) => {
    const res = Object.assign(fakeResponse(), { writableFinished: finished, statusCode: status });
    expect(responseOutcome(res)).toBe(expected);
  });

  it('releases the slot with the response’s outcome when it closes', () => {
    const { limiter, outcomes } = recordingLimiter(true);
    const gate = createRequestGate(limiter, undefined);
    const res = fakeResponse();
    expect(gate.enter(res, new GuardState(res), () => undefined)).toBeUndefined();
    Object.assign(res, { writableFinished: true, statusCode: 503 });
    res.emit('close');
    expect(outcomes).toEqual(['drop']);
  });

  it('releases the slot as a drop once a response cut at the request deadline closes (our own timeout)', () => {
    jest.useFakeTimers();
    try {
      const { limiter, outcomes } = recordingLimiter(true);
      const gate = createRequestGate(limiter, 100);
      const res = fakeResponse();
      expect(gate.enter(res, new GuardState(res), () => undefined)).toBeUndefined();
      jest.advanceTimersByTime(100);
      expect(outcomes).toEqual([]);
      res.emit('close'); // cut mid-stream: never finished, yet our timeout, not the client, ended it
      expect(outcomes).toEqual(['drop']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('queues a request with its class and its signal', async () => {
    const { limiter, acquired } = recordingLimiter(false);
    const gate = createRequestGate(limiter, undefined);
    const res = fakeResponse();
    const state = new GuardState(res);
    state.criticality = 'sheddable';
    await gate.enter(res, state, () => undefined);
    expect(acquired).toEqual([[state.signal, 'sheddable']]);
  });
});

describe('createRequestGate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds the slot past the deadline until the response really closes (issue 12 #9)', () => {
    const limiter = createConcurrencyLimiter({ max: 1 });
    const gate = createRequestGate(limiter, 100);
    const res = fakeResponse();
    const timedOut: TimeoutError[] = [];
    expect(gate.enter(res, new GuardState(res), (error) => timedOut.push(error))).toBeUndefined();
    jest.advanceTimersByTime(150);
    // The adapter was told (it answers or cuts the response); a body still streaming keeps its slot.
    expect(timedOut).toHaveLength(1);
    expect(limiter.active).toBe(1);
    res.emit('close');
    expect(limiter.active).toBe(0);
    res.emit('close');
    expect(limiter.active).toBe(0);
  });

  it('releases the slot of a response that closed before its deadline, and forgets the deadline', () => {
    const limiter = createConcurrencyLimiter({ max: 1 });
    const gate = createRequestGate(limiter, 100);
    const res = fakeResponse();
    const onTimeout = jest.fn();
    void gate.enter(res, new GuardState(res), onTimeout);
    res.emit('close');
    expect(limiter.active).toBe(0);
    jest.advanceTimersByTime(150);
    expect(onTimeout).not.toHaveBeenCalled();
  });
});
