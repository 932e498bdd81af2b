import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });
const PROBLEM = /^application\/problem\+json/;

/** `jsonBody()`: strict JSON parsing under size, depth, key and prototype-poisoning limits. */
export function describeJsonBody(h: Harness): void {
  describe(`jsonBody (${h.name})`, () => {
    const app = (options?: unknown) =>
      h.mount({
        errorHandler: quiet(),
        routes: [
          {
            method: 'post',
            path: '/json',
            use: [h.kit.jsonBody(options)],
            handler: (io) => ({
              body: io.body === undefined ? '(none)' : io.body,
              polluted: ({} as Record<string, unknown>).isAdmin ?? null,
              ownIsAdmin: Object.keys((io.body as object | null) ?? {}).includes('isAdmin'),
            }),
          },
        ],
      });
    const post = (body: string, type = 'application/json', options?: unknown) =>
      request(app(options)).post('/json').set('Content-Type', type).send(body);

    it('parses a JSON body', async () => {
      const res = await post('{"name":"Ada","tags":["a"],"n":1}');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ body: { name: 'Ada', tags: ['a'], n: 1 } });
    });

    it('accepts application/*+json and an explicit UTF-8 charset', async () => {
      expect((await post('{"a":1}', 'application/merge-patch+json')).status).toBe(200);
      expect((await post('{"a":1}', 'application/json; charset=UTF-8')).status).toBe(200);
    });

    it('leaves a request without a body alone', async () => {
      const res = await request(app()).post('/json');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ body: '(none)' });
    });

    it('answers 400 to JSON nested 10,000 levels deep', async () => {
      const res = await post(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ detail: 'Invalid input provided' });
    });

    it('answers 400 to 100,000 keys', async () => {
      const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',');
      const res = await post(`{${keys}}`, 'application/json', { maxBytes: 10_000_000 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ detail: 'Invalid input provided' });
    });

    it('counts depth and keys outside strings only', async () => {
      const res = await post(JSON.stringify({ text: '[[[[{{{{:::::'.repeat(100) }), undefined, {
        maxDepth: 2,
        maxKeys: 1,
      });
      expect(res.status).toBe(200);
    });

    it('answers 400 to {"__proto__":{"isAdmin":true}} and pollutes nothing', async () => {
      const res = await post('{"__proto__":{"isAdmin":true}}');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ detail: 'Invalid input provided' });
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('answers 400 to a constructor.prototype key', async () => {
      const res = await post('{"constructor":{"prototype":{"isAdmin":true}}}');
      expect(res.status).toBe(400);
    });

    it("strips prototype keys with protoAction: 'remove' and keeps the rest", async () => {
      const res = await post('{"a":1,"__proto__":{"isAdmin":true}}', undefined, {
        protoAction: 'remove',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ body: { a: 1 }, polluted: null, ownIsAdmin: false });
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['a look-alike type', 'application/jsonx'],
      ['a Latin-1 charset', 'application/json; charset=latin1'],
    ])('answers 415 to %s', async (_name, type) => {
      const res = await post('{"a":1}', type);
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    });

    it('answers 415 to a body without a content type', async () => {
      const res = await request(app())
        .post('/json')
        .set('Content-Length', '7')
        .unset('Content-Type')
        .send(Buffer.from('{"a":1}'));
      expect(res.status).toBe(415);
    });

    it('answers 413 over maxBytes', async () => {
      const res = await post(JSON.stringify({ pad: 'x'.repeat(200) }), undefined, {
        maxBytes: 100,
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({
        detail: 'Payload too large: the JSON body is larger than 100 bytes',
      });
    });

    it('answers 400 to malformed JSON without echoing it', async () => {
      const res = await post('{"password":"hunter2",');
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
    });

    it.each([
      ['maxBytes: 0', { maxBytes: 0 }],
      ['maxBytes: NaN', { maxBytes: NaN }],
      ['maxDepth: -1', { maxDepth: -1 }],
      ['maxDepth: Infinity', { maxDepth: Infinity }],
      ['maxKeys: -0', { maxKeys: -0 }],
      ['maxKeys: "10"', { maxKeys: '10' }],
      ['protoAction: "ignore"', { protoAction: 'ignore' }],
      ['protoAction: null', { protoAction: null }],
      ['an unknown key', { maxDepht: 3 }],
      ['an array', []],
    ])('refuses %s at construction', (_name, options) => {
      expect(() => h.kit.jsonBody(options)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });
  });
}
