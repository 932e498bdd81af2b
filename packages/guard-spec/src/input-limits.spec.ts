import type { IncomingMessage } from 'node:http';
import type { Harness } from './harness';
import { listen, rawRequest, sleep } from './http-helpers';
import { createMemoryLogger } from './memory-logger';

const memory = createMemoryLogger();
const quiet = () => ({ logger: memory.logger });

/** Reads a body the way body parsers do ('data', 'end', 'error'; no destroy) and resolves its length. */
function countBody(req: IncomingMessage): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => resolve({ bytes }));
    req.on('error', reject);
  });
}

/** Input limits (`inputLimits()` and `guard({ inputLimits })`): 414, 413 declared and streamed. */
export function describeInputLimits(h: Harness): void {
  describe(`input limits (${h.name})`, () => {
    /** /echo reads the whole body by hand and answers its length, so a cut-off body surfaces as an error. */
    function app(options: unknown) {
      return h.mount({
        use: [h.kit.inputLimits(options)],
        errorHandler: quiet(),
        maxHeaderSize: 256 * 1024,
        routes: [
          { method: 'get', path: '/', handler: () => ({ ok: true }) },
          {
            method: 'post',
            path: '/echo',
            handler: (io) => countBody(io.req),
          },
        ],
      });
    }

    it('answers 414 to a 100 KB URL', async () => {
      const { port, close } = await listen(app({}));
      try {
        const res = await rawRequest(port, { path: `/?q=${'a'.repeat(100_000)}` });
        expect(res.status).toBe(414);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).not.toContain('aaaa');
      } finally {
        await close();
      }
    });

    it('lets a URL at exactly maxUrlLength through', async () => {
      const { port, close } = await listen(app({ maxUrlLength: 20 }));
      try {
        const path = `/?q=${'a'.repeat(16)}`;
        expect(path).toHaveLength(20);
        expect((await rawRequest(port, { path })).status).toBe(200);
        expect((await rawRequest(port, { path: `${path}a` })).status).toBe(414);
      } finally {
        await close();
      }
    });

    it('answers 413 to a 2 GB declared Content-Length before reading the body, and closes the connection', async () => {
      const { port, close } = await listen(app({}));
      try {
        const res = await rawRequest(
          port,
          {
            method: 'POST',
            path: '/echo',
            headers: { 'content-length': String(2 * 1024 ** 3), 'content-type': 'text/plain' },
          },
          (send) => send('only a few bytes of the promised two gigabytes'),
        );
        expect(res.status).toBe(413);
        expect(res.headers.connection).toBe('close');
        expect(JSON.parse(res.body)).toMatchObject({
          status: 413,
          detail: 'Payload too large: the request body is larger than 1048576 bytes',
        });
      } finally {
        await close();
      }
    });

    it('cuts off a chunked body that never ends at maxBodyBytes with 413', async () => {
      const { port, close } = await listen(app({ maxBodyBytes: 64 * 1024 }));
      try {
        let sent = 0;
        const res = await rawRequest(
          port,
          { method: 'POST', path: '/echo', headers: { 'transfer-encoding': 'chunked' } },
          (send) => {
            const chunk = Buffer.alloc(8 * 1024, 'x');
            const pump = async () => {
              // Never ends by itself: stops only when the server has answered and closed.
              for (;;) {
                const accepted = send(chunk);
                if (accepted === null) return; // the server answered and the request was torn down
                if (!accepted) await sleep(1);
                sent += chunk.length;
                if (sent > 64 * 1024 * 1024) return;
                await sleep(0);
              }
            };
            void pump();
          },
        );
        expect(res.status).toBe(413);
        expect(sent).toBeLessThan(64 * 1024 * 1024);
      } finally {
        await close();
      }
    });

    it('lets a chunked body under the limit through, whole', async () => {
      const { port, close } = await listen(app({ maxBodyBytes: 1024 }));
      try {
        const res = await rawRequest(
          port,
          { method: 'POST', path: '/echo', headers: { 'transfer-encoding': 'chunked' } },
          (send, end) => {
            send('a'.repeat(500));
            send('b'.repeat(524));
            end();
          },
        );
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toEqual({ bytes: 1024 });
      } finally {
        await close();
      }
    });

    it('lets a declared body at exactly maxBodyBytes through and refuses one byte more', async () => {
      const { port, close } = await listen(app({ maxBodyBytes: 100 }));
      try {
        const post = (body: string) =>
          rawRequest(
            port,
            { method: 'POST', path: '/echo', headers: { 'content-length': String(body.length) } },
            (send, end) => {
              send(body);
              end();
            },
          );
        expect((await post('x'.repeat(100))).status).toBe(200);
        expect((await post('x'.repeat(101))).status).toBe(413);
      } finally {
        await close();
      }
    });

    it.each([
      ['maxUrlLength: 0', { maxUrlLength: 0 }],
      ['maxUrlLength: NaN', { maxUrlLength: NaN }],
      ['maxUrlLength: "2048"', { maxUrlLength: '2048' }],
      ['maxBodyBytes: -1', { maxBodyBytes: -1 }],
      ['maxBodyBytes: Infinity', { maxBodyBytes: Infinity }],
      ['maxBodyBytes: -Infinity', { maxBodyBytes: -Infinity }],
      ['maxBodyBytes: null', { maxBodyBytes: null }],
      ['maxBodyBytes: []', { maxBodyBytes: [] }],
      ['an unknown key', { maxBodyByte: 10 }],
      ['null', null],
    ])('refuses %s at construction', (_name, options) => {
      expect(() => h.kit.inputLimits(options)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });

    it('suggests the right name for a typo', () => {
      expect(() => h.kit.inputLimits({ maxBodyByte: 10 })).toThrow(/did you mean "maxBodyBytes"/);
    });
  });
}
