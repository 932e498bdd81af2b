import { spoofableProxyReason } from '@guard-suite/core/internal';

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
