import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AbortedError } from '../errors/aborted-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';
import { isTextExtension, matchContent } from './content-policy';
import { FileWriter } from './file-writer';
import { SNIFF_BYTES, sniffType } from './file-type';
import { BINARY_SCRIPT_PATTERNS, ScriptScanner, TEXT_SCRIPT_PATTERNS } from './script-scanner';
import { TextCheck } from './text-check';

/** What one pass over a file's bytes established. */
export interface ReceivedContent {
  size: number;
  sha256: string;
  mimeType: string;
}

/** The checks `receiveContent` applies while the bytes pass. */
export interface ReceiveLimits {
  maxFileBytes: number;
  extension: string;
  scanText: boolean;
}

/**
 * Streams a file into an open descriptor in ONE pass: bytes are counted (413 the moment `maxFileBytes`
 * is crossed, without reading further), written in batches, hashed while the write is in flight,
 * scanned for script openers across chunk boundaries, checked as UTF-8 for text types, and the first
 * {@link SNIFF_BYTES} are sniffed by file-type while the rest keeps flowing. `cancel` (client gone,
 * timeout, another file failed) stops it at once. The descriptor is always closed when it settles.
 */
export function receiveContent(
  stream: Readable,
  fd: number,
  limits: ReceiveLimits,
): { done: Promise<ReceivedContent>; cancel: (reason: Error) => void } {
  let cancel: (reason: Error) => void = () => undefined;
  const done = new Promise<ReceivedContent>((resolve, reject) => {
    const writer = new FileWriter(fd);
    const hash = createHash('sha256');
    const isText = isTextExtension(limits.extension);
    const text = isText ? new TextCheck() : undefined;
    const scanner = limits.scanText
      ? new ScriptScanner(isText ? TEXT_SCRIPT_PATTERNS : BINARY_SCRIPT_PATTERNS)
      : undefined;
    let size = 0;
    let head: Buffer[] = [];
    let headBytes = 0;
    let sniffed: ReturnType<typeof sniffType> | undefined;
    let ended = false;
    let settled = false;

    const detach = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', fail);
      stream.off('close', onClose);
      // Keep an error listener: a late parser error on a stream nobody reads must not crash the process.
      stream.on('error', () => undefined);
    };
    const fail = (reason: Error) => {
      if (settled) return;
      settled = true;
      detach();
      // Discard whatever is still buffered for this part: the parser can move on, nothing is written.
      stream.resume();
      head = [];
      void writer.destroy().then(() => reject(reason));
    };
    cancel = fail;

    const startSniff = () => {
      const sample = head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head, headBytes);
      head = [];
      sniffed = sniffType(sample.subarray(0, SNIFF_BYTES));
      // Judge as soon as the type is known, so a PNG named .pdf stops here, not after the last byte.
      void sniffed.then((detected) => {
        const verdict = matchContent(limits.extension, detected);
        if (!verdict.ok) fail(new UnsupportedMediaTypeError(verdict.reason));
      });
    };

    function onData(chunk: Buffer) {
      if (settled) return;
      size += chunk.length;
      if (size > limits.maxFileBytes) {
        fail(
          new PayloadTooLargeError(`The file is larger than ${limits.maxFileBytes} bytes`, {
            limitName: 'upload.maxFileBytes',
            limit: limits.maxFileBytes,
          }),
        );
        return;
      }
      if (!writer.write(chunk)) {
        stream.pause();
        writer.drain(() => {
          if (!settled) stream.resume();
        });
      }
      // Hashing after handing the chunk to the writer overlaps it with the write on the thread pool.
      hash.update(chunk);
      if (text && !text.push(chunk)) {
        fail(new UnsupportedMediaTypeError(text.failure ?? 'The text file is invalid'));
        return;
      }
      if (scanner?.push(chunk)) {
        fail(new UnsupportedMediaTypeError('The file contains script content'));
        return;
      }
      if (sniffed === undefined) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= SNIFF_BYTES) startSniff();
      }
    }

    function onEnd() {
      ended = true;
      if (settled) return;
      if (sniffed === undefined) startSniff();
      if (text && !text.end()) {
        fail(new UnsupportedMediaTypeError(text.failure ?? 'The text file is invalid'));
        return;
      }
      void (sniffed as NonNullable<typeof sniffed>).then(async (detected) => {
        if (settled) return;
        const verdict = matchContent(limits.extension, detected);
        if (!verdict.ok) return fail(new UnsupportedMediaTypeError(verdict.reason));
        try {
          await writer.end();
        } catch (error) {
          return fail(error as Error);
        }
        if (settled) return;
        settled = true;
        detach();
        resolve({ size, sha256: hash.digest('hex'), mimeType: verdict.mimeType });
      });
    }

    function onClose() {
      if (!ended) fail(new AbortedError('The upload stopped before the file was complete'));
    }

    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', fail);
    stream.on('close', onClose);
    // The part may have been torn down while the name and disk were being checked.
    if (stream.destroyed && !stream.readableEnded)
      fail(new AbortedError('The upload stopped before the file was complete'));
  });
  return { done, cancel: (reason) => cancel(reason) };
}
