import { STATUS_CODES } from 'node:http';

/** RFC 9457 media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem details body, as the client receives it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errorId: string;
  [extension: string]: unknown;
}

/** A framework-neutral error response: adapters only write it out. */
export interface ProblemResponse {
  status: number;
  /** Names and values already checked: writing them cannot throw. */
  headers: Record<string, string>;
  body: ProblemBody;
  /** `body` as JSON, ready to send (made once, where a value that cannot be encoded is caught). */
  payload: string;
}

/** The standard reason phrase of a status, for the problem `title`. */
export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
