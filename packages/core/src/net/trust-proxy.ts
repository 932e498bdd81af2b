/** How the framework decides which address is the client's, as the adapter reads it. */
export type ProxySetting =
  | { framework: 'express'; trustProxy: unknown }
  | { framework: 'koa'; proxy: boolean; maxIpsCount: number };

/**
 * Why a proxy setting lets clients choose their own address, or `undefined` when it does not.
 * Express's `trust proxy: true` and Koa's `app.proxy` without `maxIpsCount` both take the left-most
 * `X-Forwarded-For` entry, which the client writes: every request can claim a fresh address and so
 * a fresh rate-limit bucket. Trusting a hop count or named proxies takes the entry a proxy wrote.
 */
export function spoofableProxyReason(setting: ProxySetting): string | undefined {
  if (setting.framework === 'express') {
    return setting.trustProxy === true
      ? 'Express "trust proxy" is true: req.ip is the left-most X-Forwarded-For entry, which any client can set, so each request can pick its own rate-limit key. Set it to the number of proxies in front of the app (for example 1) or to their addresses.'
      : undefined;
  }
  return setting.proxy && !(setting.maxIpsCount > 0)
    ? 'Koa app.proxy is on without app.maxIpsCount: ctx.ip is the left-most X-Forwarded-For entry, which any client can set, so each request can pick its own rate-limit key. Set app.maxIpsCount to the number of proxies in front of the app.'
    : undefined;
}
