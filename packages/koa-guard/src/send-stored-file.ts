import type { Context } from 'koa';
import { prepareDownload } from '@guard-suite/core/internal';
import type { FileStore } from '@guard-suite/core';

/**
 * Sends a stored upload as a download: `Content-Disposition: attachment` with its original name
 * (RFC 6266), its stored mime type and `X-Content-Type-Options: nosniff`. A refused name throws a
 * 400-class error and a missing file 404 before anything is set; Koa destroys the file stream when the
 * response ends or the client leaves.
 * @example router.get('/files/:name', (ctx) => sendStoredFile(ctx, store, ctx.params.name));
 */
export async function sendStoredFile(
  ctx: Context,
  store: FileStore,
  storedName: string,
): Promise<void> {
  const { status, headers, stream } = await prepareDownload(store, storedName);
  // The body first: assigning a stream makes Koa drop Content-Length, which the headers then restore.
  ctx.body = stream;
  ctx.status = status;
  ctx.set(headers);
}
