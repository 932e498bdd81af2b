import type { IncomingHttpHeaders } from 'node:http';
import { optionReader } from '../options/option-reader';
import {
  CRITICALITY_HEADER,
  DEFAULT_CRITICALITY,
  isCriticality,
  parseCriticality,
} from './criticality';
import type { Criticality } from './criticality';

/** How `guard()` classifies a request; `TRequest` is `req` (Express) or `ctx` (Koa). */
export interface CriticalityOptions<TRequest> {
  /**
   * The class of a request. Return `undefined` to have no say (the trusted header, then
   * `'critical'`, decide). A value that is not a class name counts as `undefined`. Default: none.
   */
  criticality?: (request: TRequest) => Criticality | undefined;
  /**
   * Honour the `Guard-Criticality` request header. Only for calls from your own services: any
   * client could otherwise claim `critical_plus`. Default `false`.
   */
  trustCriticalityHeader?: boolean;
}

/** Classifies one request: called once per request, before any policy reads the class. */
export type CriticalityResolver<TRequest> = (
  request: TRequest,
  headers: IncomingHttpHeaders,
) => Criticality;

const CRITICALITY_OPTION_KEYS = ['criticality', 'trustCriticalityHeader'] as const;

/**
 * Builds the classifier of `guard({ criticality, trustCriticalityHeader })`, or `undefined` when every
 * request is `'critical'` (the default), so the request path does nothing at all. Order: the
 * `criticality` callback, then the header when trusted, then `'critical'`.
 * @example
 * const classify = createCriticalityResolver('guard', { trustCriticalityHeader: true });
 * state.criticality = classify?.(req, req.headers) ?? 'critical';
 */
export function createCriticalityResolver<TRequest>(
  factory: string,
  options: CriticalityOptions<TRequest> | Record<string, unknown> | undefined,
): CriticalityResolver<TRequest> | undefined {
  const read = optionReader(factory, options, CRITICALITY_OPTION_KEYS);
  const callback =
    read.optionalFunction<(request: TRequest) => Criticality | undefined>('criticality');
  const trustHeader = read.boolean('trustCriticalityHeader', false);
  if (!callback && !trustHeader) return undefined;
  return function resolveCriticality(request, headers) {
    if (callback) {
      const chosen = callback(request);
      if (isCriticality(chosen)) return chosen;
    }
    if (trustHeader) {
      const claimed = parseCriticality(headers[CRITICALITY_HEADER]);
      if (claimed) return claimed;
    }
    return DEFAULT_CRITICALITY;
  };
}
