import { safeGet } from '../logging/safe-get';

/**
 * Whether a response failed only because the client went away while it was being written: a
 * reset or broken pipe on the write to its socket, or the premature close that Node's `pipeline`
 * reports for a response whose connection closed (Koa 3 streams every body that way). That is no
 * failure of the server: nobody is left to answer, and logging it as an error would bury the real
 * ones. The premature close of a source that ended early looks the same and is not told apart.
 * A reset while reading from an upstream has syscall `read` and still counts as an error.
 */
export function isClientGone(error: unknown): boolean {
  const code = safeGet(error, 'code');
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
  return (code === 'ECONNRESET' || code === 'EPIPE') && safeGet(error, 'syscall') === 'write';
}
