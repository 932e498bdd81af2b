// Types of fleet.mjs, for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';
import type { Connection } from './redis-topology.mjs';

export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** The JSON lines the instance printed (its log entries). */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}
export interface Fleet {
  instances: Instance[];
  stop(): Promise<void[]>;
}

export const FLEET_APP: string;
export function startInstance(
  script: string,
  options?: {
    name?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    onLog?: (entry: Record<string, unknown>) => void;
  },
): Promise<Instance>;
export function startFleet(options: {
  connection: Connection;
  prefix: string;
  frameworks?: ('express' | 'koa')[];
  env?: Record<string, string>;
}): Promise<Fleet>;
