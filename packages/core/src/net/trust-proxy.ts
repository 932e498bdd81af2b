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

/**
 * How many `X-Forwarded-For` entries the setting takes as written by trusted proxies, when it is a
 * hop count: Express `trust proxy` set to a number, Koa `app.proxy` with `maxIpsCount`. `undefined`
 * for any other setting (no proxy trusted, `true`, or proxies named by address).
 */
export function trustedHops(setting: ProxySetting): number | undefined {
  if (setting.framework === 'express') {
    const { trustProxy } = setting;
    return typeof trustProxy === 'number' && trustProxy > 0 ? trustProxy : undefined;
  }
  return setting.proxy && setting.maxIpsCount > 0 ? setting.maxIpsCount : undefined;
}

/** The number of addresses in an `X-Forwarded-For` value (Node joins repeated headers with commas). */
export function forwardedHops(header: string | readonly string[] | undefined): number {
  if (header === undefined) return 0;
  const value = typeof header === 'string' ? header : header.join(',');
  let hops = 0;
  for (const entry of value.split(',')) if (entry.trim() !== '') hops++;
  return hops;
}

/**
 * Why a request's `X-Forwarded-For` does not fit a hop-count setting, or `undefined` when it does.
 * Behind N proxies that each append the address they saw, a request arrives with N entries; more
 * than N means the client wrote the rest (or more proxies are in front than configured). That is
 * harmless while N proxies really are in front, but a hop count set where no proxy is in front lets
 * every client name its own address, exactly like `trust proxy: true` (express-rate-limit warns on
 * the same sign).
 */
export function untrustedHopsReason(setting: ProxySetting, hops: number): string | undefined {
  const trusted = trustedHops(setting);
  if (trusted === undefined || hops <= trusted) return undefined;
  const name =
    setting.framework === 'express'
      ? `Express "trust proxy" is ${trusted}`
      : `Koa app.maxIpsCount is ${trusted}`;
  return `X-Forwarded-For carried ${hops} addresses but ${name}: the extra ones were written by the client or by a proxy the setting does not count. If fewer proxies than that are in front of the app, clients choose their own rate-limit key; set it to the number of proxies actually in front (none: turn it off).`;
}
