import { allocateShedding, perCriticality } from '../../src/overload/shed-allocation';
import type { PerCriticality } from '../../src/overload/shed-allocation';

const mixOf = (shares: Partial<PerCriticality>): PerCriticality => ({
  ...perCriticality(0),
  ...shares,
});

describe('allocateShedding', () => {
  it('refuses sheddable first: half of all requests is 62.5 % of an 80 % sheddable share', () => {
    const into = perCriticality(0);
    const refused = allocateShedding(0.5, mixOf({ sheddable: 0.8, critical: 0.2 }), into);
    expect(into.sheddable).toBeCloseTo(0.625);
    expect(into.critical).toBe(0);
    expect(into.critical_plus).toBe(0);
    expect(refused).toBeCloseTo(0.5);
  });

  it('applies the whole share to critical when every request is critical (the default class)', () => {
    const into = perCriticality(0);
    allocateShedding(0.3, mixOf({ critical: 1 }), into);
    expect(into.critical).toBeCloseTo(0.3);
    // No traffic below critical: those classes would be refused in full if they showed up.
    expect(into.sheddable).toBe(1);
    expect(into.sheddable_plus).toBe(1);
    expect(into.critical_plus).toBe(0);
  });

  it('reaches a higher class only after the one below was refused in full at the previous update', () => {
    const mix = mixOf({ sheddable: 0.5, critical: 0.5 });
    const into = perCriticality(0);
    // sheddable was at 0.4: a sudden 0.9 stops at all of sheddable this time...
    into.sheddable = 0.4;
    expect(allocateShedding(0.9, mix, into)).toBeCloseTo(0.5);
    expect(into).toMatchObject({ sheddable: 1, critical: 0 });
    // ...and reaches critical at the next update if it is still needed.
    expect(allocateShedding(0.9, mix, into)).toBeCloseTo(0.9);
    expect(into.critical).toBeCloseTo(0.8);
  });

  it('ignores a class whose share has faded to almost nothing when deciding whose turn it is', () => {
    const into = perCriticality(0);
    allocateShedding(0.5, mixOf({ sheddable: 0.0001, critical: 0.9999 }), into);
    expect(into.critical).toBeGreaterThan(0.49);
  });

  it.each([0, 1e-8])('refuses nothing for a total of %p', (total) => {
    const into = perCriticality(0.5);
    expect(allocateShedding(total, mixOf({ sheddable: 0.5, critical: 0.5 }), into)).toBe(0);
    expect(into).toEqual(perCriticality(0));
  });

  it('refuses everything for a total of 1 once each class had its turn', () => {
    const into = perCriticality(1);
    allocateShedding(1, mixOf({ sheddable: 0.25, critical: 0.5, critical_plus: 0.25 }), into);
    expect(into).toEqual(perCriticality(1));
  });
});
