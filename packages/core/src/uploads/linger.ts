import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a refused upload's remaining body is read and discarded after the answer, at most. */
export const LINGER_MS = 2_000;

/**
 * After answering a refused upload early, stops reading the rest of a huge body: once the answer is
 * out, the remaining input is discarded for at most `lingerMs` (a "lingering close", as nginx does,
 * so the client can read the answer before the connection resets), then the socket is destroyed if
 * the client is still sending. `Connection: close` is not set: Node would destroy the socket the
 * moment the answer is flushed, and a client still writing would then lose the answer to the reset.
 * The timer is unref'd and cleared when the request ends or closes.
 */
export function closeAfterAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  lingerMs = LINGER_MS,
): void {
  if (req.complete || req.destroyed) return;
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    req.resume();
    const socket = req.socket;
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    socket.once('close', clear);
  });
}
