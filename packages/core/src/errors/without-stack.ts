/**
 * Builds an error without capturing a stack trace. For rejections that are answers, not bugs (a 429
 * under a flood), the stack says only "the limiter said no" and capturing it is most of the cost of
 * making the error (about 8 µs of 9: bench/limiter-429.mjs).
 */
export function withoutStack<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
