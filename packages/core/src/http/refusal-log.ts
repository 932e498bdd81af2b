import type { RejectionPolicy, RejectionReason } from '../telemetry/rejection';
import { refusalPolicyOf } from '../telemetry/refusal-policy';

/** What the refusal log needs to know of one refusal (an `ErrorClassification` has it). */
export interface RefusalFacts {
  readonly code: string;
  readonly status: number;
  readonly reason?: RejectionReason | undefined;
  readonly retryAfterSeconds?: number | undefined;
}

/** How the refusal log is tuned and where its lines go. */
export interface RefusalLogSettings {
  /** Length of one counting interval, in milliseconds. */
  readonly intervalMs: number;
  /** How many refusals of each policy and reason get a line of their own per interval. */
  readonly individualCount: number;
  /** Writes one line; must not throw. */
  write(status: number, message: string, entry: Record<string, unknown>): void;
}

/**
 * Counts refusals (shed, busy, rate limited, …) so that a flood of them costs a few log lines, not
 * one each: the first `individualCount` of each policy and reason in an interval are logged on their
 * own line, and at the end of the interval one line gives the count of all of them. Under a 3×
 * overload a line per refusal is thousands of lines a second: the logger would become the attack's
 * amplifier (issue 10).
 */
export interface RefusalLog {
  /** Counts one refusal; true when it is among the first few of its interval (log it on its own line). */
  count(refusal: RefusalFacts): boolean;
  /** Writes the count lines of the interval so far and starts a new interval. */
  flush(): void;
  /** Flushes and stops the interval timer (a later refusal starts it again). */
  close(): void;
}

/** One policy and reason's count in the current interval. */
interface Tally {
  readonly policy: RejectionPolicy;
  readonly reason: RejectionReason;
  readonly code: string;
  readonly status: number;
  retryAfterSeconds: number | undefined;
  count: number;
  individually: number;
  since: number;
}

/**
 * True for a refusal by a policy: a guard error with a reason from the closed list, answered with
 * 429 or 503. Other errors are logged one line each, as always.
 */
export function isPolicyRefusal(refusal: RefusalFacts): boolean {
  return (
    refusal.reason !== undefined &&
    (refusal.status === 429 || refusal.status === 503) &&
    refusalPolicyOf(refusal.code) !== undefined
  );
}

/**
 * Creates the refusal log of one error handler. Its timer is unref'd and runs only while there
 * are refusals to report: an interval without any stops it.
 * @example
 * const refusals = createRefusalLog({ intervalMs: 10_000, individualCount: 5, write });
 * if (refusals.count(classification)) logTheUsualLine();
 */
export function createRefusalLog(settings: RefusalLogSettings): RefusalLog {
  // By code, then reason: two map lookups and no string built per refusal.
  const tallies = new Map<string, Map<RejectionReason, Tally>>();
  let timer: NodeJS.Timeout | undefined;

  function tallyOf(refusal: RefusalFacts, reason: RejectionReason): Tally {
    let byReason = tallies.get(refusal.code);
    if (!byReason) tallies.set(refusal.code, (byReason = new Map<RejectionReason, Tally>()));
    let tally = byReason.get(reason);
    if (!tally) {
      tally = {
        policy: refusalPolicyOf(refusal.code) ?? 'load_shedding',
        reason,
        code: refusal.code,
        status: refusal.status,
        retryAfterSeconds: undefined,
        count: 0,
        individually: 0,
        since: 0,
      };
      byReason.set(reason, tally);
    }
    return tally;
  }

  function flush(): void {
    let counted = false;
    for (const byReason of tallies.values()) {
      for (const tally of byReason.values()) {
        if (tally.count === 0) continue;
        counted = true;
        // Every refusal was already on a line of its own: a count line would only repeat them.
        if (tally.count > tally.individually) writeCount(tally);
        tally.count = 0;
        tally.individually = 0;
      }
    }
    // A quiet interval: no timer until the next refusal.
    if (!counted) stop();
  }

  function writeCount(tally: Tally): void {
    const intervalMs = Date.now() - tally.since;
    // The fields of a rejection record (telemetry/rejection.ts), plus the count.
    const entry = {
      policy: tally.policy,
      name: 'default',
      reason: tally.reason,
      status: tally.status,
      ...(tally.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: tally.retryAfterSeconds }),
      code: tally.code,
      count: tally.count,
      loggedIndividually: tally.individually,
      since: new Date(tally.since).toISOString(),
      intervalMs,
    };
    settings.write(
      tally.status,
      `${tally.count} requests refused by ${tally.policy} (${tally.reason}) -> ${tally.status} ${tally.code}`,
      entry,
    );
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  return {
    count(refusal) {
      const reason = refusal.reason as RejectionReason;
      const tally = tallyOf(refusal, reason);
      if (tally.count === 0) tally.since = Date.now();
      tally.count++;
      if (refusal.retryAfterSeconds !== undefined)
        tally.retryAfterSeconds = Math.max(0, Math.ceil(refusal.retryAfterSeconds));
      if (timer === undefined) {
        timer = setInterval(flush, settings.intervalMs);
        timer.unref();
      }
      if (tally.individually >= settings.individualCount) return false;
      tally.individually++;
      return true;
    },
    flush,
    close() {
      flush();
      stop();
    },
  };
}
