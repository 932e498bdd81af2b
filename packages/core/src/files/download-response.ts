import type { ReadStream } from 'node:fs';
import { contentDisposition } from './content-disposition';
import type { FileStore } from './file-store';
import type { UploadRecord } from '../uploads/upload-record';

/** Everything an adapter needs to send a stored file as a download. */
export interface StoredFileDownload {
  status: 200;
  headers: Record<string, string>;
  stream: ReadStream;
}

/**
 * Prepares a stored upload for download, framework-free: the name is confined by the store (400 or
 * 404 before any header is written), the file is sent as an attachment under its original name
 * (RFC 6266 encoding), with the mime type decided at upload time and `nosniff`, so a browser never
 * renders uploaded content as a page of this site.
 * @example
 * const { status, headers, stream } = await prepareDownload(store, req.params.storedName);
 */
export async function prepareDownload(
  store: FileStore,
  storedName: string,
): Promise<StoredFileDownload> {
  // The file itself first: a name that escapes the store is a 400 even when it has no record. One
  // open gives the length and the bytes, so Content-Length always matches what is sent.
  const { size, stream } = await store.open(storedName);
  let record: UploadRecord;
  try {
    record = await store.metadata(storedName);
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const mimeType =
    typeof record.mimeType === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(record.mimeType)
      ? record.mimeType
      : 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': mimeType,
    'content-disposition': contentDisposition(
      typeof record.originalName === 'string' ? record.originalName : storedName,
    ),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  };
  headers['content-length'] = String(size);
  return { status: 200, headers, stream };
}
