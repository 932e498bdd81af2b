/** One call waiting for its deadline. */
export interface DeadlineEntry<TValue> {
  /** `performance.now()` milliseconds: a monotonic clock, so a step of the wall clock moves no deadline. */
  readonly deadline: number;
  readonly value: TValue;
  previous: DeadlineEntry<TValue> | undefined;
  next: DeadlineEntry<TValue> | undefined;
  linked: boolean;
}

/**
 * Deadlines of calls that all share one timeout, kept in submission order (so also in deadline
 * order) and watched by a single timer. A timer per call measurably slowed a ~30 µs worker round
 * trip (bench/pool.mjs); here a call costs a list link and unlink. The timer is `unref()`ed, re-armed
 * only while calls are pending, and at most one exists at a time; `close()` clears it.
 */
export class DeadlineQueue<TValue> {
  private head: DeadlineEntry<TValue> | undefined;
  private tail: DeadlineEntry<TValue> | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `onExpire(value)` runs for each entry whose deadline passed before it was removed. */
  constructor(
    private readonly timeoutMs: number,
    private readonly onExpire: (value: TValue) => void,
  ) {}

  /** Registers a call's value, due `timeoutMs` from now. */
  add(value: TValue): DeadlineEntry<TValue> {
    const entry: DeadlineEntry<TValue> = {
      deadline: performance.now() + this.timeoutMs,
      value,
      previous: this.tail,
      next: undefined,
      linked: true,
    };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    // While armed, the timer is due no later than the head's deadline, which is at most this one's.
    if (this.timer === undefined) this.arm(this.timeoutMs);
    return entry;
  }

  /** Forgets a call that settled. */
  remove(entry: DeadlineEntry<TValue>): void {
    if (!entry.linked) return;
    entry.linked = false;
    if (entry.previous) entry.previous.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.previous = entry.previous;
    else this.tail = entry.previous;
    entry.previous = entry.next = undefined;
  }

  /** Whether the watch timer exists (for tests: nothing is left once the queue has drained and fired). */
  get isArmed(): boolean {
    return this.timer !== undefined;
  }

  /** Clears the timer; pending entries never expire. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.sweep(), ms);
    this.timer.unref();
  }

  private sweep(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head !== undefined && this.head.deadline <= now) {
      const entry = this.head;
      this.remove(entry);
      this.onExpire(entry.value);
    }
    // An idle pool keeps no timer: it is armed again by the next call.
    if (this.head !== undefined) this.arm(Math.max(1, this.head.deadline - now));
  }
}
