import { crc32, deflateRawSync } from 'node:zlib';

/** Sample contents for the upload scenarios: each is the real signature of its format. */

/** A valid 1×1 PNG. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** A JPEG/JFIF header followed by filler. */
export const JPG = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010101004800480000', 'hex'),
  Buffer.alloc(64, 0x11),
  Buffer.from('ffd9', 'hex'),
]);

/** A minimal PDF. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/** A GIF header followed by PHP: the classic image/webshell polyglot. */
export const GIF_PHP_POLYGLOT = Buffer.concat([
  Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04', 'latin1'),
  Buffer.from('<?php system($_GET["c"]); ?>', 'latin1'),
  Buffer.from(';', 'latin1'),
]);

/** A plain GIF (no script). */
export const GIF = Buffer.from(
  '47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b',
  'hex',
);

/** A Windows executable header. */
export const EXE = Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(126, 0x90)]);

/** An OLE compound file header (legacy .doc). */
export const CFB_DOC = Buffer.concat([
  Buffer.from('d0cf11e0a1b11ae1', 'hex'),
  Buffer.alloc(504, 0),
]);

interface ZipEntry {
  name: string;
  data: Buffer;
  deflate?: boolean;
}

/** Builds a zip archive by hand (local headers, central directory, end record). */
export function makeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const crc = crc32(entry.data);
    const method = entry.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;

/** A minimal Word document (.docx is a zip whose [Content_Types].xml names the Word main part). */
export const DOCX = makeZip([
  { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES), deflate: true },
  {
    name: 'word/document.xml',
    data: Buffer.from(
      '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
    ),
    deflate: true,
  },
]);

/** A zip bomb: one entry of 16 MiB of zeros that deflates to about 16 KiB. Only its header may be read. */
export function zipBomb(): Buffer {
  return makeZip([{ name: 'bomb.bin', data: Buffer.alloc(16 * 1024 * 1024), deflate: true }]);
}

/** A zip bomb dressed as Office: its [Content_Types].xml inflates to 8 MiB, over file-type's 1 MiB cap. */
export function officeZipBomb(): Buffer {
  const padding = Buffer.alloc(8 * 1024 * 1024, 0x20);
  return makeZip([
    {
      name: '[Content_Types].xml',
      data: Buffer.concat([Buffer.from(CONTENT_TYPES), padding]),
      deflate: true,
    },
  ]);
}
