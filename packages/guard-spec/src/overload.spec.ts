import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

/** Overload control through `guard()`: request criticality, the adaptive limit and its queue. */
export function describeOverloadControl(h: Harness): void {
  describe(`overload control (${h.name})`, () => {
    const opened: { close(): void }[] = [];
    afterEach(() => {
      for (const g of opened.splice(0)) g.close();
    });
    /** guard() with only the sections these scenarios need. */
    const guard = (options: Record<string, unknown> = {}) => {
      const g = h.kit.guard({ rateLimit: false, loadShedding: false, helmet: false, ...options });
      opened.push(g);
      return g;
    };
    /** An app whose GET /class answers the criticality the handler sees. */
    const classApp = (g: unknown) =>
      h.mount({
        use: [g],
        errorHandler: quiet(),
        routes: [
          {
            method: 'get',
            path: '/class',
            handler: (io) => ({ criticality: io.guard?.criticality }),
          },
          {
            method: 'get',
            path: '/batch/class',
            handler: (io) => ({ criticality: io.guard?.criticality }),
          },
        ],
      });

    describe('criticality', () => {
      it('is critical for every request by default, and a Guard-Criticality header is ignored', async () => {
        const app = classApp(guard());
        const plain = await request(app).get('/class');
        expect(plain.body).toEqual({ criticality: 'critical' });
        const claimed = await request(app).get('/class').set('Guard-Criticality', 'critical_plus');
        expect(claimed.body).toEqual({ criticality: 'critical' });
      });

      it('honours the header only with trustCriticalityHeader: true', async () => {
        const app = classApp(guard({ trustCriticalityHeader: true }));
        const claimed = await request(app).get('/class').set('Guard-Criticality', 'sheddable');
        expect(claimed.body).toEqual({ criticality: 'sheddable' });
        const nonsense = await request(app).get('/class').set('Guard-Criticality', 'urgent');
        expect(nonsense.body).toEqual({ criticality: 'critical' });
      });

      it('takes the class from the criticality callback, which sees req / ctx', async () => {
        const app = classApp(
          guard({
            criticality: (r: { url?: string; path?: string }) =>
              (r.path ?? r.url ?? '').startsWith('/batch') ? 'sheddable' : undefined,
          }),
        );
        expect((await request(app).get('/batch/class')).body).toEqual({ criticality: 'sheddable' });
        expect((await request(app).get('/class')).body).toEqual({ criticality: 'critical' });
      });

      it.each([
        ['criticality: "sheddable"', { criticality: 'sheddable' }],
        ['trustCriticalityHeader: "yes"', { trustCriticalityHeader: 'yes' }],
      ])('refuses %s at construction', (_name, options) => {
        expect(() => h.kit.guard(options)).toThrow(
          expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
        );
      });
    });
  });
}
