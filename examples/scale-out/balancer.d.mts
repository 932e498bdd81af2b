// Types of balancer.mjs, for the TypeScript tests.
export interface Balancer {
  url: string;
  readonly errors: number;
  close(): Promise<void>;
}
export function startBalancer(targets: string[], options?: { port?: number }): Promise<Balancer>;
