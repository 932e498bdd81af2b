// A deterministic discrete-event simulator of a server behind the real concurrency limiter.
// Simulated time only: the limiter's clock and timers are the event queue's; nothing here reads a
// real clock or arms a real timer. The limiter's promises settle between events (one microtask
// turn per event), at the simulated time of the event that settled them.
import { ConcurrencyLimitError } from '../../src/errors/concurrency-limit-error';
import type { Criticality } from '../../src/overload/criticality';
import {
  limiterFromResolved,
  resolveConcurrencyOptions,
} from '../../src/policies/concurrency-limiter';
import type {
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  Permit,
} from '../../src/policies/concurrency-limiter';
import type { CodelSettings } from '../../src/overload/waiter-queue';
import type { Clock } from '../../src/timers/clock';

interface SimEvent {
  time: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

/** A binary min-heap of events by time, then by scheduling order (so runs are reproducible). */
class EventQueue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, run: () => void): SimEvent {
    const event: SimEvent = { time, seq: this.seq++, run, cancelled: false };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent] as SimEvent)) break;
      heap[i] = heap[parent] as SimEvent;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as SimEvent, heap[left] as SimEvent)
          ? right
          : left;
      if (!before(heap[child] as SimEvent, last)) break;
      heap[i] = heap[child] as SimEvent;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** A seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One stretch of the run: offered load as a multiple of the server's capacity. */
export interface Phase {
  /** Offered load × capacity (Poisson arrivals). */
  load: number;
  durationMs: number;
  /** Median service time in this phase, in ms (default: the run's). */
  serviceMedianMs?: number;
}

export interface SimulationConfig {
  /** Server slots (a downstream pool of C connections). */
  capacity: number;
  /** Median service time, ms (lognormal). Default 20. */
  serviceMedianMs?: number;
  /** Lognormal sigma of service times. Default 0.5. */
  serviceSigma?: number;
  /** Clients give up after this, ms. Default 1000. */
  clientDeadlineMs?: number;
  /**
   * guard()'s request timeout, ms from admission: the slot is freed as a drop and the client gets
   * a 503 (work in service carries on, a wait for a server slot ends). Default: none.
   */
  requestTimeoutMs?: number;
  phases: Phase[];
  /** The limiter's options, as `guard({ concurrency })` takes them (default: none → adaptive). */
  limiter?: ConcurrencyLimiterOptions;
  /** Replaces the queue's CoDel (false: a plain queue). */
  codel?: CodelSettings | false;
  /** The class of each request (default: every request critical). */
  classify?: (random: () => number) => Criticality;
  seed?: number;
  /** How often the limit is recorded, ms. Default 100 (one sampling window at the defaults). */
  traceEveryMs?: number;
}

/** Figures of one class of requests within a phase. */
export interface ClassFigures {
  offered: number;
  succeeded: number;
}

/** What happened to the requests that arrived during one phase. */
export interface PhaseResult {
  load: number;
  offered: number;
  succeeded: number;
  /** Successes per second ÷ the server's capacity (requests per second). */
  goodput: number;
  refused: Record<string, number>;
  /** Requests whose client gave up at its deadline. */
  clientTimeouts: number;
  successP50Ms: number;
  successP99Ms: number;
  refusalP99Ms: number;
  /** Time admitted requests waited in the limiter's queue (0 when admitted at once). */
  admittedWaitP99Ms: number;
  /** Requests answered 503 by the request timeout. */
  timedOut: number;
  /** The limit every `traceEveryMs` during the phase. */
  limits: number[];
  /** The limit after each sampling window that closed during the phase. */
  windowLimits: number[];
  /** Most requests holding a limiter slot at once. */
  peakInflight: number;
  byClass: Partial<Record<Criticality, ClassFigures>>;
}

export interface SimulationResult {
  /** Server capacity in requests per second (slots ÷ mean service time). */
  capacityPerSecond: number;
  phases: PhaseResult[];
}

/**
 * Just the part of AbortSignal the limiter uses (aborted, reason, one 'abort' listener): a real
 * AbortController per queued request made the simulation several times slower.
 */
class SimSignal {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  removeEventListener(): void {
    this.listener = undefined;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new Error('client gave up');
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }
}

interface Request {
  arrivedAt: number;
  phase: PhaseStats;
  criticality: Criticality;
  permit: Permit | undefined;
  signal: SimSignal | undefined;
  /** Answered, refused or given up: nothing more happens to it. */
  settled: boolean;
  inServerQueue: boolean;
  serviceMs: number;
}

interface PhaseStats {
  load: number;
  offered: number;
  succeeded: number;
  refused: Record<string, number>;
  clientTimeouts: number;
  successLatencies: number[];
  refusalLatencies: number[];
  admittedWaits: number[];
  timedOut: number;
  limits: number[];
  windowLimits: number[];
  peakInflight: number;
  byClass: Partial<Record<Criticality, ClassFigures>>;
}

/** Runs the simulation to the end of its last phase (plus the stragglers' deadlines). */
export async function simulate(config: SimulationConfig): Promise<SimulationResult> {
  const {
    capacity,
    serviceMedianMs = 20,
    serviceSigma = 0.5,
    clientDeadlineMs = 1000,
    traceEveryMs = 100,
  } = config;
  const random = seededRandom(config.seed ?? 1);
  const events = new EventQueue();
  let now = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback, ms) => events.push(now + ms, callback),
    clearTimeout: (handle) => {
      (handle as SimEvent).cancelled = true;
    },
  };
  const stats: PhaseStats[] = [];
  /** The phase under way (windows are counted in the phase they close in). */
  let current: PhaseStats | undefined;
  const limiter: ConcurrencyLimiter = limiterFromResolved(
    resolveConcurrencyOptions('simulation', config.limiter ?? {}, '', true),
    'simulation',
    {
      clock,
      random: seededRandom((config.seed ?? 1) + 1),
      onWindow: (_window, limit) => current?.windowLimits.push(limit),
      ...(config.codel === undefined ? {} : { codel: config.codel }),
    },
  );

  const meanServiceMs = (median: number) => median * Math.exp((serviceSigma * serviceSigma) / 2);
  const capacityPerSecond = (capacity / meanServiceMs(serviceMedianMs)) * 1000;
  const normal = () => {
    // Box-Muller; 1 - random() keeps the logarithm finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  // The server: `capacity` slots, a first-in, first-out wait for a slot (a connection pool).
  let busySlots = 0;
  const serverQueue: Request[] = [];
  let serverQueueHead = 0;

  function startService(request: Request): void {
    busySlots++;
    events.push(now + request.serviceMs, () => finishService(request));
  }

  function finishService(request: Request): void {
    busySlots--;
    while (serverQueueHead < serverQueue.length) {
      const next = serverQueue[serverQueueHead++] as Request;
      next.inServerQueue = false;
      if (!next.settled) {
        startService(next);
        break;
      }
    }
    if (serverQueueHead > 4096 && serverQueueHead * 2 > serverQueue.length) {
      serverQueue.splice(0, serverQueueHead);
      serverQueueHead = 0;
    }
    if (request.settled) return; // its client left: the work was done for nobody
    request.settled = true;
    const phase = request.phase;
    phase.succeeded++;
    phase.successLatencies.push(now - request.arrivedAt);
    const figures = phase.byClass[request.criticality];
    if (figures) figures.succeeded++;
    request.permit?.release('success');
  }

  function admitted(request: Request, permit: Permit): void {
    if (request.settled) {
      permit.release('ignore');
      return;
    }
    request.permit = permit;
    const phase = request.phase;
    phase.admittedWaits.push(now - request.arrivedAt);
    if (limiter.active > phase.peakInflight) phase.peakInflight = limiter.active;
    if (config.requestTimeoutMs !== undefined)
      events.push(now + config.requestTimeoutMs, () => requestTimeout(request));
    if (busySlots < capacity) startService(request);
    else {
      request.inServerQueue = true;
      serverQueue.push(request);
    }
  }

  function refused(request: Request, error: unknown): void {
    if (request.settled) return; // gave up first (its abort), already counted
    if (!(error instanceof ConcurrencyLimitError)) throw error;
    request.settled = true;
    const phase = request.phase;
    const reason = error.reason ?? 'unknown';
    phase.refused[reason] = (phase.refused[reason] ?? 0) + 1;
    phase.refusalLatencies.push(now - request.arrivedAt);
  }

  function requestTimeout(request: Request): void {
    if (request.settled) return;
    request.settled = true;
    request.phase.timedOut++;
    request.permit?.release('drop');
  }

  function deadline(request: Request): void {
    if (request.settled) return;
    request.settled = true;
    request.phase.clientTimeouts++;
    // The client hung up: a queued acquire leaves the queue; a held slot is freed at once (the
    // response 'close'), with no latency sample; a request in service still holds its server slot.
    request.signal?.abort();
    request.permit?.release('ignore');
  }

  function arrive(phase: PhaseStats, serviceMedian: number): void {
    const criticality = config.classify ? config.classify(random) : 'critical';
    const request: Request = {
      arrivedAt: now,
      phase,
      criticality,
      permit: undefined,
      signal: undefined,
      settled: false,
      inServerQueue: false,
      serviceMs: serviceMedian * Math.exp(serviceSigma * normal()),
    };
    phase.offered++;
    const figures = (phase.byClass[criticality] ??= { offered: 0, succeeded: 0 });
    figures.offered++;
    events.push(now + clientDeadlineMs, () => deadline(request));
    const permit = limiter.tryAcquire();
    if (permit) {
      admitted(request, permit);
      return;
    }
    request.signal = new SimSignal();
    limiter.acquire(request.signal as unknown as AbortSignal, criticality).then(
      (queuedPermit) => admitted(request, queuedPermit),
      (error: unknown) => refused(request, error),
    );
  }

  let phaseStart = 0;
  for (const phase of config.phases) {
    const phaseStats: PhaseStats = {
      load: phase.load,
      offered: 0,
      succeeded: 0,
      refused: {},
      clientTimeouts: 0,
      successLatencies: [],
      refusalLatencies: [],
      admittedWaits: [],
      timedOut: 0,
      limits: [],
      windowLimits: [],
      peakInflight: 0,
      byClass: {},
    };
    stats.push(phaseStats);
    events.push(phaseStart, () => {
      current = phaseStats;
    });
    const end = phaseStart + phase.durationMs;
    const median = phase.serviceMedianMs ?? serviceMedianMs;
    const ratePerMs = (phase.load * capacityPerSecond) / 1000;
    const nextArrival = (from: number) => from - Math.log(1 - random()) / ratePerMs;
    const scheduleArrival = (at: number) => {
      if (at >= end) return;
      events.push(at, () => {
        arrive(phaseStats, median);
        scheduleArrival(nextArrival(at));
      });
    };
    if (ratePerMs > 0) scheduleArrival(nextArrival(phaseStart));
    for (let t = phaseStart + traceEveryMs; t <= end; t += traceEveryMs)
      events.push(t, () => phaseStats.limits.push(limiter.limit));
    phaseStart = end;
  }

  for (let event = events.pop(); event; event = events.pop()) {
    if (event.cancelled) continue;
    now = event.time;
    event.run();
    // Let the limiter's settled promises run their reactions at this simulated instant.
    await Promise.resolve();
  }
  limiter.close();

  return {
    capacityPerSecond,
    phases: stats.map((s, i) => ({
      load: s.load,
      offered: s.offered,
      succeeded: s.succeeded,
      goodput: s.succeeded / ((config.phases[i] as Phase).durationMs / 1000) / capacityPerSecond,
      refused: s.refused,
      clientTimeouts: s.clientTimeouts,
      successP50Ms: percentile(s.successLatencies, 0.5),
      successP99Ms: percentile(s.successLatencies, 0.99),
      refusalP99Ms: percentile(s.refusalLatencies, 0.99),
      admittedWaitP99Ms: percentile(s.admittedWaits, 0.99),
      timedOut: s.timedOut,
      limits: s.limits,
      windowLimits: s.windowLimits,
      peakInflight: s.peakInflight,
      byClass: s.byClass,
    })),
  };
}

/** The `q` quantile (nearest rank) of `values`; 0 for none. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
