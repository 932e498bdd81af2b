import type { PerCriticality } from './shed-allocation';
import { SHED_ORDER, allocateShedding, perCriticality } from './shed-allocation';

/** What the controller is tuned by: the load shedder's resolved thresholds. */
export interface ShedControllerSettings {
  /** The event-loop delay the controller holds under overload, in milliseconds. */
  readonly targetEventLoopDelayMs: number;
  /** Refusals start past this delay (milliseconds), and rise at their fastest above it. */
  readonly maxEventLoopDelayMs: number;
  /** Refusals rise only while the loop is at least this busy (0–1]. */
  readonly maxEventLoopUtilization: number;
  /** Over this heap (bytes) every request is refused. */
  readonly maxHeapUsedBytes: number;
  /** Over this RSS (bytes) every request is refused. */
  readonly maxRssBytes: number;
  /** The nominal time between two updates, in milliseconds. */
  readonly sampleIntervalMs: number;
}

/** One sample of the process, as the load probe takes it. */
export interface LoadMeasurement {
  /** Mean event-loop delay over the interval, in milliseconds. */
  readonly eventLoopDelayMs: number;
  /** Event-loop utilization over the interval, 0–1. */
  readonly eventLoopUtilization: number;
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  /** The time the sample covers, in milliseconds (a late timer makes it longer than nominal). */
  readonly intervalMs?: number | undefined;
  /**
   * The share of loop iterations with requests that brought a new connection, 0–1 (see
   * `createConnectionTurns`): near 1 on a saturated loop, clients wait in the listen queue.
   */
  readonly newConnectionShare?: number | undefined;
  /**
   * The share of the requests reaching `guard()`'s concurrency limit that it refused since the last
   * sample, 0–1 (absent without one): the part of that overload the shedder takes over, cheaply.
   * `0` while most of its arrivals found a free slot: refusals in bursts are no excess demand.
   */
  readonly limitRefusedShare?: number | undefined;
}

/**
 * Decides each class's share of refusals from event-loop delay: a PIE controller (RFC 8033) on the
 * delay, with heap and RSS as hard limits. No timer and no clock of its own: the shedder calls
 * `update()` with each sample, so it runs under a simulated clock as it does in production.
 */
export interface ShedController {
  /**
   * Each class's probability of refusal, 0–1, least important classes first. The same object for
   * the controller's life, rewritten in place by `update()`: the request path reads one entry.
   */
  readonly probabilities: Readonly<PerCriticality>;
  /** The share of all requests to refuse, 0–1 (the PIE drop probability). */
  readonly shedProbability: number;
  /** Whether the process itself is overloaded (event loop, listen queue, heap or RSS). */
  readonly isProcessOverloaded: boolean;
  /** Whether heap or RSS is over its limit (every request is refused). */
  readonly isOverHardLimit: boolean;
  /**
   * Requests seen per class since the last update: the request path adds one to its class, and
   * `update()` turns the counts into the traffic mix the refusals are spread over.
   */
  readonly arrivals: PerCriticality;
  /** Takes one sample into account and recomputes `probabilities`. */
  update(measurement: LoadMeasurement): void;
}

// The tuning, per second so that a late update (a busy loop runs the sampler late) moves as far
// as the updates it stands for. Chosen with the simulator (test/overload/shed-simulation.test.ts);
// docs/load-shedding.md gives the measurements. Unlike PIE's packet drops, a refusal costs CPU and a
// sample can only be taken between two loop iterations, which may each take hundreds of
// milliseconds under overload: hence a gentler integral, limits on each step's size, and no
// auto-tuning (arming at `maxEventLoopDelayMs` already keeps small excursions from refusing).

/** The refused share rises this much per second while the delay is twice its target (PIE's alpha). */
const INTEGRAL_GAIN_PER_SECOND = 0.15;
/** ...and this much at once when the delay grows by one target between two samples (PIE's beta). */
const TREND_GAIN = 0.08;
/** Added per second while the delay is over `maxEventLoopDelayMs` (PIE's 250 ms rule). */
const OVER_MAX_RISE_PER_SECOND = 1;
/** The fastest rise per second, so one wild sample cannot refuse everything (PIE caps its steps too). */
const MAX_RISE_PER_SECOND = 1.5;
/**
 * The fastest fall per second. Without it the trend term throws the share to zero when one drained
 * iteration makes the delay collapse, and the queue refills at once: a cycle of all and nothing.
 */
const MAX_FALL_PER_SECOND = 2;
/**
 * The least the share rises per second while the loop is saturated with clients in the listen
 * queue. Node accepts one connection per loop iteration, so under CPU overload the excess waits in
 * the kernel, unseen, and the delay settles a little over the target however large the overload
 * (the overload benchmark measures 60 ms at 1.5× as at 3×): gains proportional to that small excess
 * would take tens of seconds, while the clients in the listen queue time out.
 */
const BACKLOG_RISE_PER_SECOND = 0.5;
/** A saturated loop where at least this share of iterations accepts a connection has a listen queue. */
const BACKLOG_CONNECTION_SHARE = 0.5;
/** A delay under this share of the target means short iterations: a listen queue drains quickly. */
const WORKING_DELAY_SHARE = 0.1;
/** Samples in a row with a listen queue before refusals start: a server at capacity has short ones. */
const BACKLOG_SAMPLES_TO_ARM = 5;
/**
 * Once calm (the loop under `IDLE_UTILIZATION`, or nobody connecting and iterations short) with the
 * delay under half its target, the share halves this often (ms).
 */
const DECAY_HALF_LIFE_MS = 300;
/**
 * For this long after clients were last seen in the listen queue (ms), while the loop stays near
 * saturation (utilization from `IDLE_UTILIZATION` up), the share falls at most
 * `NEAR_SATURATION_FALL_PER_SECOND`.
 */
const BACKLOG_MEMORY_MS = 3000;
const NEAR_SATURATION_FALL_PER_SECOND = 0.05;
/** Below this utilization the loop idles: the share decays (near saturation it is where it belongs). */
const IDLE_UTILIZATION = 0.8;
/**
 * Refusing at the door for the concurrency limit: the share of its arrivals the limit keeps refusing
 * itself (so its queue keeps standing and it keeps measuring), and how fast the door's share
 * follows the excess per second. A refusal at the door costs a fraction of one that went through
 * the framework to the limit's queue: at 3x the I/O bench's refusals took the whole core.
 */
const DOOR_LIMIT_REFUSED_SHARE = 0.1;
const DOOR_GAIN_PER_SECOND = 2;
/** The door never refuses more than this: the limit must keep seeing the demand it is refusing. */
const MAX_DOOR_SHARE = 0.95;
/**
 * However the delay falls, the share falls no lower than what would fill the loop to this
 * utilization: admitting `1 - share` of the requests kept it `u` busy, so admitting
 * `(1 - share) × FILL_UTILIZATION / u` fills it (refusals cost a little too: the estimate errs on
 * the side of refusing). A drained queue reads as a short delay, and falling at the delay's pace
 * then refills it: on the CPU-bound bench the share swung between 0.4 and 0.9 every two seconds.
 */
const FILL_UTILIZATION = 0.95;
/** While the loop is that full, the share falls at most this much per second. */
const FULL_LOOP_FALL_PER_SECOND = 0.2;
/** ...for this long after the delay was last over its target (ms). */
const FILL_MEMORY_MS = 3000;
/** An update never counts for more than this many nominal intervals. */
const MAX_INTERVALS_PER_UPDATE = 4;
/** Below this share, with the delay under target, the controller disarms: nothing is refused. */
const DISARM_BELOW = 1e-3;
/**
 * The highest utilization that counts as saturated: a saturated loop still measures a sliver of
 * idle time (every iteration polls), so a `maxEventLoopUtilization` above it counts as it.
 */
const SATURATED_UTILIZATION = 0.99;
/** Weight of the newest interval in the traffic mix. */
const MIX_WEIGHT = 0.5;

/** Creates the controller; `settings` are checked by the load shedder's option reader. */
export function createShedController(settings: ShedControllerSettings): ShedController {
  const { targetEventLoopDelayMs: target, maxEventLoopDelayMs: max } = settings;
  const busyUtilization = Math.min(settings.maxEventLoopUtilization, SATURATED_UTILIZATION);
  const probabilities = perCriticality(0);
  const arrivals = perCriticality(0);
  // Until requests are counted, everything is taken for `critical`, the default class.
  const mix = perCriticality(0);
  mix.critical = 1;
  let shedProbability = 0;
  /** The share the process's own overload asks for (the PIE controller's state). */
  let processShare = 0;
  /** The share refused at the door on behalf of the concurrency limit. */
  let doorShare = 0;
  let previousDelayMs = 0;
  let isOverHardLimit = false;

  /** Requests counted in the last update's interval. */
  let lastArrivals = 0;

  function updateMix(): void {
    let total = 0;
    for (const criticality of SHED_ORDER) total += arrivals[criticality];
    lastArrivals = total;
    if (total === 0) return;
    for (const criticality of SHED_ORDER) {
      mix[criticality] += MIX_WEIGHT * (arrivals[criticality] / total - mix[criticality]);
      arrivals[criticality] = 0;
    }
  }

  // Disarmed, nothing is refused until the delay passes `maxEventLoopDelayMs` on a busy loop, or
  // clients are seen waiting in the listen queue; armed, the controller holds the delay at the
  // target until the refused share is back to zero. A server at capacity wanders over its target
  // now and then (a queue at exactly 100 % load has no steady state): those excursions stay under
  // the maximum and refuse nothing.
  let armed = false;
  let previousBusy = false;
  /** Samples in a row with clients in the listen queue. */
  let backloggedSamples = 0;
  let sinceBacklogMs = Infinity;
  let sinceOverTargetMs = Infinity;

  function step(
    delayMs: number,
    utilization: number,
    intervalMs: number,
    newConnectionShare: number | undefined,
  ): number {
    const nominal = MAX_INTERVALS_PER_UPDATE * settings.sampleIntervalMs;
    const seconds = Math.min(intervalMs, nominal) / 1000;
    // Utilization alone is not overload, but a loop with idle time to spare is not overloaded
    // either: a delay spike in a loop that idles (one slow synchronous call, a GC pause) refuses nothing.
    const isBusy = utilization >= busyUtilization;
    const wasBusy = previousBusy;
    previousBusy = isBusy;
    // Clients waiting in the listen queue: a saturated loop accepting a connection almost every turn.
    // Iterations too short to delay anything are draining that queue fast, whatever the utilization
    // says (a loop with connections to accept never waits in poll: it reads fully busy).
    const isWorking = delayMs >= target * WORKING_DELAY_SHARE;
    const isBacklogged =
      isBusy && isWorking && (newConnectionShare ?? 0) >= BACKLOG_CONNECTION_SHARE;
    backloggedSamples = isBacklogged ? backloggedSamples + 1 : 0;
    if (!armed) {
      // Two busy samples in a row, the second over the maximum and not lower than the first: one
      // long synchronous stretch (a big JSON.parse, a slow start) shows as one busy sample after an
      // idle one, and the requests that queued behind it as a delay that falls by itself. Or
      // clients in the listen queue for a few samples in a row.
      const spike = isBusy && wasBusy && delayMs > max && delayMs >= previousDelayMs;
      if (!(spike || backloggedSamples >= BACKLOG_SAMPLES_TO_ARM)) return 0;
      armed = true;
    }
    // Past the maximum the delay tells only "far too much", and its swings (a 2 s iteration, then
    // a drained one) would throw the trend term about: the terms see it capped at the maximum.
    const seen = Math.min(delayMs, max);
    const seenBefore = Math.min(previousDelayMs, max);
    let change =
      INTEGRAL_GAIN_PER_SECOND * ((seen - target) / target) * seconds +
      TREND_GAIN * ((seen - seenBefore) / target);
    // Over the target but falling: the share already drains the queue, which takes a few samples
    // more; raising it further overshoots (and over the maximum, reaches the classes above).
    const isDraining = delayMs > target && delayMs < previousDelayMs;
    if (isDraining) change = Math.min(change, 0);
    else if (delayMs > max) change += OVER_MAX_RISE_PER_SECOND * seconds;
    if (!isBusy) change = Math.min(change, 0);
    // Clients still in the listen queue: keep raising until they are served (see above).
    sinceBacklogMs = isBacklogged ? 0 : sinceBacklogMs + seconds * 1000;
    if (isBacklogged && !isDraining) change = Math.max(change, BACKLOG_RISE_PER_SECOND * seconds);
    else if (
      sinceBacklogMs < BACKLOG_MEMORY_MS &&
      (newConnectionShare ?? 0) > 0 &&
      utilization >= IDLE_UTILIZATION
    )
      // Just out of a listen queue and still near saturation: the share is about where it belongs.
      // Ease off slowly; the delay says nothing here, and falling at its pace refills the queue.
      change = Math.max(change, -NEAR_SATURATION_FALL_PER_SECOND * seconds);
    let next = processShare + Math.min(change, MAX_RISE_PER_SECOND * seconds);
    // Decay once the loop idles, or once nobody connects any more (a burst of connections, such as
    // a closed-loop client starting, is over). Without connection figures: once it has idle time.
    const isCalm =
      newConnectionShare === undefined
        ? !isBusy
        : utilization < IDLE_UTILIZATION || newConnectionShare === 0;
    if (isCalm && delayMs < target / 2) next *= 0.5 ** ((seconds * 1000) / DECAY_HALF_LIFE_MS);
    // A full loop holds the share up (see FILL_UTILIZATION) after a queue the delay showed. A share
    // raised for connections alone (a closed-loop client opening its 50, the delay never over its
    // target) lets go at the delay's pace, as before.
    sinceOverTargetMs = delayMs > target ? 0 : sinceOverTargetMs + seconds * 1000;
    next = Math.max(
      next,
      processShare - MAX_FALL_PER_SECOND * seconds,
      sinceOverTargetMs >= FILL_MEMORY_MS
        ? 0
        : Math.min(
            processShare - FULL_LOOP_FALL_PER_SECOND * seconds,
            1 - (1 - processShare) * (FILL_UTILIZATION / Math.max(utilization, 0.01)),
          ),
    );
    if (next < DISARM_BELOW && delayMs < target) {
      armed = false;
      sinceBacklogMs = sinceOverTargetMs = Infinity;
      return 0;
    }
    return Math.min(1, Math.max(0, next));
  }

  /** Follows the concurrency limit's refusals: up while it refuses more than its share, down below. */
  function stepDoor(limitRefusedShare: number | undefined, seconds: number): number {
    if (limitRefusedShare !== undefined && !Number.isFinite(limitRefusedShare)) return 0;
    // Requests came but none reached the limit (a small limit in front of a slow dependency, or
    // the door taking nearly all): no news, the door stays where it is.
    if (limitRefusedShare === undefined && lastArrivals > 0) return doorShare;
    if (limitRefusedShare === undefined || limitRefusedShare === 0) {
      // The limit refused nothing: it has room, give it its requests back soon.
      const next = doorShare * 0.5 ** ((seconds * 1000) / DECAY_HALF_LIFE_MS);
      return next < DISARM_BELOW ? 0 : next;
    }
    const next =
      doorShare + DOOR_GAIN_PER_SECOND * (limitRefusedShare - DOOR_LIMIT_REFUSED_SHARE) * seconds;
    return Math.min(MAX_DOOR_SHARE, Math.max(0, next));
  }

  return {
    probabilities,
    get shedProbability() {
      return shedProbability;
    },
    get isOverHardLimit() {
      return isOverHardLimit;
    },
    get isProcessOverloaded() {
      return isOverHardLimit || processShare > 0;
    },
    arrivals,
    update(m) {
      updateMix();
      const delayMs = Number.isFinite(m.eventLoopDelayMs) ? Math.max(0, m.eventLoopDelayMs) : 0;
      const intervalMs = m.intervalMs ?? settings.sampleIntervalMs;
      processShare = step(delayMs, m.eventLoopUtilization, intervalMs, m.newConnectionShare);
      const seconds =
        Math.min(intervalMs, MAX_INTERVALS_PER_UPDATE * settings.sampleIntervalMs) / 1000;
      doorShare = stepDoor(m.limitRefusedShare, seconds);
      previousDelayMs = delayMs;
      isOverHardLimit =
        m.heapUsedBytes > settings.maxHeapUsedBytes || m.rssBytes > settings.maxRssBytes;
      if (isOverHardLimit) {
        for (const criticality of SHED_ORDER) probabilities[criticality] = 1;
        shedProbability = 1;
        return;
      }
      shedProbability = allocateShedding(Math.max(processShare, doorShare), mix, probabilities);
      // What a class waiting for its turn could not take is not kept for later (no windup).
      processShare = Math.min(processShare, shedProbability);
      doorShare = Math.min(doorShare, shedProbability);
    },
  };
}
