import { simulate } from './simulator';
import type { SimulationConfig } from './simulator';

const fmt = (n: number, d = 2) => n.toFixed(d);
async function run(name: string, config: SimulationConfig) {
  const t0 = performance.now();
  const result = await simulate(config);
  console.log(
    `\n== ${name} (C=${config.capacity}, cap ${fmt(result.capacityPerSecond, 0)}/s) ${fmt(performance.now() - t0, 0)} ms`,
  );
  for (const p of result.phases) {
    const l = p.limits;
    const half = l.slice(Math.floor(l.length / 2));
    console.log(
      `load ${p.load} goodput ${fmt(p.goodput)} ok ${p.succeeded}/${p.offered} refused ${JSON.stringify(p.refused)} to ${p.clientTimeouts} ` +
        `p50 ${fmt(p.successP50Ms, 0)} p99 ${fmt(p.successP99Ms, 0)} refP99 ${fmt(p.refusalP99Ms, 0)} waitP99 ${fmt(p.admittedWaitP99Ms, 1)} ` +
        `limit [${Math.min(...l)}..${Math.max(...l)}] 2nd half [${Math.min(...half)}..${Math.max(...half)}] peak ${p.peakInflight} ` +
        `${JSON.stringify(p.byClass)}`,
    );
    if (process.env.TRACE) console.log('  ', l.slice(0, 60).join(' '));
    console.log(
      '   windows',
      p.windowLimits.length,
      'first 15:',
      p.windowLimits.slice(0, 15).join(' '),
      'timedOut',
      p.timedOut,
    );
  }
}

const steps = (d: number) => [0.5, 1, 2, 3, 1].map((load) => ({ load, durationMs: d }));
async function main() {
  if (process.env.DEBUG)
    (globalThis as any).DEBUG_G2 = (o: any) => {
      if (o.t >= Number(process.env.FROM ?? 0) && o.t <= Number(process.env.TO ?? 1e12))
        console.log(JSON.stringify(o));
    };
  const which = process.argv[2] ?? 'steps';
  const algo = process.env.ALGO;
  const adaptive: any = algo ? { algorithm: algo } : {};
  if (process.env.WMIN) adaptive.window = { minMs: Number(process.env.WMIN) };
  const limiter: any = Object.keys(adaptive).length ? { adaptive } : {};
  if (process.env.MAXQ) limiter.maxQueue = Number(process.env.MAXQ);
  for (const C of (process.env.CS ?? '8,32,128').split(',').map(Number)) {
    if (which === 'steps') await run('steps', { capacity: C, phases: steps(10_000), limiter });
    if (which === 'double')
      await run('service doubles', {
        capacity: C,
        limiter,
        phases: [
          { load: 1.5, durationMs: 5000 },
          { load: 1.5, durationMs: 10_000, serviceMedianMs: 40 },
        ],
      });
    if (which === 'stuck')
      await run('stuck at min', {
        capacity: C,
        limiter,
        requestTimeoutMs: 100,
        phases: [
          { load: 1, durationMs: 3000 },
          { load: 3, durationMs: 3000, serviceMedianMs: 200 },
          { load: 1, durationMs: 3000 },
        ],
      });
    if (which === 'start')
      await run('startup', {
        capacity: C,
        limiter,
        traceEveryMs: 10,
        phases: [
          { load: Number(process.env.LOAD ?? 0.5), durationMs: 200 },
          { load: Number(process.env.LOAD ?? 0.5), durationMs: 2300 },
        ],
      });
    if (which === 'light')
      await run('0.3x', { capacity: C, limiter, phases: [{ load: 0.3, durationMs: 10_000 }] });
    if (which === 'mixed')
      await run('20/80 at 2x', {
        capacity: C,
        limiter,
        phases: [
          { load: 0.5, durationMs: 3000 },
          { load: 2, durationMs: 10_000 },
        ],
        classify: (r) => (r() < 0.2 ? 'critical' : 'sheddable'),
      });
    if (which === 'fifo')
      await run('fifo', {
        capacity: C,
        limiter: { ...limiter, maxQueue: 10 * C },
        codel: false,
        phases: steps(10_000),
      });
    if (which === 'codel')
      await run('codel', {
        capacity: C,
        limiter: { ...limiter, maxQueue: 10 * C },
        phases: steps(10_000),
      });
  }
}
void main();
