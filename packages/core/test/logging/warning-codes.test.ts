import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WarningCodes } from '@guard-suite/core';

describe('WarningCodes', () => {
  it('documents every warning code in docs/errors.md, and nothing else', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'errors.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(WARN_GUARD_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.values(WarningCodes).sort());
  });
});
