// "Done when" of issue 14, as a script CI runs after the build: pack the three packages as they will be
// published, check each tarball (files, metadata, links, no workspace: ranges, `npm publish --dry-run`),
// then install them by their scoped names into fresh Express 4, Express 5 and Koa apps in temp
// folders (npm, the registry for everything else) and serve the README's app from ESM and from
// CommonJS: a request through guard(), an upload, errorHandler. Each app's TypeScript twin compiles
// under strict + nodenext without skipLibCheck, with neither ioredis nor piscina installed; and
// createIsolatedPool without piscina throws ERR_GUARD_MISSING_DEPENDENCY.
// Usage: node scripts/fresh-install-check.mjs [--keep]   (npm's cache makes later runs faster)
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);
const root = fileURLToPath(new URL('..', import.meta.url));
const here = join(root, 'scripts', 'fresh-apps');
// The pnpm running this script (`pnpm run …` sets npm_execpath: a script or pnpm's own binary),
// else the one on PATH.
const execPath = process.env.npm_execpath ?? '';
const pnpm = !/pnpm/.test(execPath)
  ? ['pnpm']
  : /\.[cm]?js$/.test(execPath)
    ? [process.execPath, execPath]
    : [execPath];
const work = mkdtempSync(join(tmpdir(), 'guard-fresh-'));
const started = Date.now();
const step = (text) => console.log(`== ${text} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const fail = (text) => {
  throw new Error(text);
};

// 1. Pack: pnpm rewrites workspace:* into the version being published.
const packages = ['core', 'express-guard', 'koa-guard'];
const tarballs = {};
for (const pkg of packages) {
  const out = execFileSync(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', work], {
    cwd: join(root, 'packages', pkg),
    encoding: 'utf8',
  });
  tarballs[pkg] = out.trim().split('\n').pop();
}
step(
  `packed ${Object.values(tarballs)
    .map((path) => path.split('/').pop())
    .join(', ')}`,
);

// 2. What each tarball holds and says about itself.
for (const pkg of packages) {
  const tarball = tarballs[pkg];
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  for (const file of [
    'LICENSE',
    'README.md',
    'CHANGELOG.md',
    'dist/index.js',
    'dist/index.cjs',
    'dist/index.d.ts',
    'dist/index.d.cts',
  ])
    if (!files.includes(`package/${file}`)) fail(`${pkg}: the tarball has no ${file}`);
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  );
  for (const field of ['repository', 'homepage', 'bugs', 'license'])
    if (!manifest[field]) fail(`${pkg}: package.json has no ${field}`);
  const ranges = { ...manifest.dependencies, ...manifest.peerDependencies };
  const unpublishable = Object.entries(ranges).filter(([, range]) =>
    range.startsWith('workspace:'),
  );
  if (unpublishable.length > 0)
    fail(`${pkg}: workspace ranges left in ${JSON.stringify(unpublishable)}`);
  const readme = execFileSync('tar', ['-xzOf', tarball, 'package/README.md'], { encoding: 'utf8' });
  const relative = [...readme.matchAll(/\]\((?!https:\/\/|#)([^)]+)\)/g)].map((m) => m[1]);
  if (relative.length > 0) fail(`${pkg}: README links that break on the registry: ${relative}`);
  // A dry run needs no login: it checks and lists what would be published.
  execFileSync('npm', ['publish', '--dry-run', '--tag', 'next', tarball], {
    cwd: work,
    stdio: 'ignore',
  });
}
step(
  'tarballs: LICENSE, README, CHANGELOG, dist, repository/homepage/bugs, absolute links, no workspace: ranges; npm publish --dry-run passes',
);

// 3. Fresh apps. Each installs the tarballs by path (npm records them under their scoped names) and
// the framework from the registry; npm's cache serves repeated runs.
const shared = ['typescript@5.9.3', '@types/node@20'];
const apps = [
  { name: 'express4', adapter: 'express-guard', deps: ['express@4', '@types/express@4'] },
  { name: 'express5', adapter: 'express-guard', deps: ['express@5', '@types/express@5'] },
  { name: 'koa', adapter: 'koa-guard', deps: ['koa@3', '@koa/router@15', '@types/koa@3'] },
];
const headers = {
  'express-guard': {
    esm: `import express from 'express';\nimport * as guardSuite from '@guard-suite/express-guard';`,
    cjs: `const express = require('express');\nconst guardSuite = require('@guard-suite/express-guard');`,
  },
  'koa-guard': {
    esm: `import Koa from 'koa';\nimport Router from '@koa/router';\nimport * as guardSuite from '@guard-suite/koa-guard';`,
    cjs: `const Koa = require('koa');\nconst Router = require('@koa/router');\nconst guardSuite = require('@guard-suite/koa-guard');`,
  },
};
const appSource = (adapter) =>
  readFileSync(join(here, adapter === 'koa-guard' ? 'koa-app.js' : 'express-app.js'), 'utf8');
const requests = readFileSync(join(here, 'requests.js'), 'utf8');

await Promise.all(
  apps.map(async (app) => {
    const dir = join(work, app.name);
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `fresh-${app.name}`, private: true }),
    );
    await execFile(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarballs.core,
        tarballs[app.adapter],
        ...app.deps,
        ...shared,
      ],
      { cwd: dir },
    );
    const code = appSource(app.adapter);
    const head = headers[app.adapter];
    writeFileSync(
      join(dir, 'app.mjs'),
      `import http from 'node:http';\nimport crypto from 'node:crypto';\n${head.esm}\nconst label = '${app.name} ESM';\nconst dataDir = process.argv[2];\n${code}\n${requests}`,
    );
    writeFileSync(
      join(dir, 'app.cjs'),
      `const http = require('node:http');\nconst crypto = require('node:crypto');\n${head.cjs}\nconst label = '${app.name} CommonJS';\nconst dataDir = process.argv[2];\n(async () => {\n${code}\n${requests}\n})().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n`,
    );
    // The same app in TypeScript: what the README promises a strict nodenext project compiles.
    writeFileSync(
      join(dir, 'app.mts'),
      `${head.esm}\nconst dataDir: string = process.cwd();\n${code}\nexport { listener };\n`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['app.mts'],
      }),
    );
  }),
);
step(`installed ${apps.map((app) => app.name).join(', ')} apps under ${work}`);

// The three apps run side by side; each prints its lines when it is done.
const compileFailures = [];
await Promise.all(
  apps.map(async (app) => {
    const dir = join(work, app.name);
    const lines = [];
    for (const file of ['app.mjs', 'app.cjs']) {
      const { stdout } = await execFile(process.execPath, [file, join(dir, 'data', file)], {
        cwd: dir,
        timeout: 60_000,
      });
      // The default logger's JSON line for the 500 is in stdout too; keep only the checks.
      lines.push(...stdout.split('\n').filter((line) => line.startsWith(app.name)));
    }
    const tsc = await execFile(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
      cwd: dir,
    }).then(
      () => '',
      (error) => error.stdout || String(error),
    );
    if (tsc) compileFailures.push(`${app.name}:\n${tsc}`);
    else
      lines.push(
        `${app.name} TypeScript: the README app compiles (strict, nodenext, no skipLibCheck)`,
      );
    console.log(lines.join('\n'));
  }),
);

// 4. An optional peer left out: a clear coded error, at creation.
const missing = execFileSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
  import { createIsolatedPool } from '@guard-suite/express-guard';
  try { createIsolatedPool({ filename: '/tmp/task.mjs', timeoutMs: 1000, maxMemoryMb: 64 }); }
  catch (error) { console.log(error.code + ' ' + error.message); }`,
  ],
  { cwd: join(work, 'express5'), encoding: 'utf8' },
);
if (!missing.startsWith('ERR_GUARD_MISSING_DEPENDENCY') || !missing.includes('npm install piscina'))
  fail(`createIsolatedPool without piscina: ${missing}`);
console.log(`express5: createIsolatedPool without piscina → ${missing.trim()}`);

if (compileFailures.length > 0)
  fail(
    `the README app does not compile (strict, nodenext, no skipLibCheck):\n${compileFailures.join('\n')}`,
  );
if (process.argv.includes('--keep')) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
step('fresh installs: Express 4, Express 5 and Koa apps serve the README from ESM and CommonJS');
