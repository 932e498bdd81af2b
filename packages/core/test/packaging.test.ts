import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The built packages (npm test builds them first) load from CommonJS and from ESM alike.
const packagesDir = join(__dirname, '..', '..');
const packages = [
  { name: 'guard-core', dir: 'core' },
  { name: 'express-guard', dir: 'express-guard' },
  { name: 'koa-guard', dir: 'koa-guard' },
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

describe('dependencies loaded on first use (built guard-core)', () => {
  const heavy = /node_modules\/(winston|piscina|rate-limiter-flexible)\//;

  it('importing a package loads none of winston, piscina and rate-limiter-flexible', () => {
    for (const { name, dir } of packages) {
      const loaded = exportedNames(
        dir,
        `require(${JSON.stringify(name)});` +
          `console.log(JSON.stringify(Object.keys(require.cache).filter((k) => ${heavy}.test(k))))`,
        'commonjs',
      );
      expect({ name, loaded }).toEqual({ name, loaded: [] });
    }
  });

  it.each(['commonjs', 'module'] as const)(
    'the %s build loads them when the default logger, a Redis store and a pool are made',
    (type) => {
      const load =
        type === 'commonjs'
          ? `const core = require('guard-core');`
          : `const core = await import('guard-core');`;
      const lines = execFileSync(
        process.execPath,
        [
          `--input-type=${type}`,
          '-e',
          `${load}
           core.createDefaultLogger().info('first use', { build: '${type}' });
           const store = core.createRedisStore({ redis: { status: 'end' }, keyPrefix: 'p', limit: 1, windowMs: 1000, blockMs: 0 });
           const pool = core.createIsolatedPool({ filename: ${JSON.stringify(join(__dirname, 'isolation', 'fixtures', 'echo.cjs'))}, timeoutMs: 1000, maxMemoryMb: 32, maxWorkers: 1 });
           pool.run(7).then(async (out) => { await pool.close(); console.log(JSON.stringify({ out, store: typeof store.increment })); });`,
        ],
        { cwd: join(packagesDir, 'core'), encoding: 'utf8' },
      )
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ level: 'info', message: 'first use', build: type });
      expect(lines[1]).toEqual({ out: 7, store: 'function' });
    },
  );
});
