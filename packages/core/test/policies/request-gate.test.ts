import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createConcurrencyLimiter } from '@guard-suite/core';
import type { TimeoutError } from '@guard-suite/core';
import { createRequestGate, GuardState } from '@guard-suite/core/internal';

/** A response as far as the gate sees it: its `close` event and `destroyed`. */
function fakeResponse(): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { destroyed: false }) as unknown as ServerResponse &
    EventEmitter;
}

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
