import {
  forwardedHops,
  spoofableProxyReason,
  trustedHops,
  untrustedHopsReason,
} from '../../src/net/trust-proxy';

describe('spoofableProxyReason', () => {
  it('flags Express trust proxy true and nothing else', () => {
    expect(spoofableProxyReason({ framework: 'express', trustProxy: true })).toMatch(
      /X-Forwarded-For/,
    );
    for (const trustProxy of [false, undefined, 1, 2, 'loopback', '10.0.0.1', () => true])
      expect(spoofableProxyReason({ framework: 'express', trustProxy })).toBeUndefined();
  });

  it('flags Koa app.proxy without maxIpsCount', () => {
    expect(spoofableProxyReason({ framework: 'koa', proxy: true, maxIpsCount: 0 })).toMatch(
      /maxIpsCount/,
    );
    expect(spoofableProxyReason({ framework: 'koa', proxy: true, maxIpsCount: 1 })).toBeUndefined();
    expect(
      spoofableProxyReason({ framework: 'koa', proxy: false, maxIpsCount: 0 }),
    ).toBeUndefined();
  });
});

describe('issue 12 item 15: X-Forwarded-For hops against a numeric setting', () => {
  const express1 = { framework: 'express', trustProxy: 1 } as const;
  const koa2 = { framework: 'koa', proxy: true, maxIpsCount: 2 } as const;

  it('reads a hop count only from a numeric trust proxy or Koa maxIpsCount', () => {
    expect(trustedHops(express1)).toBe(1);
    expect(trustedHops(koa2)).toBe(2);
    for (const trustProxy of [true, false, 0, 'loopback', () => true])
      expect(trustedHops({ framework: 'express', trustProxy })).toBeUndefined();
    expect(trustedHops({ framework: 'koa', proxy: false, maxIpsCount: 2 })).toBeUndefined();
    expect(trustedHops({ framework: 'koa', proxy: true, maxIpsCount: 0 })).toBeUndefined();
  });

  it.each([
    [undefined, 0],
    ['', 0],
    ['198.51.100.1', 1],
    ['1.1.1.1, 198.51.100.1', 2],
    ['1.1.1.1,,2.2.2.2 , ', 2],
    [['1.1.1.1', '2.2.2.2, 3.3.3.3'], 3],
  ])('counts %j as %i hops', (header, hops) => {
    expect(forwardedHops(header)).toBe(hops);
  });

  it('explains a header with more hops than trusted, and says nothing otherwise', () => {
    expect(untrustedHopsReason(express1, 1)).toBeUndefined();
    expect(untrustedHopsReason(express1, 2)).toMatch(
      /carried 2 addresses but Express "trust proxy" is 1/,
    );
    expect(untrustedHopsReason(koa2, 2)).toBeUndefined();
    expect(untrustedHopsReason(koa2, 3)).toMatch(/Koa app.maxIpsCount is 2/);
    expect(untrustedHopsReason({ framework: 'express', trustProxy: true }, 5)).toBeUndefined();
  });
});
