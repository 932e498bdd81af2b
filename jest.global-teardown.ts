import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { leftovers } from './examples/scale-out/process-registry.mjs';
import { leftoverKeys } from './packages/guard-spec/src/leftover-keys';

/**
 * Fails the run when it left something behind (issue 14 #9, issue 13): a Redis key under this run's
 * `guard-test:<run>:` namespace (deleted here, then reported), a new key under the library's default
 * prefixes, or a process or temporary folder the scale-out harness started (stopped and removed
 * here, then reported). A test that forgets its cleanup fails the run instead of filling the shared
 * Redis or the machine.
 */
export default async function globalTeardown(): Promise<void> {
  const run = process.env.GUARD_TEST_RUN;
  if (!run) return;
  const problems = await leftoverProcesses(run);
  if (process.env.GUARD_REDIS_AVAILABLE === '1') {
    const before = (globalThis as { guardKeysBefore?: string[] }).guardKeysBefore ?? [];
    problems.push(...(await leftoverKeys(run, before)));
  }
  if (problems.length > 0)
    throw new Error(`this test run left things behind:\n${problems.join('\n')}`);
}

async function leftoverProcesses(run: string): Promise<string[]> {
  // A reaper may still be sweeping up after a test worker that just ended: give it a moment.
  let left = leftovers(run);
  for (let i = 0; i < 50 && left.dirs.length + left.processes.length > 0; i++) {
    await sleep(100);
    left = leftovers(run);
  }
  for (const { pid } of left.processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  for (const dir of left.dirs) rmSync(dir, { recursive: true, force: true });
  return [
    ...left.processes.map(({ pid, command }) => `process ${pid} still running: ${command}`),
    ...left.dirs.map((dir) => `temporary folder left: ${dir}`),
  ];
}
