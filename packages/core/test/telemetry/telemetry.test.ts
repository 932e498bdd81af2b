import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createRateLimiter } from '../../src/policies/rate-limiter';
import { createTelemetry, metricsReady } from '../../src/telemetry/telemetry';
import type { GuardMeter, MetricObservableCallback } from '../../src/telemetry/meter-provider';
import { CORE_VERSION, METER_NAME } from '../../src/telemetry/version';

class Reader extends MetricReader {
  protected onForceFlush = () => Promise.resolve();
  protected onShutdown = () => Promise.resolve();
}

/** A meter that records what is asked of it, to watch gauge callbacks come and go. */
function fakeMeter() {
  const callbacks = new Map<string, Set<MetricObservableCallback>>();
  const meter: GuardMeter = {
    createCounter: () => ({ add: () => undefined }),
    createHistogram: () => ({ record: () => undefined }),
    createObservableGauge: (name) => {
      const set = new Set<MetricObservableCallback>();
      callbacks.set(name, set);
      return { addCallback: (cb) => set.add(cb), removeCallback: (cb) => set.delete(cb) };
    },
  };
  const observe = (name: string) => {
    const seen: number[] = [];
    for (const cb of callbacks.get(name) ?? []) cb({ observe: (value) => seen.push(value) });
    return seen;
  };
  return { meter, callbacks, observe, provider: { getMeter: () => meter } };
}

describe('telemetry', () => {
  afterEach(() => metrics.disable());

  it('names its meter guard-core with the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(METER_NAME).toBe('guard-core');
    expect(CORE_VERSION).toBe(pkg.version);
  });

  it('stays disabled, with no-op instruments, while no SDK is registered', async () => {
    await metricsReady();
    const telemetry = createTelemetry();
    expect(telemetry.enabled).toBe(false);
  });

  it('uses the global MeterProvider as it is when the policy is created, not at import', async () => {
    await metricsReady();
    const before = createRateLimiter({ limit: 1 });
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    try {
      const after = createRateLimiter({ limit: 1 });
      // Memory stores answer synchronously.
      void after.consume('a');
      void after.consume('a');
      void before.consume('a');
      const { resourceMetrics } = await reader.collect();
      const scope = resourceMetrics.scopeMetrics[0];
      expect(scope?.scope).toMatchObject({ name: 'guard-core', version: CORE_VERSION });
      const store = scope?.metrics.find(
        (m) => m.descriptor.name === 'guard.rate_limit.store.duration',
      );
      // Two hits of the limiter made after the SDK started; none of the one made before.
      expect((store?.dataPoints[0]?.value as { count: number }).count).toBe(2);
      after.close();
      before.close();
    } finally {
      await provider.shutdown();
    }
  });

  it('registers gauge callbacks at once with a meterProvider, and removes them on close()', () => {
    const fake = fakeMeter();
    const telemetry = createTelemetry(fake.provider);
    expect(telemetry.enabled).toBe(true);
    const target = { value: 7 };
    telemetry.observe('concurrencyActive', target, (t) => t.value, { 'guard.name': 'x' });
    expect(fake.observe('guard.concurrency.active')).toEqual([7]);
    target.value = 9;
    expect(fake.observe('guard.concurrency.active')).toEqual([9]);
    telemetry.close();
    expect(fake.callbacks.get('guard.concurrency.active')?.size).toBe(0);
    // Observing after close() registers nothing.
    telemetry.observe('concurrencyActive', target, (t) => t.value);
    expect(fake.callbacks.get('guard.concurrency.active')?.size).toBe(0);
  });

  it('creates each instrument once per meter, however many policies share it', () => {
    const fake = fakeMeter();
    let created = 0;
    const counting = {
      getMeter: () => ({
        ...fake.meter,
        createCounter: (...args: Parameters<GuardMeter['createCounter']>) => {
          created++;
          return fake.meter.createCounter(...args);
        },
      }),
    };
    const meter = counting.getMeter();
    const provider = { getMeter: () => meter };
    createTelemetry(provider);
    const first = created;
    createTelemetry(provider);
    createTelemetry(provider);
    expect(first).toBeGreaterThan(0);
    expect(created).toBe(first);
  });

  it('skips a gauge reading that is not a finite number', () => {
    const fake = fakeMeter();
    const telemetry = createTelemetry(fake.provider);
    telemetry.observe('sheddingPressure', {}, () => NaN);
    telemetry.observe('eventLoopDelay', {}, () => undefined);
    expect(fake.observe('guard.load_shedding.pressure')).toEqual([]);
    expect(fake.observe('guard.load_shedding.event_loop.delay')).toEqual([]);
  });
});
