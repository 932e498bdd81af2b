import request from 'supertest';
import { type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

/** `validate()` with Standard Schema validators (zod 4 for most scenarios; valibot and arktype too). */
export function describeValidate(h: Harness): void {
  describe(`validate (${h.name})`, () => {
    const user = z.object({ name: z.string().min(1), age: z.number().int().min(0) });
    const app = (options?: unknown) =>
      h.mount({
        errorHandler: quiet(),
        routes: [
          {
            method: 'post',
            path: '/users/:id',
            use: [
              h.kit.jsonBody(),
              h.kit.validate(
                {
                  body: user,
                  params: z.object({ id: z.coerce.number().int() }),
                  query: z.object({ dryRun: z.enum(['yes', 'no']).default('no') }),
                },
                options,
              ),
            ],
            handler: (io) => {
              const req = io.req as unknown as { query?: unknown; params?: unknown };
              return { body: io.body, query: req.query ?? null, params: req.params ?? null };
            },
          },
        ],
      });

    it('passes valid input on with the validated values', async () => {
      const res = await request(app()).post('/users/7').send({ name: 'Ada', age: 36 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ body: { name: 'Ada', age: 36 } });
    });

    it('answers 400 "Invalid input provided" without field details by default', async () => {
      const res = await request(app()).post('/users/7').send({ name: 'Ada', age: 'old' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ detail: 'Invalid input provided' });
      expect(res.body).not.toHaveProperty('invalidParams');
      expect(JSON.stringify(res.body)).not.toContain('age');
    });

    it('lists the failing fields with revealFields: true', async () => {
      const res = await request(app({ revealFields: true }))
        .post('/users/x?dryRun=maybe')
        .send({ name: '', age: -1 });
      expect(res.status).toBe(400);
      const names = (
        res.body as { invalidParams: { name: string; reason: string }[] }
      ).invalidParams
        .map((p) => p.name)
        .sort();
      expect(names).toEqual(['body.age', 'body.name', 'params.id', 'query.dryRun']);
      for (const p of (res.body as { invalidParams: { reason: string }[] }).invalidParams)
        expect(typeof p.reason).toBe('string');
    });

    // The same body rule in each validator the issue names: any Standard Schema one serves.
    it.each([
      ['zod', z.object({ name: z.string().min(1), age: z.number().int().min(0) })],
      [
        'valibot',
        v.object({
          name: v.pipe(v.string(), v.minLength(1)),
          age: v.pipe(v.number(), v.integer(), v.minValue(0)),
        }),
      ],
      ['arktype', type({ name: 'string > 0', age: 'number.integer >= 0' })],
    ])('works with %s', async (_name, body) => {
      const server = h.mount({
        errorHandler: quiet(),
        routes: [
          {
            method: 'post',
            path: '/people',
            use: [h.kit.jsonBody(), h.kit.validate({ body }, { revealFields: true })],
            handler: (io) => ({ body: io.body }),
          },
        ],
      });
      const ok = await request(server).post('/people').send({ name: 'Ada', age: 36 });
      expect([ok.status, ok.body]).toEqual([200, { body: { name: 'Ada', age: 36 } }]);
      const bad = await request(server).post('/people').send({ name: 'Ada', age: 1.5 });
      expect(bad.status).toBe(400);
      const names = (bad.body as { invalidParams: { name: string }[] }).invalidParams.map(
        (p) => p.name,
      );
      expect(names).toEqual(['body.age']);
    });

    it('validates asynchronous schemas too', async () => {
      const slowCheck = z
        .object({ name: z.string() })
        .refine((v) => Promise.resolve(v.name !== 'taken'));
      const server = h.mount({
        errorHandler: quiet(),
        routes: [
          {
            method: 'post',
            path: '/',
            use: [h.kit.jsonBody(), h.kit.validate({ body: slowCheck })],
            handler: () => ({ ok: true }),
          },
        ],
      });
      expect((await request(server).post('/').send({ name: 'free' })).status).toBe(200);
      expect((await request(server).post('/').send({ name: 'taken' })).status).toBe(400);
    });

    it.each([
      ['no schemas', {}],
      ['a non-schema body', { body: { type: 'object' } }],
      ['a function', { body: () => true }],
      ['an unknown part', { headers: z.object({}) }],
      ['null', null],
    ])('refuses %s at construction', (_name, schemas) => {
      expect(() => h.kit.validate(schemas)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });

    it.each([
      ['revealFields: "yes"', { revealFields: 'yes' }],
      ['an unknown option', { revealField: true }],
    ])('refuses the option %s at construction', (_name, options) => {
      expect(() => h.kit.validate({ body: user }, options)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });
  });
}
