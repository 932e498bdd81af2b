import { createAimdLimit } from '../../src/overload/aimd-limit';
import { windowOf } from './window-sample';

describe('createAimdLimit', () => {
  const aimd = createAimdLimit({ backoffRatio: 0.9, timeoutMs: 5000 });

  it('multiplies the limit by backoffRatio on a drop or a window slower than timeoutMs (Netflix)', () => {
    expect(aimd.update(windowOf({ drops: 1 }), 20)).toBeCloseTo(18);
    expect(aimd.update(windowOf({ rttMs: 6000 }), 20)).toBeCloseTo(18);
  });

  it('adds one while at least half the limit is in use, and holds otherwise', () => {
    expect(aimd.update(windowOf({ maxInflight: 10 }), 20)).toBe(21);
    expect(aimd.update(windowOf({ maxInflight: 9 }), 20)).toBe(20);
  });
});
