import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { createMemoryLogger } from 'guard-spec';
// @ts-expect-error -- a plain JavaScript example without type declarations
import { createApp } from '../app.mjs';

describe('examples/express-basic', () => {
  it('answers a bug with a generic problem+json 500 and logs the detail under its errorId', async () => {
    const { logger, entries } = createMemoryLogger();
    const app = createApp({ logger });
    const server = app;
    const res = await request(server).get('/fail');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toMatch(/hunter2|10\.0\.0\.7|\/srv\//);
    expect(JSON.stringify(entries[0])).toContain('hunter2');
    expect(entries[0]).toMatchObject({ errorId: res.body.errorId });
    expect((await request(server).get('/nowhere')).status).toBe(404);
  });

  it('starts from its built packages and prints its URL', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'server.mjs')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (match) resolve(match[0]);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
    } finally {
      child.kill();
    }
  });
});
