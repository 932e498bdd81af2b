import { clientKey, readIpv6Subnet } from '../net/client-key';
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
  /** Prefix length, in bits, that keys an IPv6 address, as for `rateLimit`: 32 to 128. Default `64`. */
  ipv6Subnet?: number;
}

/** The framework-neutral half of `bruteForce()`: the adapters only pass the request and its address. */
export interface BruteForceSection<TRequest> {
  readonly protection: BruteForceProtection;
  /**
   * Counts an attempt and decides on it, and remembers its (username, address) under `raw` (the node
   * request), so the handler's `reportSuccess(req | ctx)` clears exactly what was counted.
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
  /** Confirms the failure of the request `check` saw (`req`, `ctx` or the node request); counts nothing more. */
  reportFailure(request: object): Promise<void>;
  /** Clears the consecutive failures for the request `check` saw; a second report does nothing. */
  reportSuccess(request: object): Promise<void>;
}

interface Attempt {
  username: string | undefined;
  address: string;
  /** Whether its outcome was reported: a success gives the attempt back once, never twice. */
  settled: boolean;
}

/** Validates `bruteForce` options and builds the parts both adapters share. */
export function createBruteForceSection<TRequest>(
  factory: string,
  options: BruteForceMiddlewareOptions<TRequest> | undefined,
  defaultUsername: (request: TRequest) => unknown,
): BruteForceSection<TRequest> {
  rejectRequestAsOptions(factory, options);
  const read = optionReader(factory, options, [
    ...BRUTE_FORCE_OPTION_KEYS,
    'username',
    'ipv6Subnet',
  ]);
  const username =
    read.optionalFunction<(request: TRequest) => unknown>('username') ?? defaultUsername;
  const ipv6Subnet = readIpv6Subnet(read);
  const protection = buildBruteForceProtection(options, factory, ['username', 'ipv6Subnet']);
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
      const user = username(request);
      const attempt: Attempt = {
        // Only a string names a user; anything else counts against the address alone.
        username: typeof user === 'string' ? user : undefined,
        address: clientKey(address, ipv6Subnet),
        settled: false,
      };
      attempts.set(raw, attempt);
      // A refused attempt was not counted against the address: there is nothing to give back.
      const settle = (decision: BruteForceDecision) => {
        if (!decision.allowed) attempt.settled = true;
        return decision;
      };
      const decision = protection.check(attempt.username, attempt.address);
      return decision instanceof Promise ? decision.then(settle) : settle(decision);
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
      if (!attempt) return unknownRequest();
      // Counted when checked (issue 12, item 2): a failure only settles the attempt.
      attempt.settled = true;
      return Promise.resolve();
    },
    reportSuccess(request) {
      const attempt = attemptOf(request);
      if (!attempt) return unknownRequest();
      if (attempt.settled) return Promise.resolve();
      attempt.settled = true;
      return protection.reportSuccess(attempt.username, attempt.address);
    },
  };
}
