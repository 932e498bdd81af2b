// Benchmark dispatcher: `pnpm bench <name> [args]` runs bench/<name>.mjs. Run with no name to list them.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
  .map((f) => f.slice(0, -'.mjs'.length));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.log(
    `usage: pnpm bench <name> [args]\navailable: ${available.join(', ') || '(none yet)'}`,
  );
  process.exit(name ? 1 : 0);
}
process.argv = [process.argv[0], join(here, `${name}.mjs`), ...args];
await import(pathToFileURL(join(here, `${name}.mjs`)).href);
