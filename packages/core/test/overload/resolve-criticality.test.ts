import { GuardConfigError } from '../../src/errors/guard-config-error';
import { createCriticalityResolver } from '../../src/overload/resolve-criticality';
import type { Criticality } from '../../src/overload/criticality';

interface FakeRequest {
  path: string;
}

describe('createCriticalityResolver', () => {
  it('builds nothing when every request is critical (the default), so requests pay nothing', () => {
    expect(createCriticalityResolver('guard', undefined)).toBeUndefined();
    expect(createCriticalityResolver('guard', { trustCriticalityHeader: false })).toBeUndefined();
  });

  it('ignores the Guard-Criticality header unless it is trusted', () => {
    const byRoute = createCriticalityResolver<FakeRequest>('guard', {
      criticality: (req) => (req.path === '/batch' ? 'sheddable' : undefined),
    });
    const headers = { 'guard-criticality': 'critical_plus' };
    expect(byRoute?.({ path: '/batch' }, headers)).toBe('sheddable');
    expect(byRoute?.({ path: '/home' }, headers)).toBe('critical');
  });

  it.each([
    ['critical_plus', 'critical_plus'],
    ['SHEDDABLE-PLUS', 'sheddable_plus'],
    [' sheddable ', 'sheddable'],
    ['urgent', 'critical'],
    [undefined, 'critical'],
  ])('reads a trusted header %p as %p', (header, expected) => {
    const trusted = createCriticalityResolver('guard', { trustCriticalityHeader: true });
    expect(trusted?.({}, header === undefined ? {} : { 'guard-criticality': header })).toBe(
      expected,
    );
  });

  it('asks the callback first, then the trusted header, then falls back to critical', () => {
    const resolve = createCriticalityResolver<FakeRequest>('guard', {
      trustCriticalityHeader: true,
      criticality: (req) =>
        req.path === '/admin' ? 'critical_plus' : (req.path as Criticality | undefined),
    });
    const claim = { 'guard-criticality': 'sheddable' };
    expect(resolve?.({ path: '/admin' }, claim)).toBe('critical_plus');
    // A value that is not a class name is no say at all.
    expect(resolve?.({ path: '/typo' }, claim)).toBe('sheddable');
    expect(resolve?.({ path: '/typo' }, {})).toBe('critical');
  });

  it.each([
    ['criticality', 'sheddable'],
    ['criticality', 3],
    ['trustCriticalityHeader', 'yes'],
    ['trustCriticalityHeader', 1],
  ])('refuses %s = %p at construction', (option, value) => {
    const create = () => createCriticalityResolver('guard', { [option]: value });
    expect(create).toThrow(GuardConfigError);
    expect(create).toThrow(new RegExp(`"${option}"`));
  });
});
