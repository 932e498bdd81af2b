import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderWrite } from './header-writer';
import type { ProblemResponse } from './problem';

/** Writes one prebuilt refusal on a raw Node response. */
export type RefusalResponder = (req: IncomingMessage, res: ServerResponse) => void;

/** A UUID-shaped stand-in, so the body's length is that of every real one. */
const ERROR_ID_SLOT = '00000000-0000-4000-8000-000000000000';

/**
 * Builds the answer to a refusal that is the same every time (status, headers, body) once: each
 * refusal then costs one UUID, one string concatenation and one `writeHead` of a flat header list
 * (Node checks and copies an object's headers one by one; helmet's dozen headers were most of a
 * refusal's cost in bench/shed-cost.mjs). `build(errorId)` gives the response `report()` would;
 * `securityHeaders` (helmet's recorded writes) go first, as the security-headers step sets them
 * before anything else; `onRefusal` counts it (and logs it, when it is among the first few).
 */
export function createRefusalResponder(
  build: (errorId: string) => ProblemResponse,
  securityHeaders: readonly HeaderWrite[],
  onRefusal: (req: IncomingMessage, errorId: string) => void,
): RefusalResponder {
  const { status, headers, body } = build(ERROR_ID_SLOT);
  const json = JSON.stringify(body);
  const at = json.indexOf(ERROR_ID_SLOT);
  const before = json.slice(0, at);
  const after = json.slice(at + ERROR_ID_SLOT.length);
  const problemHeaders = Object.entries(headers);
  const ours = new Set(problemHeaders.map(([name]) => name.toLowerCase()));
  const headerList: string[] = [];
  for (const [name, value] of securityHeaders) {
    // A removal (helmet's X-Powered-By) has nothing to remove on a fresh response.
    if (value === undefined || ours.has(name.toLowerCase())) continue;
    if (Array.isArray(value))
      for (const item of value as readonly string[]) headerList.push(name, item);
    else headerList.push(name, String(value));
  }
  for (const [name, value] of problemHeaders) headerList.push(name, value);
  headerList.push('content-length', String(Buffer.byteLength(json)));
  return function respondRefusal(req, res) {
    const errorId = randomUUID();
    res.writeHead(status, headerList);
    res.end(before + errorId + after);
    onRefusal(req, errorId);
  };
}
