// The example's OpenTelemetry pipeline (the packages stay SDK-free: an app picks its own). One SDK
// MeterProvider with two readers: the Prometheus exporter behind GET /metrics, and an in-memory
// reader the dashboard polls through GET /dashboard/data.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** Collects on demand for the dashboard; exports nothing by itself. */
class SnapshotReader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

/** The data points of one instrument, as `[attributes, value]` pairs. */
function pointsOf(metrics, name) {
  return metrics
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints.map((point) => [point.attributes, point.value]));
}

/** What the dashboard draws, from one collection (counters are running totals). */
function summarize({ resourceMetrics }) {
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  const gauges = (name) =>
    Object.fromEntries(pointsOf(metrics, name).map(([a, v]) => [a['guard.name'] ?? '', v]));
  const limits = gauges('guard.concurrency.limit');
  const active = gauges('guard.concurrency.active');
  const queued = gauges('guard.concurrency.queued');
  const [pressure] = pointsOf(metrics, 'guard.load_shedding.pressure');
  const [delay] = pointsOf(metrics, 'guard.load_shedding.event_loop.delay');
  return {
    at: Date.now(),
    requests: pointsOf(metrics, 'guard.requests').map(([a, value]) => ({
      result: a['guard.result'],
      policy: a['guard.policy'],
      reason: a['guard.reason'],
      name: a['guard.name'],
      value,
    })),
    concurrency: Object.fromEntries(
      Object.keys(limits).map((name) => [
        name,
        { limit: limits[name], active: active[name] ?? 0, queued: queued[name] ?? 0 },
      ]),
    ),
    pressure: pressure?.[1] ?? null,
    eventLoopDelayMs: delay ? delay[1] * 1000 : null,
    breakers: gauges('guard.circuit_breaker.state'),
    uploads: pointsOf(metrics, 'guard.uploads').map(([a, value]) => ({
      result: a['guard.result'],
      reason: a['guard.reason'],
      value,
    })),
  };
}

/** Creates the pipeline; pass `meterProvider` to the suite's middleware and policies. */
export function createServiceTelemetry() {
  // preventServerStart: /metrics is served by the app itself, not on a second port.
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const snapshots = new SnapshotReader();
  const meterProvider = new MeterProvider({ readers: [prometheus, snapshots] });
  return {
    meterProvider,
    /** Answers GET /metrics in Prometheus text format. */
    servePrometheus: (req, res) => prometheus.getMetricsRequestHandler(req, res),
    /** The dashboard's view of the metrics now. */
    snapshot: async () => summarize(await snapshots.collect()),
    close: () => meterProvider.shutdown(),
  };
}
