// Types of redis-topology.mjs, for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';

export type Connection =
  | { kind: 'standalone'; host: string; port: number }
  | { kind: 'cluster'; nodes: { host: string; port: number }[] }
  | { kind: 'sentinel'; name: string; sentinels: { host: string; port: number }[] };

export interface RedisNode {
  name: string;
  port: number;
  role: 'primary' | 'replica' | 'sentinel';
  alive: boolean;
  dir: string;
  /** Cluster nodes only. */
  id?: string;
  child: ChildProcess | undefined;
}

export interface ClusterNodeView {
  id: string;
  port: number;
  flags: string[];
  primaryId: string | undefined;
  connected: boolean;
  slots: string[];
}

export interface Topology {
  kind: 'standalone' | 'cluster' | 'sentinel';
  dir: string;
  nodes: RedisNode[];
  connection: Connection;
  kill(node: RedisNode): Promise<void>;
  restart(node: RedisNode): Promise<void>;
  stop(): Promise<void>;
}
export interface ClusterTopology extends Topology {
  view(): Promise<ClusterNodeView[]>;
}
export interface SentinelTopology extends Topology {
  primaryPort(): Promise<number>;
}

export function freePorts(count: number): Promise<number[]>;
export function redisCli(
  port: number,
  args: string[],
  options?: { timeoutMs?: number },
): Promise<string>;
export function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  options?: { timeoutMs?: number; intervalMs?: number },
): Promise<T>;
export function parseInfo(text: string): Record<string, string>;
export function clusterNodes(port: number): Promise<ClusterNodeView[]>;
export function startStandalone(): Promise<Topology>;
export function startCluster(options?: {
  primaries?: number;
  replicas?: number;
  nodeTimeoutMs?: number;
}): Promise<ClusterTopology>;
export function startSentinel(options?: {
  replicas?: number;
  sentinels?: number;
  name?: string;
  downAfterMs?: number;
}): Promise<SentinelTopology>;
