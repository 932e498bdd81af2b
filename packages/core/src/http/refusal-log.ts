import type { RejectionPolicy, RejectionReason, RejectionRecord } from '../telemetry/rejection';
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
  /**
   * Counts one refusal; true when it is among the first few of its interval (log it on its own
   * line). `record` is the rejection record the refusing policy described it with
   * (`rejectionOf(error)`), when it did: its `policy` and `name` then key the count (a brute-force
   * 429 is `brute_force`, two named rate limits are counted apart); without one, the policy
   * follows from the code.
   */
  count(refusal: RefusalFacts, record?: RejectionRecord): boolean;
  /** Writes the count lines of the interval so far and starts a new interval. */
  flush(): void;
  /** Flushes and stops the interval timer (a later refusal starts it again). */
  close(): void;
}

/** One policy, name and reason's count in the current interval. */
interface Tally {
  readonly policy: RejectionPolicy;
  readonly name: string;
  readonly reason: RejectionReason;
  readonly code: string;
  readonly status: number;
  retryAfterSeconds: number | undefined;
  count: number;
  individually: number;
  since: number;
}

/** Tallies by policy name, and those by policy. */
type ByName = Map<string, Tally>;
type ByPolicy = Map<RejectionPolicy, ByName>;

/**
 * True for a refusal by a policy: a guard error with a reason from the closed list, answered with
 * 429 or 503, from a policy its code names or that described it (`record`). Other errors are
 * logged one line each, as always.
 */
export function isPolicyRefusal(refusal: RefusalFacts, record?: RejectionRecord): boolean {
  return (
    refusal.reason !== undefined &&
    (refusal.status === 429 || refusal.status === 503) &&
    (record !== undefined || refusalPolicyOf(refusal.code) !== undefined)
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
  // By code, reason, policy, then name: map lookups and no string built per refusal.
  const tallies = new Map<string, Map<RejectionReason, ByPolicy>>();
  let timer: NodeJS.Timeout | undefined;

  function tallyOf(
    refusal: RefusalFacts,
    reason: RejectionReason,
    record: RejectionRecord | undefined,
  ): Tally {
    const policy = record?.policy ?? refusalPolicyOf(refusal.code) ?? 'load_shedding';
    const name = record?.name ?? 'default';
    let byReason = tallies.get(refusal.code);
    if (!byReason) tallies.set(refusal.code, (byReason = new Map<RejectionReason, ByPolicy>()));
    let byPolicy = byReason.get(reason);
    if (!byPolicy) byReason.set(reason, (byPolicy = new Map<RejectionPolicy, ByName>()));
    let byName = byPolicy.get(policy);
    if (!byName) byPolicy.set(policy, (byName = new Map<string, Tally>()));
    let tally = byName.get(name);
    if (!tally) {
      tally = {
        policy,
        name,
        reason,
        code: refusal.code,
        status: refusal.status,
        retryAfterSeconds: undefined,
        count: 0,
        individually: 0,
        since: 0,
      };
      byName.set(name, tally);
    }
    return tally;
  }

  function flush(): void {
    let counted = false;
    for (const byReason of tallies.values())
      for (const byPolicy of byReason.values())
        for (const byName of byPolicy.values())
          for (const tally of byName.values()) {
            if (tally.count === 0) continue;
            counted = true;
            // Every refusal was already on a line of its own: a count line would only repeat them.
            if (tally.count > tally.individually) writeCount(tally);
            tally.count = 0;
            tally.individually = 0;
          }
    // A quiet interval: no timer until the next refusal.
    if (!counted) stop();
  }

  function writeCount(tally: Tally): void {
    const intervalMs = Date.now() - tally.since;
    // The fields of a rejection record (telemetry/rejection.ts) that all the counted refusals
    // share, plus the count.
    const entry = {
      policy: tally.policy,
      name: tally.name,
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
      `${tally.count} requests refused by ${tally.policy}${tally.name === 'default' ? '' : ` "${tally.name}"`} (${tally.reason}) -> ${tally.status} ${tally.code}`,
      entry,
    );
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  return {
    count(refusal, record) {
      const reason = refusal.reason as RejectionReason;
      const tally = tallyOf(refusal, reason, record);
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
