import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../redis-topology.mjs';
import { describeWithRedisServer } from './scale-checks';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describeWithRedisServer('the scale-out harness cleans up after a process that dies', () => {
  it.each([
    ['an uncaught error (a failing test)', 'throw'],
    ['process.exit()', 'exit'],
    ['SIGKILL (nothing of its own runs)', 'sigkill'],
  ])(
    'stops its redis-server and app processes and removes its folders after %s',
    async (_how, die) => {
      const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'dying-harness.mjs')], {
        env: { ...process.env, DIE: die },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      const started = await new Promise<{ pids: number[]; dirs: string[] }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n')[0];
          if (out.includes('\n') && line)
            resolve(JSON.parse(line) as { pids: number[]; dirs: string[] });
        });
        child.once('exit', (code) =>
          reject(new Error(`exited (${code}) before reporting: ${out}`)),
        );
      });
      expect(started.pids.every(alive)).toBe(true);
      expect(started.dirs.every((dir) => existsSync(dir))).toBe(true);
      if (die === 'sigkill') child.kill('SIGKILL');
      else child.stdin.write('die\n');
      await waitUntil(
        () =>
          started.pids.every((pid) => !alive(pid)) && started.dirs.every((dir) => !existsSync(dir)),
        'every process stopped and every folder removed',
        { timeoutMs: 15_000 },
      );
    },
    30_000,
  );
});
