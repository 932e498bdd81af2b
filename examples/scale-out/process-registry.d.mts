// Types of process-registry.mjs, for the TypeScript tests.
import type { ChildProcess, SpawnOptions } from 'node:child_process';

export const RUN: string;
export const TEMP_PREFIX: string;
export const CHILD_MARK: string;
export function spawnGroup(command: string, args: string[], options?: SpawnOptions): ChildProcess;
export function exited(child: ChildProcess): Promise<void>;
export function stopGroup(
  child: ChildProcess,
  options?: { signal?: NodeJS.Signals; graceMs?: number },
): Promise<void>;
export function makeTempDir(label: string): string;
export function removeDir(dir: string): void;
export function registered(): { groups: number[]; dirs: string[] };
export function leftovers(run?: string): {
  dirs: string[];
  processes: { pid: number; command: string }[];
};
