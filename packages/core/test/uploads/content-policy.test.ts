import { deflateRawSync } from 'node:zlib';
import { matchContent } from '../../src/uploads/content-policy';
import { sniffType } from '../../src/uploads/file-type';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
  'hex',
);

describe('sniffType and matchContent', () => {
  it('recognises a PNG and accepts it as .png', async () => {
    const detected = await sniffType(PNG);
    expect(detected).toEqual({ ext: 'png', mime: 'image/png' });
    expect(matchContent('.png', detected)).toEqual({ ok: true, mimeType: 'image/png' });
  });

  it('refuses a PNG renamed .pdf or .txt', async () => {
    const detected = await sniffType(PNG);
    expect(matchContent('.pdf', detected).ok).toBe(false);
    expect(matchContent('.txt', detected).ok).toBe(false);
  });

  it('accepts unrecognised bytes only as text', async () => {
    const detected = await sniffType(Buffer.from('just words'));
    expect(detected).toBeUndefined();
    expect(matchContent('.txt', detected)).toEqual({ ok: true, mimeType: 'text/plain' });
    expect(matchContent('.pdf', detected).ok).toBe(false);
  });

  it('turns a sniffer that never answers into a refusal, not a hang', async () => {
    const hanging = () => Promise.resolve(() => new Promise<never>(() => undefined));
    const detected = await sniffType(PNG, 20, hanging);
    expect(detected).toBe('unrecognised');
    expect(matchContent('.png', detected).ok).toBe(false);
  });

  it('turns a sniffer that throws into a refusal, not a crash', async () => {
    const throwing = () =>
      Promise.resolve(() => Promise.reject(new RangeError('offset out of bounds')));
    await expect(sniffType(PNG, 1000, throwing)).resolves.toBe('unrecognised');
  });

  it('turns truncated zip input into a verdict, never an exception', async () => {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(0xffffffff, 18);
    header.writeUInt16LE(8, 26);
    const truncated = Buffer.concat([
      header,
      Buffer.from('bomb.bin'),
      deflateRawSync(Buffer.alloc(1024 * 1024)).subarray(0, 100),
    ]);
    const detected = await sniffType(truncated);
    expect(matchContent('.docx', detected).ok).toBe(false);
  });
});
