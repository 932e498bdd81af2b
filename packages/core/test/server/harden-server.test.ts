import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { applyHardening, hardenServer } from '../../src/server/harden-server';

describe('hardenServer', () => {
  it('applies safe defaults', () => {
    const server = hardenServer(createServer());
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(5_000);
    expect(server.maxHeadersCount).toBe(100);
    expect(server.maxRequestsPerSocket).toBe(1000);
  });

  it('applies the given values', () => {
    const server = createServer();
    const applied = applyHardening(server, {
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      keepAliveTimeoutMs: 1000,
      maxHeadersCount: 50,
      maxRequestsPerSocket: 10,
    });
    expect(applied).toMatchObject({ headersTimeoutMs: 2000, maxRequestsPerSocket: 10 });
    expect(server.headersTimeout).toBe(2000);
    expect(server.requestTimeout).toBe(4000);
    expect(server.keepAliveTimeout).toBe(1000);
    expect(server.maxHeadersCount).toBe(50);
    expect(server.maxRequestsPerSocket).toBe(10);
  });

  it('disconnects a slowloris client dribbling its headers one byte a second within the configured time', async () => {
    const headersTimeoutMs = 1500;
    const server = hardenServer(
      createServer((_req, res) => res.end('ok')),
      { headersTimeoutMs, requestTimeoutMs: 3000 },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    // One header byte a second, never finishing the headers.
    const drip = setInterval(() => socket.write('X'), 1000);
    try {
      await new Promise((resolve) => socket.on('close', resolve));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(headersTimeoutMs - 50);
      // Node checks connections on an interval (a quarter of the timeout here, 375 ms): the client
      // is gone within that of the configured time, plus scheduling slack. Node's default: 60 s.
      expect(elapsed).toBeLessThan(headersTimeoutMs + 375 + 1000);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([
    ['headersTimeoutMs: 0', { headersTimeoutMs: 0 }],
    ['requestTimeoutMs: -1', { requestTimeoutMs: -1 }],
    ['keepAliveTimeoutMs: NaN', { keepAliveTimeoutMs: NaN }],
    ['maxHeadersCount: Infinity', { maxHeadersCount: Infinity }],
    ['maxRequestsPerSocket: "10"', { maxRequestsPerSocket: '10' }],
    [
      'headers timeout over the request timeout',
      { headersTimeoutMs: 5000, requestTimeoutMs: 1000 },
    ],
    ['an unknown key', { headerTimeoutMs: 5 }],
  ])('refuses %s', (_name, options) => {
    expect(() => hardenServer(createServer(), options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
    );
  });

  it('refuses something that is not a server', () => {
    expect(() => hardenServer({} as never)).toThrow(
      /hardenServer: "server" must be a node:http Server/,
    );
  });
});
