import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireOptional } from '../../src/deps/optional-dependency';
import { ErrorCodes, isGuardError } from '../../src/index';

describe('requireOptional (optional peer dependencies)', () => {
  it('returns the module when it is installed', () => {
    const { Piscina } = requireOptional<{ Piscina: unknown }>('piscina', 'createIsolatedPool');
    expect(typeof Piscina).toBe('function');
  });

  it('throws ERR_GUARD_MISSING_DEPENDENCY naming the feature and the install command', () => {
    let caught: unknown;
    try {
      requireOptional('guard-suite-no-such-package', 'createWidget');
    } catch (error) {
      caught = error;
    }
    expect(isGuardError(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: ErrorCodes.MISSING_DEPENDENCY,
      status: 500,
      expose: false,
      dependency: 'guard-suite-no-such-package',
      message:
        'createWidget needs the optional dependency "guard-suite-no-such-package", which is not ' +
        'installed: npm install guard-suite-no-such-package',
    });
  });

  it('lets a broken install of the dependency surface as it is (not as missing)', () => {
    // A package that is there but fails to load (here: one of its own imports is missing) is not
    // reported as "not installed": that message would send the user the wrong way.
    const root = mkdtempSync(join(tmpdir(), 'optional-dep-'));
    const dir = join(root, 'node_modules', 'guard-suite-broken-package');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"guard-suite-broken-package","main":"i.js"}');
    writeFileSync(join(dir, 'i.js'), "require('guard-suite-its-own-missing-import');");
    try {
      expect(() => requireOptional(join(dir, 'i.js'), 'createWidget')).toThrow(
        /Cannot find module 'guard-suite-its-own-missing-import'/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
