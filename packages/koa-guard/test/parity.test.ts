import * as expressGuard from '@guard-suite/express-guard';
import * as koaGuard from '../src/index';

// Both adapters export the same names, so switching frameworks never changes an import.
describe('adapter parity', () => {
  const frameworkOnly = new Set(['notFound', 'asyncHandler']); // Express-only (CONTRACT.md)
  it('exports the same names from express-guard and koa-guard', () => {
    const express = Object.keys(expressGuard)
      .filter((name) => !frameworkOnly.has(name))
      .sort();
    expect(Object.keys(koaGuard).sort()).toEqual(express);
  });

  it.each([
    'guard',
    'securityHeaders',
    'loadShedding',
    'concurrencyLimit',
    'timeout',
    'inputLimits',
    'jsonBody',
    'validate',
    'hardenServer',
    'errorHandler',
  ])('exports %s as a function from both', (name) => {
    expect(typeof (expressGuard as Record<string, unknown>)[name]).toBe('function');
    expect(typeof (koaGuard as Record<string, unknown>)[name]).toBe('function');
  });
});
