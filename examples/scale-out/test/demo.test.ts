import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { leftovers } from '../process-registry.mjs';
import { waitUntil } from '../redis-topology.mjs';
import { describeWithRedisServer } from './scale-checks';

interface Health {
  instance: string;
  rateLimit: { mode: string };
  shared: { rateLimits: string; breakerState: string };
}

describeWithRedisServer('npm run demo:cluster', () => {
  it('serves the upload service from 3 instances sharing one Redis, and Ctrl-C stops everything it started', async () => {
    // A run name of its own, so what the demo leaves (nothing) is told apart from other tests'.
    const run = `demo${randomUUID().slice(0, 8)}`;
    const demo = spawn(process.execPath, [join(__dirname, '..', 'demo-cluster.mjs')], {
      env: { ...process.env, PORT: '0', GUARD_SCALE_RUN: run },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    demo.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
    try {
      const url = await waitUntil(
        () => /upload service .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
        'the demo to print its URL',
        { timeoutMs: 45_000 },
      );
      const answers: { health: Health; remaining: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${url}/health`);
        const remaining = Number(/;r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1]);
        answers.push({ health: (await res.json()) as Health, remaining });
      }
      // Round robin: three instances answered, each telling who it is…
      expect(new Set(answers.map((a) => a.health.instance))).toEqual(
        new Set(['upload-1', 'upload-2', 'upload-3']),
      );
      // …and they count one shared limit: each answer leaves one fewer request.
      const [first] = answers;
      expect(answers.map((a) => a.remaining)).toEqual(
        [0, 1, 2].map((i) => (first?.remaining ?? 0) - i),
      );
      for (const { health } of answers)
        expect(health.shared).toMatchObject({ rateLimits: 'redis', breakerState: 'redis' });
      expect((await fetch(`${url}/`)).status).toBe(200);
    } finally {
      demo.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(leftovers(run)).toEqual({ dirs: [], processes: [] });
  }, 60_000);
});
