import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
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

  it('releases the slot as a drop at the request deadline (our own timeout)', () => {
    jest.useFakeTimers();
    try {
      const { limiter, outcomes } = recordingLimiter(true);
      const gate = createRequestGate(limiter, 100);
      const res = fakeResponse();
      expect(gate.enter(res, new GuardState(res), () => undefined)).toBeUndefined();
      jest.advanceTimersByTime(100);
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
