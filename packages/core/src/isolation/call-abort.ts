/**
 * A one-listener abort handle that piscina accepts as a task's `signal` (it takes any object with
 * `addEventListener` / `removeEventListener`). The pool needs one per call for its deadline, and a
 * full AbortController (an EventTarget) costs several microseconds there: a measurable share of a
 * ~50 µs round trip (bench/pool.mjs).
 */
export class CallAbort {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | undefined = undefined;

  addEventListener(_name: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  removeEventListener(_name: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = undefined;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }
}
