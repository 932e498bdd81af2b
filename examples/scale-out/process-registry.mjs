// Every process and folder the scale-out harness starts is registered here, so it is stopped and
// removed at the end whatever happens: stopGroup()/removeDir() in the normal course, a synchronous
// sweep on process exit (a failed test, an uncaught error), and the reaper (reaper.mjs) when this
// process dies without running any code (SIGKILL, Ctrl-C).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Names this run: set by jest's global setup (GUARD_SCALE_RUN), which checks at the end that nothing
 * marked with it is left; a script run alone gets its own.
 */
export const RUN = process.env.GUARD_SCALE_RUN ?? `pid${process.pid}`;
/** Prefix of every temporary folder this run creates. */
export const TEMP_PREFIX = `guard-scale-${RUN}-`;
/** Environment variable every process the harness starts carries (value: RUN), to find leftovers. */
export const CHILD_MARK = 'GUARD_SCALE_CHILD';

const REAPER = fileURLToPath(new URL('./reaper.mjs', import.meta.url));
const groups = new Map();
const dirs = new Set();
let reaper;
let exitHooked = false;

function tell(line) {
  if (!reaper) {
    reaper = spawn(process.execPath, [REAPER], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // Neither the reaper nor the pipe to it may keep this process alive.
    reaper.unref();
    reaper.stdin.unref();
    reaper.stdin.on('error', () => {});
  }
  reaper.stdin.write(`${line}\n`);
}

function releaseReaperWhenIdle() {
  if (groups.size > 0 || dirs.size > 0 || !reaper) return;
  reaper.stdin.end();
  reaper = undefined;
}

function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const pgid of groups.keys()) killGroupNow(pgid, 'SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

function killGroupNow(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // the group is gone already
  }
}

/**
 * Spawns `command` as the leader of a new process group (so its own children, such as a
 * redis-server's fork for replication, are stopped with it) and registers the group.
 */
export function spawnGroup(command, args, options = {}) {
  hookExit();
  const env = { ...(options.env ?? process.env), [CHILD_MARK]: RUN };
  const child = spawn(command, args, { ...options, env, detached: true });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  groups.set(child.pid, child);
  tell(`+group ${child.pid}`);
  return child;
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Stops a process group: `signal` first, SIGKILL after `graceMs` if the leader is still running,
 * then forgets it. Resolves once the leader has exited.
 */
export async function stopGroup(child, { signal = 'SIGKILL', graceMs = 2000 } = {}) {
  const pgid = child.pid;
  if (!groups.has(pgid)) return;
  killGroupNow(pgid, signal);
  if (signal !== 'SIGKILL') {
    const timer = setTimeout(() => killGroupNow(pgid, 'SIGKILL'), graceMs);
    await exited(child);
    clearTimeout(timer);
  } else await exited(child);
  // Members of the group other than the leader (a fork) get the same end.
  killGroupNow(pgid, 'SIGKILL');
  groups.delete(pgid);
  tell(`-group ${pgid}`);
  releaseReaperWhenIdle();
}

/** Creates a registered temporary folder `/tmp/guard-scale-<label>-XXXXXX`. */
export function makeTempDir(label) {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${label}-`));
  dirs.add(dir);
  tell(`+dir ${dir}`);
  return dir;
}

/** Removes a registered temporary folder. */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  if (!dirs.delete(dir)) return;
  tell(`-dir ${dir}`);
  releaseReaperWhenIdle();
}

/** Process groups and folders still registered (for tests of the harness itself). */
export function registered() {
  return { groups: [...groups.keys()], dirs: [...dirs] };
}

/**
 * What run `run` left behind: its temporary folders, and the live processes marked with it (by
 * their environment, or for a redis-server, which overwrites its environment with its process
 * title, by a working directory in one of the run's folders). Empty after a clean run; jest's
 * global teardown fails the run otherwise.
 */
export function leftovers(run = RUN) {
  const dirs = readdirSync(tmpdir())
    .filter((name) => name.startsWith(`guard-scale-${run}-`))
    .map((name) => join(tmpdir(), name));
  const mark = `${CHILD_MARK}=${run}\0`;
  const processes = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const marked = `${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(mark);
      if (marked || readlinkSync(`/proc/${entry}/cwd`).includes(`/guard-scale-${run}-`)) {
        const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1')
          .replaceAll('\0', ' ')
          .trim();
        processes.push({ pid: Number(entry), command });
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return { dirs, processes };
}
