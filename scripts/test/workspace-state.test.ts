import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error -- a plain JavaScript script without type declarations
import { INSTALL_MARKER as marker, staleSteps as stale } from '../workspace-state.mjs';

const INSTALL_MARKER = marker as string;
const staleSteps = stale as (root: string) => { install: boolean; build: string[] };

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('scripts/workspace-state staleSteps (what npm start and npm test redo)', () => {
  let root: string;
  /** Writes a file of the fake workspace with a given modification time. */
  const file = (path: string, time = T0) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, time, time);
  };
  const built = (pkg: string, time: Date) => {
    for (const out of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'])
      file(`packages/${pkg}/dist/${out}`, time);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'workspace-state-'));
    for (const path of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) file(path);
    for (const pkg of ['core', 'express-guard', 'koa-guard']) {
      file(`packages/${pkg}/package.json`);
      file(`packages/${pkg}/src/index.ts`);
    }
    file('examples/upload-service/package.json');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('on a fresh clone installs and builds the three packages', () => {
    expect(staleSteps(root)).toEqual({
      install: true,
      build: ['core', 'express-guard', 'koa-guard'],
    });
  });

  it('skips both once the install and the builds are newer than their inputs', () => {
    file(INSTALL_MARKER, later(10));
    for (const pkg of ['core', 'express-guard', 'koa-guard']) built(pkg, later(20));
    expect(staleSteps(root)).toEqual({ install: false, build: [] });
  });

  it('rebuilds only the package whose source changed after its build', () => {
    file(INSTALL_MARKER, later(10));
    for (const pkg of ['core', 'express-guard', 'koa-guard']) built(pkg, later(20));
    file('packages/koa-guard/src/deep/step.ts', later(30));
    expect(staleSteps(root)).toEqual({ install: false, build: ['koa-guard'] });
  });

  it('reinstalls (and so rebuilds) when the lockfile or an example manifest changed', () => {
    file(INSTALL_MARKER, later(10));
    for (const pkg of ['core', 'express-guard', 'koa-guard']) built(pkg, later(20));
    file('pnpm-lock.yaml', later(30));
    expect(staleSteps(root).install).toBe(true);
    file('pnpm-lock.yaml', later(5));
    file('examples/upload-service/package.json', later(30));
    expect(staleSteps(root)).toEqual({
      install: true,
      build: ['core', 'express-guard', 'koa-guard'],
    });
  });

  it('builds a package whose dist is partial (a build that was interrupted)', () => {
    file(INSTALL_MARKER, later(10));
    for (const pkg of ['core', 'express-guard', 'koa-guard']) built(pkg, later(20));
    rmSync(join(root, 'packages/core/dist/index.d.cts'));
    expect(staleSteps(root).build).toEqual(['core']);
  });
});
