import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { isClientGone, prepareDownload } from '@guard-suite/core/internal';
import type { FileStore } from '@guard-suite/core';

/**
 * Sends a stored upload as a download: `Content-Disposition: attachment` with its original name
 * (RFC 6266), its stored mime type and `X-Content-Type-Options: nosniff`. A refused name rejects with
 * a 400-class error and a missing file with 404, before any header is written; a client that leaves
 * mid-download only closes the file, and a read error mid-download is thrown after the response is cut.
 * @example app.get('/files/:name', (req, res) => sendStoredFile(res, store, req.params.name));
 */
export async function sendStoredFile(
  res: Response,
  store: FileStore,
  storedName: string,
): Promise<void> {
  const { status, headers, stream } = await prepareDownload(store, storedName);
  res.status(status).set(headers);
  try {
    await pipeline(stream, res);
  } catch (error) {
    // The client went away: nobody to answer, nothing to report. Anything else (a read error of the
    // file) is thrown, even after the response was cut, so the error handler logs it.
    if (isClientGone(error)) return;
    throw error;
  }
}
