import type { RateLimitStore, StoreOptions } from '@guard-suite/core';

/** Builds a fresh store for one contract test; `close()` is called after it. */
export type StoreFactory = (options: StoreOptions) => RateLimitStore;

let sequence = 0;
const freshKey = () => `client-${process.pid}-${++sequence}`;

/** The behaviour every rate-limit store shares (STYLE.md section 6: `runStoreContract`). */
export function runStoreContract(label: string, createStore: StoreFactory): void {
  describe(`${label} store contract`, () => {
    const stores: RateLimitStore[] = [];
    const make = (options: Partial<StoreOptions> = {}) => {
      const store = createStore({ limit: 3, windowMs: 60_000, blockMs: 0, ...options });
      stores.push(store);
      return store;
    };
    const hit = async (store: RateLimitStore, key: string) => ({ ...(await store.increment(key)) });
    afterEach(() => {
      for (const store of stores.splice(0)) store.close();
    });

    it('counts a first hit as 1 with the whole window ahead', async () => {
      const first = await hit(make(), freshKey());
      expect(first.count).toBe(1);
      expect(first.resetMs).toBeGreaterThan(55_000);
      expect(first.resetMs).toBeLessThanOrEqual(60_000);
    });

    it('counts each key on its own', async () => {
      const store = make();
      const a = freshKey();
      const b = freshKey();
      expect((await hit(store, a)).count).toBe(1);
      expect((await hit(store, a)).count).toBe(2);
      expect((await hit(store, b)).count).toBe(1);
      expect((await hit(store, a)).count).toBe(3);
    });

    it('keeps counting past the limit, so the limiter can reject', async () => {
      const store = make();
      const key = freshKey();
      for (let i = 0; i < 3; i++) await hit(store, key);
      expect((await hit(store, key)).count).toBeGreaterThan(3);
      expect((await hit(store, key)).count).toBeGreaterThan(3);
    });

    it('counts 50 concurrent hits on one key exactly once each', async () => {
      const store = make({ limit: 100 });
      const key = freshKey();
      const counts = (await Promise.all(Array.from({ length: 50 }, () => hit(store, key)))).map(
        (h) => h.count,
      );
      expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('peeks at a count without counting, and at nothing for an unknown key', async () => {
      const store = make();
      const key = freshKey();
      expect(await store.peek(key)).toBeUndefined();
      await hit(store, key);
      await hit(store, key);
      const seen = await store.peek(key);
      expect(seen?.count).toBe(2);
      expect(seen?.resetMs).toBeGreaterThan(55_000);
      expect((await store.peek(key))?.count).toBe(2);
    });

    it('starts over after reset(key)', async () => {
      const store = make();
      const key = freshKey();
      for (let i = 0; i < 4; i++) await hit(store, key);
      await store.reset(key);
      expect(await store.peek(key)).toBeUndefined();
      expect((await hit(store, key)).count).toBe(1);
    });

    it('takes one hit back on refund(key), keeping its window, never below zero', async () => {
      const store = make();
      const key = freshKey();
      await hit(store, key);
      await hit(store, key);
      await store.refund(key);
      const seen = await store.peek(key);
      expect(seen?.count).toBe(1);
      expect(seen?.resetMs).toBeGreaterThan(55_000);
      await store.refund(key);
      await store.refund(key);
      expect((await store.peek(key))?.count ?? 0).toBe(0);
      expect((await hit(store, key)).count).toBe(1);
    });

    it('leaves an unknown key alone on refund(key)', async () => {
      const store = make();
      const key = freshKey();
      await store.refund(key);
      expect(await store.peek(key)).toBeUndefined();
      expect((await hit(store, key)).count).toBe(1);
    });

    it('counts 20 concurrent hits and 10 refunds on one key to exactly 10', async () => {
      const store = make({ limit: 100 });
      const key = freshKey();
      await hit(store, key);
      await Promise.all([
        ...Array.from({ length: 19 }, () => hit(store, key)),
        ...Array.from({ length: 10 }, () => store.refund(key)),
      ]);
      expect((await store.peek(key))?.count).toBe(10);
    });

    it('holds a key over the limit for blockMs, longer than its window', async () => {
      const store = make({ limit: 2, windowMs: 2000, blockMs: 30_000 });
      const key = freshKey();
      await hit(store, key);
      expect((await hit(store, key)).resetMs).toBeLessThanOrEqual(2000);
      const over = await hit(store, key);
      expect(over.count).toBe(3);
      expect(over.resetMs).toBeGreaterThan(25_000);
      expect((await hit(store, key)).resetMs).toBeGreaterThan(25_000);
    });
  });
}
