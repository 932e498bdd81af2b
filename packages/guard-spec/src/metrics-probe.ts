import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';

/** A reader that exports nothing: the test collects on demand. */
class InMemoryReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

type Attributes = Record<string, string | number | boolean | undefined>;

/** Whether a data point carries every attribute of `wanted` (and maybe more). */
function matches(point: DataPoint<unknown>, wanted: Attributes): boolean {
  return Object.entries(wanted).every(([key, value]) => point.attributes[key] === value);
}

/** An OpenTelemetry SDK MeterProvider with an in-memory reader, and lookups over what it holds. */
export interface MetricsProbe {
  /** Pass as `meterProvider` to the middleware under test. */
  readonly meterProvider: MeterProvider;
  /** Collects now; every lookup below reads the last collection. */
  collect(): Promise<void>;
  /** Sum of a counter's data points that carry `attributes`. */
  sum(name: string, attributes?: Attributes): number;
  /** The value of the one gauge point with `attributes` (`undefined` when there is none). */
  gauge(name: string, attributes?: Attributes): number | undefined;
  /** Count and sum of a histogram's points that carry `attributes`. */
  histogram(name: string, attributes?: Attributes): { count: number; sum: number };
  /** Every attribute set of every data point, for privacy checks. */
  allAttributes(): Attributes[];
  /** Names of the instruments that have data. */
  names(): string[];
  shutdown(): Promise<void>;
}

/**
 * Creates a probe: an SDK MeterProvider (cumulative temporality) whose data the test reads
 * by instrument name and attributes.
 * @example const probe = createMetricsProbe(); kit.guard({ meterProvider: probe.meterProvider });
 */
export function createMetricsProbe(): MetricsProbe {
  const reader = new InMemoryReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  let metrics: MetricData[] = [];
  const pointsOf = (name: string, attributes: Attributes = {}) =>
    metrics
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[])
      .filter((point) => matches(point, attributes));
  return {
    meterProvider,
    async collect() {
      const { resourceMetrics } = await reader.collect();
      metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    },
    sum: (name, attributes) =>
      pointsOf(name, attributes).reduce((total, point) => total + (point.value as number), 0),
    gauge(name, attributes) {
      const points = pointsOf(name, attributes);
      if (points.length > 1) throw new Error(`${name}: ${points.length} points match`);
      return points[0]?.value as number | undefined;
    },
    histogram(name, attributes) {
      return pointsOf(name, attributes).reduce(
        (total, point) => {
          const value = point.value as Histogram;
          return { count: total.count + value.count, sum: total.sum + (value.sum ?? 0) };
        },
        { count: 0, sum: 0 },
      );
    },
    allAttributes: () =>
      metrics.flatMap((metric) =>
        (metric.dataPoints as DataPoint<unknown>[]).map(
          (point) => ({ ...point.attributes }) as Attributes,
        ),
      ),
    names: () =>
      metrics.filter((metric) => metric.dataPoints.length > 0).map((m) => m.descriptor.name),
    shutdown: () => meterProvider.shutdown(),
  };
}
