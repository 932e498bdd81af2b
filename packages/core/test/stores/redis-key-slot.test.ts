import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '@guard-suite/core';
import { keySlot, redisServerOf } from '../../src/stores/redis-key-slot';

describe('keySlot', () => {
  // Each expected value is what redis-server 7.0.15 answered to CLUSTER KEYSLOT.
  it.each([
    ['123456789', 12739],
    ['{user1000}.following', 3443],
    ['foo{}{bar}', 8363],
    ['foo{{bar}}zap', 4015],
    ['foo{bar}{zap}', 5061],
    ['guard:rate-limit:api:1.2.3.4', 7984],
    ['{guard}:rate-limit:api:1.2.3.4', 11898],
    ['clé€', 15557],
    ['', 0],
  ])('hashes %p to slot %p as Redis Cluster does', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });

  it('puts keys sharing a hash tag in one slot, and spreads untagged keys', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    const slots = new Set(
      Array.from({ length: 1000 }, (_, i) => keySlot(`guard:rate-limit:default:10.0.${i}`)),
    );
    expect(slots.size).toBeGreaterThan(950);
  });
});

describe('redisServerOf', () => {
  it("names the primary a Cluster client's slot table maps the key to", () => {
    const slots: string[][] = [];
    slots[keySlot('a')] = ['127.0.0.1:7001', '127.0.0.1:7004'];
    expect(redisServerOf({ slots }, 'a')).toBe('127.0.0.1:7001');
    expect(redisServerOf({ slots }, 'b')).toBe('');
  });

  it('is one server for a client without a slot table (standalone, Sentinel)', () => {
    expect(redisServerOf({}, 'a')).toBe('');
  });
});

describe('RedisClient', () => {
  it('is what an ioredis Redis, a Sentinel Redis and a Cluster are (checked by the type checker)', () => {
    const standalone = new Redis({ lazyConnect: true });
    const sentinel = new Redis({ lazyConnect: true, sentinels: [{ port: 26379 }], name: 'p' });
    const cluster = new Cluster([{ port: 7000 }], { lazyConnect: true });
    const clients: RedisClient[] = [standalone, sentinel, cluster];
    for (const client of clients) expect(client.status).toBe('wait');
    for (const client of [standalone, sentinel, cluster]) client.disconnect();
  });
});
