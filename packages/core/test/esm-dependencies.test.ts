import { fileTypeFromBuffer } from 'file-type/node';

// file-type ships ESM only (imported by its 'file-type/node' subpath, which resolves under require too); this proves jest's transform loads such dependencies in tests.
describe('ESM-only dependencies under jest', () => {
  it('loads file-type and sniffs a PNG signature', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await expect(fileTypeFromBuffer(png)).resolves.toEqual({ ext: 'png', mime: 'image/png' });
  });
});
