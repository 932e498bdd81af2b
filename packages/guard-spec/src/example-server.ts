import { spawn } from 'node:child_process';

/** A started example server. */
export interface ExampleServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts an example's `server.mjs` as its users do (`node server.mjs`, built packages, PORT=0) and
 * resolves with the URL it prints, proving the demo command works end to end.
 */
export async function startExampleServer(
  serverPath: string,
  env: Record<string, string> = {},
): Promise<ExampleServer> {
  const child = spawn(process.execPath, [serverPath], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`${serverPath} exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
