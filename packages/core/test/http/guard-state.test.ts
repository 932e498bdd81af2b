import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { GuardState } from '../../src/http/guard-state';

/** Just enough of a ServerResponse for GuardState: 'close', destroyed, writableFinished. */
function fakeResponse(): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { destroyed: false, writableFinished: false }) as never;
}

describe('GuardState', () => {
  it('creates no signal and no listener until the signal is read', () => {
    const res = fakeResponse();
    const state = new GuardState(res);
    expect(state.deadline).toBe(Infinity);
    expect(state.criticality).toBe('critical');
    expect(res.listenerCount('close')).toBe(0);
    expect(state.signal.aborted).toBe(false);
    expect(res.listenerCount('close')).toBe(1);
  });

  it('aborts when the response closes unfinished, not when it finished', () => {
    const gone = fakeResponse();
    const goneState = new GuardState(gone);
    const signal = goneState.signal;
    gone.emit('close');
    expect(signal.reason).toMatchObject({ code: 'ERR_GUARD_ABORTED' });

    const done = fakeResponse();
    const doneState = new GuardState(done);
    const kept = doneState.signal;
    Object.assign(done, { writableFinished: true });
    done.emit('close');
    expect(kept.aborted).toBe(false);
  });

  it('hands a signal created after an abort the abort reason', () => {
    const state = new GuardState(fakeResponse());
    const reason = new Error('deadline');
    state.abort(reason);
    state.abort(new Error('second'));
    expect(state.signal.aborted).toBe(true);
    expect(state.signal.reason).toBe(reason);
  });
});
