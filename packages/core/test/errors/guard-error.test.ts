import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CircuitOpenError,
  ErrorCodes,
  GuardConfigError,
  GuardError,
  RateLimitError,
  TimeoutError,
  isGuardError,
} from '@guard-suite/core';
import type * as Core from '@guard-suite/core';
import { classifyError } from '@guard-suite/core/internal';

describe('the error model', () => {
  it('carries status, a stable code, a safe message and whole Retry-After seconds', () => {
    const error = new CircuitOpenError(undefined, {
      retryAfterSeconds: 12.1,
      cause: new Error('db down'),
    });
    expect(error).toBeInstanceOf(GuardError);
    expect(error).toMatchObject({
      name: 'CircuitOpenError',
      status: 503,
      code: 'ERR_GUARD_CIRCUIT_OPEN',
      expose: true,
      retryAfterSeconds: 13,
      message: 'Service temporarily unavailable',
    });
    expect((error.cause as Error).message).toBe('db down');
  });

  it('gives a 429 the quota-exceeded problem type', () => {
    expect(new RateLimitError().type).toBe(
      'https://iana.org/assignments/http-problem-types#quota-exceeded',
    );
  });

  it('recognises guard errors from another copy of the package by their registered brand', () => {
    let copy!: typeof Core;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy on purpose
      copy = require('@guard-suite/core') as typeof Core;
    });
    const fromCopy = new copy.TimeoutError();
    expect(fromCopy).not.toBeInstanceOf(GuardError);
    expect(isGuardError(fromCopy)).toBe(true);
    expect(copy.isGuardError(new TimeoutError())).toBe(true);
    expect(isGuardError(new copy.GuardConfigError('x', 'y'))).toBe(true);
    const branded = { [Symbol.for('guard-core.GuardError')]: true, message: 'x' };
    expect(isGuardError(new TimeoutError())).toBe(true);
    expect(isGuardError(branded)).toBe(true);
  });

  it('does not take an ERR_GUARD_ code alone for one of ours (issue 12 #3)', () => {
    const coded = Object.assign(new Error('busy'), { code: 'ERR_GUARD_BUSY', status: 503 });
    expect(isGuardError(coded)).toBe(false);
    expect(isGuardError({ code: 'ERR_GUARD_X', status: 500, message: 'db password' })).toBe(false);
    expect(classifyError(coded)).toMatchObject({ status: 503, code: 'ERR_GUARD_INTERNAL' });
    expect(classifyError(coded).exposedMessage).toBeUndefined();
    expect(isGuardError(Object.assign(new Error('x'), { code: 'ENOENT', status: 404 }))).toBe(
      false,
    );
    expect(isGuardError('ERR_GUARD_BUSY')).toBe(false);
    expect(isGuardError(null)).toBe(false);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(isGuardError(hostile)).toBe(false);
    const noPrototype = new Proxy(new Error('x'), {
      getPrototypeOf() {
        throw new Error('trap');
      },
    });
    expect(isGuardError(noPrototype)).toBe(false);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(isGuardError(proxy)).toBe(false);
  });

  it('makes configuration errors TypeErrors with the invalid-option code', () => {
    const error = new GuardConfigError('rateLimit: "limit" must be …', 'limit');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_GUARD_INVALID_OPTION');
    // Its code is one of the contract's guard codes, so isGuardError recognises it; rendered, it
    // is a generic 500, since its message is for the developer.
    expect(isGuardError(error)).toBe(true);
    expect(classifyError(error)).toMatchObject({ status: 500, code: 'ERR_GUARD_INVALID_OPTION' });
    expect(classifyError(error).exposedMessage).toBeUndefined();
  });

  it('documents every registered code in docs/errors.md, and nothing else', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'errors.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(ERR_GUARD_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.values(ErrorCodes).sort());
  });
});
