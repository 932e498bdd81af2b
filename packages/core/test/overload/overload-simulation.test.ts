// The adaptive concurrency limit and its CoDel queue, driven through a deterministic discrete-event
// simulation (simulator.ts): the real limiter on a simulated clock, a server of C slots with
// lognormal service times (median 20 ms), Poisson arrivals, clients that give up after 1 s.
// Every figure comes from a seeded run, so each assertion fails or passes the same way every time.
import { simulate } from './simulator';
import type { PhaseResult, SimulationConfig, SimulationResult } from './simulator';

/** The phases of the load steps: 0.5 → 1 → 2 → 3 → 1 × capacity. */
const STEPS = [0.5, 1, 2, 3, 1];
const PHASE_MS = 2000;

const second = <T>(values: readonly T[]) => values.slice(Math.floor(values.length / 2));
const refusedShare = (phase: PhaseResult) =>
  Object.values(phase.refused).reduce((a, b) => a + b, 0) / phase.offered;
/** How many windows into a phase the limit first reached `level` (Infinity if never). */
const windowsUntil = (phase: PhaseResult, level: number) => {
  const index = phase.windowLimits.findIndex((limit) => limit >= level);
  return index === -1 ? Infinity : index + 1;
};

jest.setTimeout(120_000);

describe.each([8, 128])('the adaptive limit at its defaults, server capacity C = %i', (C) => {
  const run = (config: Omit<SimulationConfig, 'capacity'>) => simulate({ capacity: C, ...config });
  let steps: SimulationResult;
  beforeAll(async () => {
    steps = await run({ phases: STEPS.map((load) => ({ load, durationMs: PHASE_MS })) });
  });
  const phase = (load: number, from = 0) =>
    steps.phases.find((p, i) => i >= from && p.load === load) as PhaseResult;

  it('keeps goodput at 0.85 × capacity or more at 2× and 3× load', () => {
    for (const load of [2, 3]) expect(phase(load).goodput).toBeGreaterThanOrEqual(0.85);
  });

  it('answers healthy load: at most 0.5 % refused at 0.5×, goodput 0.95 × capacity at 1×', () => {
    expect(refusedShare(phase(0.5))).toBeLessThanOrEqual(0.005);
    expect(phase(1).goodput).toBeGreaterThanOrEqual(0.95);
  });

  it('settles the limit within [C, 3C] under overload', () => {
    for (const load of [2, 3]) {
      const settled = second(phase(load).limits);
      expect(Math.min(...settled)).toBeGreaterThanOrEqual(C);
      expect(Math.max(...settled)).toBeLessThanOrEqual(3 * C);
    }
  });

  it('keeps waits and refusals short under overload: no client gives up', () => {
    for (const load of [2, 3]) {
      const p = phase(load);
      expect(p.clientTimeouts).toBe(0);
      expect(p.refusalP99Ms).toBeLessThanOrEqual(250);
      expect(p.successP99Ms).toBeLessThanOrEqual(4 * phase(0.5).successP99Ms);
    }
  });

  it('is at C or more within 10 windows after load drops from 3× to 1×', () => {
    expect(windowsUntil(phase(1, 3), C)).toBeLessThanOrEqual(10);
  });

  it('comes back from its minimum within 10 windows once a slow patch has passed (go-concurrency-limits#117)', async () => {
    // Service 10× slower, most requests over guard's request timeout: drops push the limit down.
    const result = await run({
      requestTimeoutMs: 100,
      phases: [
        { load: 1, durationMs: 1000 },
        { load: 1.5, durationMs: 2000, serviceMedianMs: 200 },
        { load: 1, durationMs: 1000 },
        { load: 1, durationMs: 2000 },
      ],
    });
    const [, slow, after, later] = result.phases as [
      PhaseResult,
      PhaseResult,
      PhaseResult,
      PhaseResult,
    ];
    expect(Math.min(...slow.windowLimits)).toBeLessThanOrEqual(C / 2);
    expect(windowsUntil(after, C)).toBeLessThanOrEqual(10);
    expect(later.goodput).toBeGreaterThanOrEqual(0.9);
  });

  it('does not collapse when the service time doubles for good', async () => {
    const result = await run({
      phases: [
        { load: 1.5, durationMs: 1000 },
        { load: 1.5, durationMs: 1500, serviceMedianMs: 40 },
        { load: 1.5, durationMs: 2500, serviceMedianMs: 40 },
      ],
    });
    const [, change, later] = result.phases as [PhaseResult, PhaseResult, PhaseResult];
    expect(Math.min(...change.limits, ...later.limits)).toBeGreaterThanOrEqual(C / 2);
    const settled = second(later.limits);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(C);
    expect(Math.max(...settled)).toBeLessThanOrEqual(3 * C);
    // The server now does half as much per second: goodput is against that capacity.
    expect(later.goodput / 0.5).toBeGreaterThanOrEqual(0.85);
  });

  it('stays within 5× the peak in-flight count at 0.3× load', async () => {
    const [light] = (await run({ phases: [{ load: 0.3, durationMs: PHASE_MS }] })).phases as [
      PhaseResult,
    ];
    expect(Math.max(...light.limits, ...light.windowLimits)).toBeLessThanOrEqual(
      5 * light.peakInflight,
    );
    expect(refusedShare(light)).toBe(0);
  });

  it('serves 99 % of critical requests when 80 % of a 2× load is sheddable', async () => {
    const result = await run({
      phases: [
        { load: 0.5, durationMs: 1000 },
        { load: 2, durationMs: PHASE_MS },
      ],
      classify: (random) => (random() < 0.2 ? 'critical' : 'sheddable'),
    });
    const overload = result.phases[1] as PhaseResult;
    const critical = overload.byClass.critical as { offered: number; succeeded: number };
    expect(critical.succeeded / critical.offered).toBeGreaterThanOrEqual(0.99);
    expect(overload.goodput).toBeGreaterThanOrEqual(0.85);
  });
});

describe('the CoDel queue (simulated, C = 32, sustained 3× load)', () => {
  it('keeps the queue delay of admitted requests at a few milliseconds where a plain FIFO queue lets it grow', async () => {
    // The same adaptive limit and the same generous queue bound; only the queue discipline differs.
    // Judged after the first second of overload (CoDel lets a burst wait up to ~105 ms).
    const config = {
      capacity: 32,
      limiter: { maxQueue: 320 },
      phases: [
        { load: 0.5, durationMs: 1000 },
        { load: 3, durationMs: 1000 },
        { load: 3, durationMs: PHASE_MS },
      ],
    };
    const codel = (await simulate(config)).phases[2] as PhaseResult;
    const fifo = (await simulate({ ...config, codel: false })).phases[2] as PhaseResult;
    expect(codel.admittedWaitP99Ms).toBeLessThanOrEqual(10);
    expect(fifo.admittedWaitP99Ms).toBeGreaterThanOrEqual(5 * codel.admittedWaitP99Ms);
    expect(codel.successP99Ms).toBeLessThan(fifo.successP99Ms);
    expect(codel.goodput).toBeGreaterThanOrEqual(0.85);
  });
});

describe.each(['vegas', 'aimd'] as const)('the %s algorithm (simulated)', (algorithm) => {
  it.each([8, 32])(
    'keeps goodput at 0.85 × capacity or more at 2× and 3× load, C = %i',
    async (C) => {
      const result = await simulate({
        capacity: C,
        limiter: { adaptive: { algorithm } },
        phases: STEPS.map((load) => ({ load, durationMs: PHASE_MS })),
      });
      for (const p of result.phases.filter((p) => p.load >= 2)) {
        expect(p.goodput).toBeGreaterThanOrEqual(0.85);
        expect(p.clientTimeouts).toBe(0);
      }
    },
  );
});

it('replays exactly: the same seed gives the same run', async () => {
  const config: SimulationConfig = {
    capacity: 8,
    seed: 7,
    phases: [
      { load: 0.5, durationMs: 500 },
      { load: 3, durationMs: 1000 },
    ],
  };
  expect(await simulate(config)).toEqual(await simulate(config));
});
