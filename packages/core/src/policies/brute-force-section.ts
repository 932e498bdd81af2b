import { clientKey } from '../net/client-key';
import { optionReader } from '../options/option-reader';
import { rejectRequestAsOptions } from '../options/reject-request-as-options';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createAllowedCounter, createRefusalSite } from '../telemetry/refusal';
import { criticalityOf } from '../telemetry/request-facts';
import { createTelemetry } from '../telemetry/telemetry';
import { BRUTE_FORCE_OPTION_KEYS, buildBruteForceProtection } from './brute-force';
import type { BruteForceDecision, BruteForceOptions, BruteForceProtection } from './brute-force';

/** Options of the adapters' `bruteForce()`. */
export interface BruteForceMiddlewareOptions<TRequest> extends BruteForceOptions {
  /**
   * The username an attempt is for. Default: `req.body.username` (Express) /
   * `ctx.request.body.username` (Koa) when it is a string, so mount a body parser first.
   */
  username?: (request: TRequest) => string | undefined;
}

/** The framework-neutral half of `bruteForce()`: the adapters only pass the request and its address. */
export interface BruteForceSection<TRequest> {
  readonly protection: BruteForceProtection;
  /**
   * Decides on an attempt and remembers its (username, address) under `raw` (the node request), so the
   * handler's `reportFailure(req | ctx)` counts exactly what was checked.
   */
  check(
    request: TRequest,
    raw: object,
    address: string | undefined,
  ): BruteForceDecision | Promise<BruteForceDecision>;
  /**
   * Answers a decision: returns when the attempt may go ahead, throws the 429 when it is blocked
   * (described as a `brute_force` refusal, keyed by the address's keyed hash, never the username).
   */
  settle(decision: BruteForceDecision, raw: object, state: object | undefined): void;
  /** Counts a failure for the request `check` saw (`req`, `ctx` or the node request). */
  reportFailure(request: object): Promise<void>;
  /** Clears the consecutive failures for the request `check` saw. */
  reportSuccess(request: object): Promise<void>;
}

interface Attempt {
  username: string | undefined;
  address: string;
}

/** Validates `bruteForce` options and builds the parts both adapters share. */
export function createBruteForceSection<TRequest>(
  factory: string,
  options: BruteForceMiddlewareOptions<TRequest> | undefined,
  defaultUsername: (request: TRequest) => unknown,
): BruteForceSection<TRequest> {
  rejectRequestAsOptions(factory, options);
  const read = optionReader(factory, options, [...BRUTE_FORCE_OPTION_KEYS, 'username']);
  const username =
    read.optionalFunction<(request: TRequest) => unknown>('username') ?? defaultUsername;
  const protection = buildBruteForceProtection(options, factory, ['username']);
  const telemetry = createTelemetry(readMeterProvider(read));
  // Checked by buildBruteForceProtection above.
  const name = read.string('name', 'login');
  const site = createRefusalSite(telemetry, 'brute_force', name);
  const countAllowed = createAllowedCounter(telemetry, name);
  // Keyed by the node request, which lives exactly as long as the request does.
  const attempts = new WeakMap<object, Attempt>();

  const attemptOf = (request: object): Attempt | undefined =>
    attempts.get(request) ?? attempts.get((request as { req?: object }).req ?? request);
  const unknownRequest = () =>
    Promise.reject(
      new Error(`${factory}: report for a request the ${factory}() middleware did not check`),
    );

  return {
    protection,
    check(request, raw, address) {
      const name = username(request);
      const attempt: Attempt = {
        // Only a string names a user; anything else counts against the address alone.
        username: typeof name === 'string' ? name : undefined,
        address: clientKey(address),
      };
      attempts.set(raw, attempt);
      return protection.check(attempt.username, attempt.address);
    },
    settle(decision, raw, state) {
      if (decision.allowed) {
        countAllowed(criticalityOf(state));
        return;
      }
      throw site.refuse(protection.reject(decision), {
        key: attempts.get(raw)?.address,
        criticality: criticalityOf(state),
      });
    },
    reportFailure(request) {
      const attempt = attemptOf(request);
      return attempt
        ? protection.reportFailure(attempt.username, attempt.address)
        : unknownRequest();
    },
    reportSuccess(request) {
      const attempt = attemptOf(request);
      return attempt
        ? protection.reportSuccess(attempt.username, attempt.address)
        : unknownRequest();
    },
  };
}
