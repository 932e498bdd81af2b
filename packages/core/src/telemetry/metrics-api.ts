import type { GuardMeter, GuardMeterProvider } from './meter-provider';

/** The two functions of `@opentelemetry/api` the suite calls. */
export interface MetricsApi {
  /** The global MeterProvider (the API's no-op one until an SDK registers). */
  getMeterProvider(): GuardMeterProvider;
  /** The API's no-op meter, to tell "no SDK registered" apart from a real meter. */
  createNoopMeter(): GuardMeter;
}

/** `undefined` while unknown, `null` once known to be missing, else the loaded API. */
let loaded: MetricsApi | null | undefined;
let loading: Promise<MetricsApi | null> | undefined;

/**
 * Loads `@opentelemetry/api`, an optional peer, once per process, on first use (when the first policy
 * is created, never at import: an ES module app starts its SDK after its imports ran). `import()`
 * inside try/catch is the one form that works everywhere we ship: Node's ESM and CommonJS builds,
 * and bundlers, which leave a guarded dynamic import of a missing package to run time (esbuild
 * does; a `createRequire` call they cannot follow at all, and a bare `require` breaks the ESM
 * build). Resolves to `null` when the package is not installed: then there are no metrics.
 */
export function loadMetricsApi(): Promise<MetricsApi | null> {
  loading ??= importApi().then((api) => (loaded = api));
  return loading;
}

/** Set by the build (tsup.config.ts): `true` in the CommonJS output. Absent under jest. */
declare const __GUARD_CJS__: boolean | undefined;

async function importApi(): Promise<MetricsApi | null> {
  try {
    // In the CommonJS build, a plain `require` in this try block: bundlers (esbuild, webpack) leave
    // a guarded require of a missing package to run time. In the ESM build, `import()`.
    const api = (
      typeof __GUARD_CJS__ === 'boolean' && __GUARD_CJS__
        ? // eslint-disable-next-line @typescript-eslint/no-require-imports
          require('@opentelemetry/api')
        : await import('@opentelemetry/api')
    ) as {
      metrics?: { getMeterProvider?: unknown };
      createNoopMeter?: unknown;
    };
    const { metrics, createNoopMeter } = api;
    if (typeof metrics?.getMeterProvider !== 'function' || typeof createNoopMeter !== 'function')
      return null;
    return {
      getMeterProvider: () =>
        (metrics as { getMeterProvider(): GuardMeterProvider }).getMeterProvider(),
      createNoopMeter: createNoopMeter as () => GuardMeter,
    };
  } catch {
    return null;
  }
}

/** The API if it has finished loading (`null`: not installed; `undefined`: not loaded yet). */
export function metricsApiIfLoaded(): MetricsApi | null | undefined {
  return loaded;
}
