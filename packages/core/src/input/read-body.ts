import type { IncomingMessage, ServerResponse } from 'node:http';
import { AbortedError } from '../errors/aborted-error';
import { isGuardError } from '../errors/guard-error';
import { tooLarge } from './input-limits';

/**
 * Reads a request body into one Buffer, failing with `PayloadTooLargeError` as soon as it passes
 * `maxBytes` (or at once when the declared `Content-Length` does), and with `AbortedError` when the
 * client leaves. Listeners are removed whatever the outcome.
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  limitName: string,
  what: string,
): Promise<Buffer> {
  const tooLargeError = () => tooLarge(res, maxBytes, limitName, what);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooLargeError());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        // Stop reading: the unread rest is dropped when the 413 closes the connection.
        req.pause();
        reject(tooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(isGuardError(error) ? error : new AbortedError(undefined, { cause: error }));
    };
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(new AbortedError('Client disconnected while sending the body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
