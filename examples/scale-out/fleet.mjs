// App instances as real child processes, each a registered process group (process-registry.mjs).
// An instance prints its listening line (`{ "listening": port }` or a URL) on stdout; every other
// JSON line it prints is kept as a log entry, so a test can count what each instance logged.
import { fileURLToPath } from 'node:url';
import { spawnGroup, stopGroup } from './process-registry.mjs';

/** The small Express/Koa app of the proof. */
export const FLEET_APP = fileURLToPath(new URL('./fleet-app.mjs', import.meta.url));

/**
 * Starts `node <script>` with `env` and resolves once it listens: `{ name, url, logs, stop() }`.
 * `logs` holds the JSON lines it printed (each also passed to `onLog`); a process that exits first
 * rejects with its stderr.
 */
export function startInstance(script, { name, env = {}, timeoutMs = 30_000, onLog } = {}) {
  const child = spawnGroup(process.execPath, [script], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  let stderr = '';
  let pending = '';
  const instance = {
    name,
    child,
    logs,
    url: '',
    stop: () => stopGroup(child, { signal: 'SIGTERM' }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(error) {
      clearTimeout(timer);
      void instance.stop().then(() => reject(new Error(`${error.message}\n${stderr}`)));
    }
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
    });
    child.stdout.on('data', (chunk) => {
      pending += chunk.toString();
      let end;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          entry = undefined;
        }
        const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
        if (!instance.url && (entry?.listening || url)) {
          instance.url = url ?? `http://127.0.0.1:${entry.listening}`;
          clearTimeout(timer);
          resolve(instance);
        } else if (entry && typeof entry === 'object') {
          logs.push(entry);
          onLog?.(entry);
        }
      }
    });
    child.once('exit', (code, signal) => {
      if (!instance.url) fail(new Error(`${name} exited (${code ?? signal}) before listening`));
    });
  });
}

/**
 * Starts the proof's app once per entry of `frameworks` (default 2 Express + 2 Koa, interleaved so a
 * round-robin balancer alternates them) on the Redis `connection`, all keys under `prefix`.
 */
export async function startFleet({
  connection,
  prefix,
  frameworks = ['express', 'koa', 'express', 'koa'],
  env = {},
}) {
  const started = await Promise.allSettled(
    frameworks.map((framework, i) =>
      startInstance(FLEET_APP, {
        name: `${framework}-${i + 1}`,
        env: {
          FRAMEWORK: framework,
          INSTANCE: `${framework}-${i + 1}`,
          REDIS: JSON.stringify(connection),
          PREFIX: prefix,
          ...env,
        },
      }),
    ),
  );
  const instances = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const stop = () => Promise.all(instances.map((instance) => instance.stop()));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  return { instances, stop };
}
