import { safeGet } from '../logging/safe-get';

/**
 * Whether a response failed only because the client went away while it was being written: a reset
 * or broken pipe on its socket (seen on a read or a write, whichever comes first), a connection
 * that ended in the middle of the request (the parser's `HPE_INVALID_EOF_STATE`), or the premature
 * close that Node's `pipeline` reports for a response whose connection closed (Koa 3 streams every
 * body that way). That is no failure of the server: nobody is left to answer, and logging it as an
 * error would bury the real ones. The premature close of a source that ended early looks the same
 * and is not told apart. An upstream response that was cut (Node's http client and fetch report no
 * socket syscall) still counts as an error.
 */
export function isClientGone(error: unknown): boolean {
  const code = safeGet(error, 'code');
  // The parser met the end of the connection in the middle of a request: the client hung up mid-upload.
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'HPE_INVALID_EOF_STATE') return true;
  const syscall = safeGet(error, 'syscall');
  return (code === 'ECONNRESET' || code === 'EPIPE') && (syscall === 'write' || syscall === 'read');
}
