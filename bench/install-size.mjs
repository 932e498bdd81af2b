// Install size of each package against the bare framework: `pnpm bench install-size`. Packs the
// three packages as published (pnpm pack), installs them by their scoped names into fresh temp
// projects with npm, and reports `du` of node_modules and the package count. Needs the registry
// (npm's cache serves repeated runs) and a build (`pnpm run build`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The pnpm running this script (`pnpm run …` sets npm_execpath: a script or pnpm's own binary),
// else the one on PATH.
const execPath = process.env.npm_execpath ?? '';
const pnpm = !/pnpm/.test(execPath)
  ? ['pnpm']
  : /\.[cm]?js$/.test(execPath)
    ? [process.execPath, execPath]
    : [execPath];
const work = mkdtempSync(join(tmpdir(), 'guard-install-size-'));
const tarball = {};
for (const pkg of ['core', 'express-guard', 'koa-guard']) {
  const out = execFileSync(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', work], {
    cwd: join(root, 'packages', pkg),
    encoding: 'utf8',
  });
  tarball[pkg] = out.trim().split('\n').pop();
}

/** Package folders under node_modules (scoped ones counted one by one, nested ones too). */
function countPackages(dir) {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) count += countPackages(join(dir, entry.name));
    else {
      count += 1;
      const nested = join(dir, entry.name, 'node_modules');
      try {
        count += countPackages(nested);
      } catch {
        // no nested node_modules
      }
    }
  }
  return count;
}

const setups = [
  ['express@5 (bare)', ['express@5']],
  ['express@5 + @guard-suite/express-guard', ['express@5', tarball.core, tarball['express-guard']]],
  ['express@4 (bare)', ['express@4']],
  ['express@4 + @guard-suite/express-guard', ['express@4', tarball.core, tarball['express-guard']]],
  ['koa@3 (bare)', ['koa@3']],
  ['koa@3 + @guard-suite/koa-guard', ['koa@3', tarball.core, tarball['koa-guard']]],
  ['@guard-suite/core alone', [tarball.core]],
  ['@guard-suite/core + piscina (createIsolatedPool)', [tarball.core, 'piscina@5']],
];
console.log('| install | node_modules (du) | packages |');
console.log('| --- | ---: | ---: |');
for (const [label, specs] of setups) {
  const dir = join(work, label.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{"name":"size","version":"1.0.0","private":true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
  });
  const kib = Number(
    execFileSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0],
  );
  console.log(
    `| ${label} | ${(kib / 1024).toFixed(1)} MiB | ${countPackages(join(dir, 'node_modules'))} |`,
  );
}
rmSync(work, { recursive: true, force: true });
