/** Number of hash slots of a Redis Cluster. */
const SLOTS = 16_384;

/** CRC16-CCITT (XMODEM) by table, as Redis Cluster hashes keys (cluster spec, appendix A). */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  return crc;
}

const encoder = new TextEncoder();

/**
 * The Cluster hash slot of `key` (0–16383), as `CLUSTER KEYSLOT` computes it: only the part inside
 * the first non-empty `{…}` is hashed when there is one, so keys sharing that tag share a slot.
 */
export function keySlot(key: string): number {
  // Most keys are ASCII: their UTF-16 code units are their UTF-8 bytes, so nothing is encoded.
  if (isAscii(key)) return asciiSlot(key);
  const bytes = encoder.encode(key);
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) % SLOTS;
  }
  return crc16(bytes, 0, bytes.length) % SLOTS;
}

function isAscii(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return false;
  return true;
}

function asciiSlot(key: string): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ key.charCodeAt(i)) & 0xff] as number);
  return crc % SLOTS;
}

/**
 * Which Redis server holds `key`: on an ioredis Cluster, the primary its slot maps to right now
 * (`host:port` from the client's slot table, which ioredis updates after a failover or a
 * resharding); `''` for a single server (standalone or Sentinel) or while the table is unknown.
 * The Redis fallback keeps its failure state per server, so one Cluster node going down does not
 * take the keys of the others off Redis.
 */
export function redisServerOf(client: object, key: string): string {
  const slots = (client as { slots?: unknown }).slots;
  if (!Array.isArray(slots)) return '';
  const owners: unknown = slots[keySlot(key)];
  return Array.isArray(owners) && typeof owners[0] === 'string' ? owners[0] : '';
}
