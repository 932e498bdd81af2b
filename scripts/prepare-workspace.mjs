// `npm start` and `npm test` run this first: it installs (pnpm, frozen lockfile) and builds only
// what is out of date (scripts/workspace-state.mjs), so a second start skips both.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALL_MARKER, staleSteps } from './workspace-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// The pnpm the lockfile was written with, fetched by npx on a machine without it.
const pnpm = (...args) =>
  execFileSync('npx', ['-y', 'pnpm@12.4.2', ...args], { cwd: root, stdio: 'inherit' });

const { install, build } = staleSteps(root);
if (install) {
  console.log('== installing (the lockfile or a package.json changed)');
  pnpm('install', '--frozen-lockfile');
  writeFileSync(join(root, INSTALL_MARKER), `${new Date().toISOString()}\n`);
}
if (build.length > 0) {
  console.log(`== building ${build.map((name) => `packages/${name}`).join(', ')}`);
  pnpm('-r', ...build.flatMap((name) => ['--filter', `./packages/${name}`]), 'run', 'build');
} else if (!install) {
  console.log('== install and build are up to date (scripts/prepare-workspace.mjs)');
}
