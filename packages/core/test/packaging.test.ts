import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The built packages (npm test builds them first) load from CommonJS and from ESM alike.
const packagesDir = join(__dirname, '..', '..');
const packages = [
  { name: '@guard-suite/core', dir: 'core' },
  { name: '@guard-suite/express-guard', dir: 'express-guard' },
  { name: '@guard-suite/koa-guard', dir: 'koa-guard' },
];

function exportedNames(dir: string, script: string, type: 'commonjs' | 'module'): string[] {
  const out = execFileSync(process.execPath, [`--input-type=${type}`, '-e', script], {
    cwd: join(packagesDir, dir),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe.each(packages)('the built $name package', ({ name, dir }) => {
  beforeAll(() => {
    if (!existsSync(join(packagesDir, dir, 'dist', 'index.cjs')))
      throw new Error(`${name} is not built: run the build before the tests (npm test does)`);
  });

  it('loads with require() and exposes the error model', () => {
    const names = exportedNames(
      dir,
      `const m = require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m)))`,
      'commonjs',
    );
    expect(names).toEqual(
      expect.arrayContaining(['GuardError', 'isGuardError', 'CircuitOpenError']),
    );
  });

  it('loads with import and exports the same names as require()', () => {
    const esm = exportedNames(
      dir,
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m)))`,
      'module',
    );
    const cjs = exportedNames(
      dir,
      `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)}))))`,
      'commonjs',
    );
    expect(esm.filter((n) => n !== 'default').sort()).toEqual(cjs.sort());
  });
});

describe('timers that must not keep a process alive (built guard-core)', () => {
  it.each([
    ['a running load shedder', `core.createLoadShedder({ sampleIntervalMs: 50 });`],
    [
      'a memory rate limiter in use',
      `const limiter = core.createRateLimiter({ limit: 5, windowMs: 60_000 });
       limiter.consume('client');`,
    ],
  ])('lets a script with %s exit by itself', (_label, body) => {
    const started = Date.now();
    execFileSync(
      process.execPath,
      ['--input-type=commonjs', '-e', `const core = require('@guard-suite/core'); ${body}`],
      { cwd: join(packagesDir, 'core'), timeout: 10_000 },
    );
    // The sampler runs every 50 ms for ever unless its timer is unref'd: exiting at all proves it.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('the built core entries', () => {
  // Both entries are bundles of one module graph: were code duplicated between them, a TimeoutError
  // raised by the adapters' plumbing (the internal entry) would not be instanceof the user's class.
  it.each(['commonjs', 'module'] as const)(
    'share one copy of each class between the public and the internal entry (%s)',
    (type) => {
      const load =
        type === 'commonjs'
          ? `const pub = require('@guard-suite/core'); const internal = require('@guard-suite/core/internal');`
          : `import * as pub from '@guard-suite/core'; import * as internal from '@guard-suite/core/internal';`;
      const out = execFileSync(
        process.execPath,
        [
          `--input-type=${type}`,
          '-e',
          `${load}
           const res = { destroyed: false, on() {}, once() {} };
           const state = new internal.GuardState(res);
           internal.createRequestGate(undefined, 1).enter(res, state, (error) => {
             console.log(JSON.stringify([error instanceof pub.TimeoutError, error instanceof pub.GuardError]));
           });
           setTimeout(() => {}, 100); // the deadline timer is unref'd: keep the script alive for it`,
        ],
        { cwd: join(packagesDir, 'core'), encoding: 'utf8', timeout: 10_000 },
      );
      expect(JSON.parse(out)).toEqual([true, true]);
    },
  );
});

describe('the built core and the optional @opentelemetry/api', () => {
  // A preload that makes the bare specifier unresolvable from the built core, for require() (the
  // CommonJS build) and import() (the ES module build), as when the optional peer is not installed.
  // The script and the SDK still reach the API, so an SDK is registered all the same.
  let hooks: string;
  beforeAll(() => {
    hooks = mkdtempSync(join(tmpdir(), 'guard-no-otel-'));
    writeFileSync(
      join(hooks, 'hide.mjs'),
      `import Module, { register } from 'node:module';
       const resolve = Module._resolveFilename;
       Module._resolveFilename = function (request, parent, ...rest) {
         if (request === '@opentelemetry/api' && /[\\/]packages[\\/]core[\\/]dist[\\/]/.test(parent?.filename ?? ''))
           throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
         return resolve.call(this, request, parent, ...rest);
       };
       register('./hooks.mjs', import.meta.url);`,
    );
    writeFileSync(
      join(hooks, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
         if (specifier === '@opentelemetry/api' && /\\/packages\\/core\\/dist\\//.test(context.parentURL ?? ''))
           throw Object.assign(new Error("Cannot find package '@opentelemetry/api'"), { code: 'ERR_MODULE_NOT_FOUND' });
         return next(specifier, context);
       }`,
    );
  });
  afterAll(() => rmSync(hooks, { recursive: true, force: true }));

  /** Registers an SDK globally, then counts one hit of a rate limiter: the guard.* metrics seen. */
  function recorded(
    type: 'commonjs' | 'module',
    hideApi: boolean,
  ): { names: string[]; scopes: string[]; allowed: boolean } {
    const loadCore =
      type === 'commonjs' ? `require('@guard-suite/core')` : `await import('@guard-suite/core')`;
    const byPath = (name: string) =>
      JSON.stringify(
        pathToFileURL(require.resolve(name, { paths: [join(packagesDir, 'core')] })).href,
      );
    const script = `
      const { metrics } = await import(${byPath('@opentelemetry/api')});
      const { MeterProvider, MetricReader } = await import(${byPath('@opentelemetry/sdk-metrics')});
      class Reader extends MetricReader {
        onForceFlush() { return Promise.resolve(); }
        onShutdown() { return Promise.resolve(); }
      }
      const reader = new Reader();
      metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
      const core = ${loadCore};
      await core.metricsReady();
      const limiter = core.createRateLimiter({ limit: 1 });
      const { allowed } = limiter.consume('client');
      const { resourceMetrics } = await reader.collect();
      const names = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((m) => m.descriptor.name));
      const scopes = resourceMetrics.scopeMetrics.map(({ scope }) => scope.name + '@' + scope.version);
      console.log(JSON.stringify({ names, scopes, allowed }));`;
    const out = execFileSync(
      process.execPath,
      [
        ...(hideApi ? ['--import', join(hooks, 'hide.mjs')] : []),
        `--input-type=${type}`,
        '-e',
        // CommonJS has no top-level await.
        type === 'commonjs' ? `(async () => {${script}})()` : script,
      ],
      { cwd: join(packagesDir, 'core'), encoding: 'utf8', timeout: 10_000 },
    );
    return JSON.parse(out) as { names: string[]; scopes: string[]; allowed: boolean };
  }

  it.each(['commonjs', 'module'] as const)(
    'records into the global MeterProvider when the API is installed (%s)',
    (type) => {
      const { version } = JSON.parse(
        readFileSync(join(packagesDir, 'core', 'package.json'), 'utf8'),
      ) as { version: string };
      expect(recorded(type, false)).toEqual({
        names: ['guard.rate_limit.store.duration'],
        // The meter carries the version the build was made from.
        scopes: [`guard-core@${version}`],
        allowed: true,
      });
    },
  );

  it.each(['commonjs', 'module'] as const)(
    'loads, works and records nothing when the API cannot be found (%s)',
    (type) => {
      expect(recorded(type, true)).toEqual({ names: [], scopes: [], allowed: true });
    },
  );
});
