// The teardown that cannot be skipped. Started detached (its own process group) by
// process-registry.mjs, it reads its parent's registrations on stdin, one per line:
//   +group <pgid> | -group <pgid> | +dir <path> | -dir <path>
// Its stdin is a pipe from the parent, so it reaches end-of-file when the parent exits, however it
// exits (a failed test, an uncaught error, SIGKILL of the test worker, Ctrl-C). Then every process
// group still registered is killed and every folder still registered is removed.
import { rmSync } from 'node:fs';

const groups = new Set();
const dirs = new Set();
let pending = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let end;
  while ((end = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const match = /^([+-])(group|dir) (.+)$/.exec(line);
    if (!match) continue;
    const [, op, kind, value] = match;
    const set = kind === 'group' ? groups : dirs;
    if (op === '+') set.add(value);
    else set.delete(value);
  }
});
process.stdin.on('end', () => {
  for (const pgid of groups) {
    try {
      process.kill(-Number(pgid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // Killed processes may still hold files open for a moment; removal does not care on Linux.
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
// Ctrl-C in a terminal reaches the whole foreground group; this process is in its own group, and
// must outlive its parent anyway.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
