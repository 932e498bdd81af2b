import { GuardError, InvalidInputError, RateLimitError } from '@guard-suite/core';

/** The brand every copy of guard-core puts on its errors (a registered symbol). */
const BRAND = Symbol.for('guard-core.GuardError');

/** A thrown value built to break the error handler, and the status the client must still get. */
export interface HostileThrownValue {
  name: string;
  thrown: () => unknown;
  status: number;
  /** Response headers that must not appear (an injected or untrusted header). */
  absentHeaders?: readonly string[];
}

const explode = (what: string) => () => {
  throw new Error(`${what} trap exploded at /srv/app/trap.js`);
};

/** A Proxy whose every trap throws. */
function allTrapsThrow(): object {
  return new Proxy(
    {},
    {
      get: explode('get'),
      has: explode('has'),
      ownKeys: explode('ownKeys'),
      getOwnPropertyDescriptor: explode('getOwnPropertyDescriptor'),
      getPrototypeOf: explode('getPrototypeOf'),
      defineProperty: explode('defineProperty'),
      set: explode('set'),
    },
  );
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Looks like a guard error from another copy of the package (it carries the brand). */
function branded(fields: Record<string, unknown>): object {
  const message = typeof fields.message === 'string' ? fields.message : 'branded';
  return Object.assign(new Error(message), { [BRAND]: true }, fields);
}

/**
 * Issue 12 #12: values that made the error handler throw (Express then showed its HTML stack page,
 * Koa reset the connection). Whatever is thrown, the client gets problem+json and the log one entry.
 */
export const hostileThrownValues: readonly HostileThrownValue[] = [
  {
    name: 'a Proxy whose getPrototypeOf trap throws',
    thrown: () => new Proxy(new Error('x'), { getPrototypeOf: explode('getPrototypeOf') }),
    status: 500,
  },
  { name: 'a Proxy whose every trap throws', thrown: allTrapsThrow, status: 500 },
  { name: 'a revoked Proxy', thrown: revokedProxy, status: 500 },
  {
    name: 'a guard-like error (no brand) with CR/LF in a header value',
    thrown: () =>
      Object.assign(new Error('x'), {
        code: 'ERR_GUARD_RATE_LIMITED',
        status: 500,
        headers: { RateLimit: 'x\r\nSet-Cookie: sid=attacker' },
      }),
    status: 500,
    absentHeaders: ['set-cookie', 'ratelimit'],
  },
  {
    name: 'a branded error with CR/LF in a header value',
    thrown: () =>
      branded({
        code: 'ERR_GUARD_RATE_LIMITED',
        status: 429,
        message: 'Too many requests',
        headers: { RateLimit: 'x\r\nSet-Cookie: sid=attacker', 'Bad Name\n': 'v' },
      }),
    status: 429,
    absentHeaders: ['set-cookie', 'ratelimit'],
  },
  {
    name: 'a branded error whose headers object is a throwing Proxy',
    thrown: () => branded({ code: 'ERR_GUARD_BUSY', status: 503, headers: allTrapsThrow() }),
    status: 503,
  },
  {
    name: 'a GuardError with a BigInt in its extensions',
    thrown: () => new InvalidInputError(undefined, { extensions: { count: 10n } }),
    status: 400,
  },
  {
    name: 'a GuardError whose extension has a toJSON that throws',
    thrown: () =>
      new InvalidInputError(undefined, { extensions: { bad: { toJSON: explode('toJSON') } } }),
    status: 400,
  },
  {
    name: 'a GuardError whose extensions getter throws',
    thrown: () =>
      Object.defineProperty(new RateLimitError(), 'extensions', { get: explode('extensions') }),
    status: 429,
  },
  {
    name: 'a GuardError with a circular extension',
    thrown: () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      return new InvalidInputError(undefined, { extensions: { loop } });
    },
    status: 400,
  },
  {
    name: 'a GuardError with a 10 MB message',
    thrown: () => new InvalidInputError('x'.repeat(10 * 1024 * 1024)),
    status: 400,
  },
  {
    name: 'a branded error whose status getter throws',
    thrown: () =>
      Object.defineProperty(branded({ code: 'ERR_GUARD_BUSY' }), 'status', {
        get: explode('status'),
      }),
    status: 500,
  },
  {
    name: 'a branded error whose code is an object with a throwing toString',
    thrown: () => branded({ code: { toString: explode('toString') }, status: 503 }),
    status: 503,
  },
  {
    name: 'a branded error with a BigInt status',
    thrown: () => branded({ code: 'ERR_GUARD_BUSY', status: 503n }),
    status: 500,
  },
  {
    name: 'a GuardError whose retryAfterSeconds is a huge number',
    thrown: () =>
      Object.defineProperty(new RateLimitError(), 'retryAfterSeconds', { value: 1e308 }),
    status: 429,
  },
  {
    name: 'an http-errors-like 400 with an injected header',
    thrown: () =>
      Object.assign(new Error('bad'), {
        status: 400,
        expose: true,
        headers: { 'X-Evil': 'a\r\nSet-Cookie: sid=attacker' },
      }),
    status: 400,
    absentHeaders: ['set-cookie', 'x-evil'],
  },
  { name: 'a Symbol', thrown: () => Symbol('thrown'), status: 500 },
  { name: 'a BigInt', thrown: () => 12345678901234567890n, status: 500 },
  { name: 'a function', thrown: () => () => 'thrown', status: 500 },
  {
    name: 'an object whose Symbol.toPrimitive and toString throw',
    thrown: () => ({ [Symbol.toPrimitive]: explode('toPrimitive'), toString: explode('toString') }),
    status: 500,
  },
  {
    name: 'an object without a prototype',
    thrown: () => Object.assign(Object.create(null) as object, { message: 'no proto' }),
    status: 500,
  },
  {
    name: 'an Error whose cause chain loops',
    thrown: () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      (a as { cause?: unknown }).cause = b;
      return a;
    },
    status: 500,
  },
  {
    name: 'a GuardError subclass whose name getter throws',
    thrown: () =>
      Object.defineProperty(
        new GuardError('x', { status: 500, code: 'ERR_GUARD_INTERNAL', expose: false }),
        'name',
        { get: explode('name') },
      ),
    status: 500,
  },
];
