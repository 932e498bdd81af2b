import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
