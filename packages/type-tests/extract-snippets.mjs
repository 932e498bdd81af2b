// Writes every ```ts and ```js block of the READMEs and docs/ into snippets/<framework>/, one module
// each, for tsc to check as a user's strict nodenext project would (tsconfig.json). A block is a Koa
// snippet when it imports Koa or koa-guard, or starts with a `// Koa` comment; otherwise Express.
// Names a snippet leaves undeclared (app, req, logger, …) are typed in globals/<framework>.d.ts.
// The file name keeps the source and line: snippets/express/docs__guard.md-L22.ts is the block
// whose first line is line 23 of docs/guard.md (line N of the file is line 22 + N of the doc).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'snippets');

const sources = [
  'README.md',
  ...readdirSync(join(root, 'docs'), { recursive: true })
    // docs/api is TypeDoc's output: its examples come from TSDoc, which the type tests cover.
    .filter((name) => String(name).endsWith('.md') && !String(name).startsWith('api/'))
    .map((name) => join('docs', String(name))),
  ...['core', 'express-guard', 'koa-guard'].map((pkg) => join('packages', pkg, 'README.md')),
];

const isKoa = (code) =>
  /from '(koa|@koa\/router|@guard-suite\/koa-guard)'/.test(code) || /^\s*\/\/ Koa\b/.test(code);

rmSync(out, { recursive: true, force: true });
const counts = { express: 0, koa: 0 };
for (const source of sources) {
  const lines = readFileSync(join(root, source), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js)\b/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    const code = body.join('\n');
    const framework = isKoa(code) ? 'koa' : 'express';
    const dir = join(out, framework);
    mkdirSync(dir, { recursive: true });
    const name = `${relative(root, join(root, source)).replaceAll('/', '__')}-L${start + 1}.ts`;
    // `export {}` makes every snippet a module, so its own names shadow the globals.
    writeFileSync(join(dir, name), `${code}\nexport {};\n`);
    counts[framework]++;
  }
}
console.log(
  `extract-snippets: ${counts.express} Express and ${counts.koa} Koa snippets from ${sources.length} files`,
);
