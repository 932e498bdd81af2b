// What `npm start` and `npm test` must redo before they run: an install when the lockfile or a
// package.json changed since the last one, and a build of each package whose sources changed since
// its dist was written. Decided from file times, so an up-to-date clone starts in a second.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written into node_modules after every install that this script ran or saw succeed. */
export const INSTALL_MARKER = join('node_modules', '.guard-install-stamp');

/** The published packages, built by tsup into dist/. */
export const BUILT_PACKAGES = ['core', 'express-guard', 'koa-guard'];

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : undefined);

/** The newest modification time under `path` (a file or a folder, node_modules left out). */
function newest(path) {
  const stat = existsSync(path) ? statSync(path) : undefined;
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** Every package.json of the workspace (root, packages, examples, bench): their deps feed the install. */
function manifests(root) {
  const found = [join(root, 'package.json'), join(root, 'bench', 'package.json')];
  for (const group of ['packages', 'examples']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) found.push(join(dir, entry, 'package.json'));
  }
  return found.filter((path) => existsSync(path));
}

/**
 * What is out of date in the workspace at `root`.
 * @returns {{ install: boolean, build: string[] }} `build` lists package folders (under packages/)
 */
export function staleSteps(root) {
  const installedAt = mtime(join(root, INSTALL_MARKER));
  const install =
    installedAt === undefined ||
    [join(root, 'pnpm-lock.yaml'), join(root, 'pnpm-workspace.yaml'), ...manifests(root)].some(
      (path) => (mtime(path) ?? 0) > installedAt,
    );
  const build = BUILT_PACKAGES.filter((name) => {
    const dir = join(root, 'packages', name);
    // tsup rewrites every output file on each build; the oldest one tells when the last build ran.
    const outputs = ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'].map((file) =>
      mtime(join(dir, 'dist', file)),
    );
    if (outputs.some((time) => time === undefined)) return true;
    const builtAt = Math.min(...outputs);
    const inputs = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json'];
    return install || Math.max(...inputs.map((input) => newest(join(dir, input)))) > builtAt;
  });
  return { install, build };
}
