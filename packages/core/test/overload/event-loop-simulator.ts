import type { Criticality } from '../../src/overload/criticality';
import type { LoadMeasurement } from '../../src/overload/shed-controller';

/**
 * A deterministic model of a Node server on one core, to judge the load shedder without real load:
 * a fake clock, no timers. What it models, and why it matters to the shedder:
 *
 * - Open-loop Poisson arrivals (they do not slow down when the server does), each client giving up
 *   after `deadlineMs`; a request the server reaches after that is still processed (Node cannot
 *   tell), and only counts as a timeout.
 * - The event loop: each iteration first runs the timers that are due (in due order, re-armed from
 *   the time they ran, as libuv does), then takes every request that arrived before it started (up
 *   to libuv's 1024 events a poll) and runs them one after the other. A request that arrives during
 *   an iteration waits for the next one, which is what the event-loop delay measures.
 * - perf_hooks' delay histogram: a 10 ms timer recording the time between its runs, read (mean,
 *   less the period) and reset by the shedder's sampling timer, as the real probe does; utilization
 *   is the busy share of the sampled interval.
 * - CPU per request: a lognormal service time for a served request, a fixed cost for a refusal
 *   (both include the HTTP parsing every request costs before the decision).
 */
export interface SimulationOptions {
  /** Mean CPU of a served request, ms; capacity is 1000 / this per second. */
  readonly serviceMeanMs: number;
  /** Spread of the lognormal service time (sigma of its log). */
  readonly serviceSigma: number;
  /** CPU of one refusal, ms. */
  readonly refusalCostMs: number;
  /** The client gives up after this, ms. */
  readonly deadlineMs: number;
  /** The shedder's sampling period, ms. */
  readonly sampleIntervalMs: number;
  /** Load steps in order: offered load as a multiple of capacity, duration, class mix. */
  readonly phases: readonly SimulationPhase[];
  readonly seed: number;
  /** Synchronous blocks (a slow JSON.parse, a GC pause): the loop is busy for `durationMs` from `atMs`. */
  readonly stalls?: readonly { readonly atMs: number; readonly durationMs: number }[];
}

export interface SimulationPhase {
  /** Offered load as a multiple of capacity (0: no requests, as before the server listens). */
  readonly load: number;
  readonly seconds: number;
  /** Share of each class in the arrivals (default: every request `critical`). */
  readonly mix?: Partial<Record<Criticality, number>>;
}

/** What the model asks of the shedder: a decision per request and a sample per timer run. */
export interface SimulatedShedder {
  shouldShed(criticality: Criticality): boolean;
  /** Called on each run of the sampling timer with what the probe measured. */
  sample(measurement: LoadMeasurement): void;
}

/** Outcome of one phase. */
export interface PhaseResult {
  readonly load: number;
  readonly offered: number;
  /** Answered with 200 before the client's deadline, per class. */
  readonly goodByClass: Record<Criticality, number>;
  readonly offeredByClass: Record<Criticality, number>;
  /** Refused, per class. */
  readonly refusedByClass: Record<Criticality, number>;
  readonly good: number;
  readonly refused: number;
  /** Processed after the client had given up. */
  readonly late: number;
  /** Goodput divided by capacity over the phase. */
  readonly goodputRatio: number;
  /** Percentiles of the response time of the good requests, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** p99 of the good requests answered in the phase's second half, ms. */
  readonly settledP99Ms: number;
  /** p99 of the refusals' response time, ms. */
  readonly refusalP99Ms: number;
  /** Mean of the event-loop delay the probe read over the phase, ms. */
  readonly meanProbeDelayMs: number;
  /** The probe readings over the phase's second half (after the shedder settled), ms. */
  readonly settledProbeDelaysMs: readonly number[];
}

const CLASSES: readonly Criticality[] = [
  'critical_plus',
  'critical',
  'sheddable_plus',
  'sheddable',
];
const RESOLUTION_MS = 10;
const MAX_EVENTS_PER_POLL = 1024;

/** A seeded generator of uniform numbers in [0, 1) (mulberry32): the same run every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Request {
  at: number;
  criticality: Criticality;
  phase: number;
}

interface Timer {
  due: number;
  readonly periodMs: number;
  readonly run: (now: number) => void;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** Runs the model with `shedder` deciding; returns one result per phase. */
export function simulate(options: SimulationOptions, shedder: SimulatedShedder): PhaseResult[] {
  const random = seededRandom(options.seed);
  const capacityPerMs = 1 / options.serviceMeanMs;
  const medianServiceMs = options.serviceMeanMs / Math.exp(options.serviceSigma ** 2 / 2);
  const serviceMs = () => {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianServiceMs * Math.exp(options.serviceSigma * z);
  };

  const ends: number[] = [];
  let total = 0;
  for (const phase of options.phases) ends.push((total += phase.seconds * 1000));
  const endMs = total;
  const settledFrom = (phase: number) =>
    (ends[phase] as number) - ((options.phases[phase] as SimulationPhase).seconds * 1000) / 2;
  const phaseAt = (t: number) => {
    const index = ends.findIndex((end) => t < end);
    return index === -1 ? ends.length - 1 : index;
  };
  const classOf = (phase: SimulationPhase): Criticality => {
    if (!phase.mix) return 'critical';
    let u = random();
    for (const c of CLASSES) {
      u -= phase.mix[c] ?? 0;
      if (u < 0) return c;
    }
    return 'critical';
  };

  const stats = options.phases.map((phase) => ({
    load: phase.load,
    offeredByClass: Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<Criticality, number>,
    goodByClass: Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<Criticality, number>,
    refusedByClass: Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<Criticality, number>,
    refused: 0,
    late: 0,
    goodLatencies: [] as number[],
    settledLatencies: [] as number[],
    refusalLatencies: [] as number[],
    probeDelays: [] as { at: number; delay: number }[],
  }));

  // Arrivals, generated one ahead.
  let nextArrival = 0;
  const scheduleArrival = (from: number): void => {
    const index = phaseAt(from);
    const phase = options.phases[index] as SimulationPhase;
    const ratePerMs = phase.load * capacityPerMs;
    const next = ratePerMs > 0 ? from - Math.log(1 - random()) / ratePerMs : Infinity;
    // Past the phase's end the next phase's rate applies: draw again from there (arrivals are
    // memoryless, so this is exact).
    const end = ends[index] as number;
    if (next >= end && index < ends.length - 1) scheduleArrival(end);
    else nextArrival = next;
  };
  scheduleArrival(0);
  const waiting: Request[] = [];
  let head = 0;

  // The delay histogram and the sampler.
  let histogramSum = 0;
  let histogramCount = 0;
  let histogramPrevious = -1;
  let busyMs = 0;
  let sampledAt = 0;
  const timers: Timer[] = [
    {
      due: RESOLUTION_MS,
      periodMs: RESOLUTION_MS,
      run(now) {
        if (histogramPrevious >= 0) {
          histogramSum += now - histogramPrevious;
          histogramCount++;
        }
        histogramPrevious = now;
      },
    },
    {
      due: options.sampleIntervalMs,
      periodMs: options.sampleIntervalMs,
      run(now) {
        const intervalMs = now - sampledAt;
        const delay =
          histogramCount > 0 ? Math.max(0, histogramSum / histogramCount - RESOLUTION_MS) : 0;
        histogramSum = 0;
        histogramCount = 0;
        shedder.sample({
          eventLoopDelayMs: delay,
          eventLoopUtilization: intervalMs > 0 ? Math.min(1, busyMs / intervalMs) : 0,
          heapUsedBytes: 0,
          rssBytes: 0,
          intervalMs,
        });
        const phaseStats = stats[phaseAt(now)];
        phaseStats?.probeDelays.push({ at: now, delay });
        busyMs = 0;
        sampledAt = now;
      },
    },
  ];

  const stalls = (options.stalls ?? []).map((stall) => ({ ...stall, done: false }));
  let now = 0;
  while (now < endMs || head < waiting.length) {
    // Timers phase: every due timer, earliest first.
    for (;;) {
      let first: Timer | undefined;
      for (const timer of timers)
        if (timer.due <= now && (!first || timer.due < first.due)) first = timer;
      if (!first) break;
      first.due = now + first.periodMs;
      first.run(now);
    }
    // Poll phase: what arrived before the iteration started.
    while (nextArrival <= now && nextArrival < endMs) {
      const phase = phaseAt(nextArrival);
      const criticality = classOf(options.phases[phase] as SimulationPhase);
      waiting.push({ at: nextArrival, criticality, phase });
      (stats[phase] as (typeof stats)[number]).offeredByClass[criticality]++;
      scheduleArrival(nextArrival);
    }
    // A stall runs in the first iteration that starts after its time.
    const stall = stalls.find((candidate) => !candidate.done && candidate.atMs <= now);
    if (stall) {
      stall.done = true;
      now += stall.durationMs;
      busyMs += stall.durationMs;
      continue;
    }
    if (head === waiting.length) {
      // Idle until the next arrival or timer.
      const nextStall = Math.min(...stalls.filter((x) => !x.done).map((x) => x.atMs));
      const nextTimer = Math.min(nextStall, ...timers.map((t) => t.due));
      const next = Math.min(nextTimer, nextArrival < endMs ? nextArrival : Infinity);
      if (!Number.isFinite(next)) break;
      now = Math.max(now, next);
      continue;
    }
    const batchEnd = Math.min(waiting.length, head + MAX_EVENTS_PER_POLL);
    for (; head < batchEnd; head++) {
      const request = waiting[head] as Request;
      const phaseStats = stats[request.phase] as (typeof stats)[number];
      const refuse = shedder.shouldShed(request.criticality);
      const cost = refuse ? options.refusalCostMs : serviceMs();
      now += cost;
      busyMs += cost;
      const latency = now - request.at;
      if (refuse) {
        phaseStats.refused++;
        phaseStats.refusedByClass[request.criticality]++;
        phaseStats.refusalLatencies.push(latency);
      } else if (latency > options.deadlineMs) phaseStats.late++;
      else {
        phaseStats.goodByClass[request.criticality]++;
        phaseStats.goodLatencies.push(latency);
        if (request.at >= settledFrom(request.phase)) phaseStats.settledLatencies.push(latency);
      }
    }
    // Keep the array from growing without bound.
    if (head > 100_000) {
      waiting.splice(0, head);
      head = 0;
    }
  }

  return stats.map((s, i) => {
    const phase = options.phases[i] as SimulationPhase;
    const good = CLASSES.reduce((n, c) => n + s.goodByClass[c], 0);
    const offered = CLASSES.reduce((n, c) => n + s.offeredByClass[c], 0);
    const start = (ends[i] as number) - phase.seconds * 1000;
    const delays = s.probeDelays.map((d) => d.delay);
    return {
      load: s.load,
      offered,
      good,
      goodByClass: s.goodByClass,
      offeredByClass: s.offeredByClass,
      refusedByClass: s.refusedByClass,
      refused: s.refused,
      late: s.late,
      goodputRatio: good / (phase.seconds * 1000 * capacityPerMs),
      p50Ms: percentile(s.goodLatencies, 0.5),
      p99Ms: percentile(s.goodLatencies, 0.99),
      settledP99Ms: percentile(s.settledLatencies, 0.99),
      refusalP99Ms: percentile(s.refusalLatencies, 0.99),
      meanProbeDelayMs: delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length),
      settledProbeDelaysMs: s.probeDelays
        .filter((d) => d.at >= start + (phase.seconds * 1000) / 2)
        .map((d) => d.delay),
    };
  });
}
