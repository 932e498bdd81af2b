import type { Clock } from '../timers/clock';
import { CRITICALITIES } from './criticality';

/** A place in the queue; the limiter's waiters carry these fields. */
export interface QueuedWaiter {
  /** `criticalityRank` of its request: 3 (`critical_plus`) is served first. */
  readonly rank: number;
  /** `clock.now()` when it joined. */
  readonly enqueuedAt: number;
  previous: QueuedWaiter | undefined;
  next: QueuedWaiter | undefined;
}

/** CoDel as Meta runs it in front of its servers ("Fail at Scale", ACM Queue 2015; folly `Codel`). */
export interface CodelSettings {
  /** The wait a standing queue allows, in milliseconds (Meta: 5). */
  readonly targetMs: number;
  /** How long the queue may stay above target before it counts as standing, in milliseconds (Meta: 100). */
  readonly intervalMs: number;
}

const CLASSES = CRITICALITIES.length;

/**
 * The waiting room of a concurrency limiter: one FIFO list per criticality class, the highest class
 * served first, each waiter expiring after its timeout, watched by a single timer.
 *
 * With `codel`, the timeout adapts (Meta's CoDel with adaptive LIFO): normally a waiter may wait
 * `timeoutMs`; once the oldest waiter has been over `targetMs` for a whole `intervalMs` (a standing
 * queue: demand above capacity, not a burst), the allowed wait drops to `targetMs` and the newest
 * waiter of a class is served first, because the oldest waiters' clients are the likeliest to have
 * given up. The queue stands until a whole `intervalMs` passes without a waiter running out of
 * time (a queue that briefly empties between arrivals is still overloaded). A queue that keeps
 * moving (every waiter served within the target) never stands, however long it is.
 */
export class WaiterQueue<TWaiter extends QueuedWaiter> {
  /** Waiters in the queue, all classes. */
  length = 0;
  private readonly heads: (TWaiter | undefined)[] = new Array<TWaiter | undefined>(CLASSES);
  private readonly tails: (TWaiter | undefined)[] = new Array<TWaiter | undefined>(CLASSES);
  private standing = false;
  /** When a waiter last ran out of time while the queue stood. */
  private lastExpiryAt = -Infinity;
  /** Since when the oldest waiter has been waiting longer than the target. */
  private aboveSince: number | undefined;
  private timer: unknown;
  private timerDueAt = Infinity;

  /** `onExpire` receives each waiter that waited too long, already removed. */
  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly codel: CodelSettings | undefined,
    private readonly onExpire: (waiter: TWaiter) => void,
  ) {}

  /** Whether the queue is standing (CoDel: short waits, newest first). */
  get isStanding(): boolean {
    return this.standing;
  }

  /** Adds a waiter at the end of its class. */
  push(waiter: TWaiter): void {
    const tail = this.tails[waiter.rank];
    waiter.previous = tail;
    waiter.next = undefined;
    if (tail) tail.next = waiter;
    else this.heads[waiter.rank] = waiter;
    this.tails[waiter.rank] = waiter;
    this.length++;
    this.arm(this.clock.now());
  }

  /**
   * Removes and returns the newest waiter of the lowest class below `rank` (a full queue makes room
   * for a more important arrival), or `undefined` when every waiter is of `rank` or above.
   */
  evictBelow(rank: number): TWaiter | undefined {
    for (let r = 0; r < rank; r++) {
      const newest = this.tails[r];
      if (newest) {
        this.remove(newest);
        return newest;
      }
    }
    return undefined;
  }

  /** Removes and returns the next waiter to serve: highest class first, oldest first unless standing. */
  shift(): TWaiter | undefined {
    if (this.length === 0) return undefined;
    // Expire here too, not only on the timer: a busy event loop runs timers late.
    const now = this.clock.now();
    this.sweep(now);
    for (let r = CLASSES - 1; r >= 0; r--) {
      const waiter = this.standing ? this.tails[r] : this.heads[r];
      if (waiter) {
        this.remove(waiter);
        // The queue may have turned standing, which brings the next expiry closer.
        if (this.length > 0) this.arm(now);
        return waiter;
      }
    }
    return undefined;
  }

  /** Takes a waiter out (its client left); does nothing if it is not queued. */
  remove(waiter: TWaiter): void {
    const rank = waiter.rank;
    if (waiter.previous === undefined && this.heads[rank] !== waiter) return;
    if (waiter.previous) waiter.previous.next = waiter.next;
    else this.heads[rank] = waiter.next as TWaiter | undefined;
    if (waiter.next) waiter.next.previous = waiter.previous;
    else this.tails[rank] = waiter.previous as TWaiter | undefined;
    waiter.previous = waiter.next = undefined;
    if (--this.length === 0) this.becameEmpty();
  }

  /** Removes and returns every waiter (the limiter is closing). */
  drain(): TWaiter[] {
    const all: TWaiter[] = [];
    for (let r = CLASSES - 1; r >= 0; r--)
      for (let w = this.heads[r]; w; w = w.next as TWaiter | undefined) all.push(w);
    for (const waiter of all) this.remove(waiter);
    return all;
  }

  private becameEmpty(): void {
    this.aboveSince = undefined;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDueAt = Infinity;
    }
  }

  private oldest(): TWaiter | undefined {
    let oldest: TWaiter | undefined;
    for (let r = 0; r < CLASSES; r++) {
      const head = this.heads[r];
      if (head && (oldest === undefined || head.enqueuedAt < oldest.enqueuedAt)) oldest = head;
    }
    return oldest;
  }

  /** Updates the CoDel state from the oldest waiter's wait. */
  private observe(now: number): void {
    const codel = this.codel;
    if (codel === undefined) return;
    if (this.standing) {
      if (now - this.lastExpiryAt < codel.intervalMs) return;
      this.standing = false;
      this.aboveSince = undefined;
    }
    const oldest = this.oldest();
    if (oldest === undefined || now - oldest.enqueuedAt < codel.targetMs) {
      this.aboveSince = undefined;
      return;
    }
    this.aboveSince ??= oldest.enqueuedAt + codel.targetMs;
    if (now - this.aboveSince >= codel.intervalMs) {
      this.standing = true;
      this.lastExpiryAt = now;
    }
  }

  /** Expires every waiter over the allowed wait. */
  private sweep(now: number): void {
    this.observe(now);
    const allowed = this.standing ? (this.codel as CodelSettings).targetMs : this.timeoutMs;
    for (let r = 0; r < CLASSES; r++) {
      let head = this.heads[r];
      while (head && now - head.enqueuedAt >= allowed) {
        if (this.standing) this.lastExpiryAt = now;
        this.remove(head);
        this.onExpire(head);
        head = this.heads[r];
      }
    }
  }

  /** Makes sure the timer fires by the next moment a waiter expires or the queue may turn standing. */
  private arm(now: number): void {
    const oldest = this.oldest();
    if (oldest === undefined) return;
    let dueAt: number;
    if (this.standing) dueAt = oldest.enqueuedAt + (this.codel as CodelSettings).targetMs;
    else {
      dueAt = oldest.enqueuedAt + this.timeoutMs;
      if (this.codel)
        dueAt = Math.min(
          dueAt,
          (this.aboveSince ?? oldest.enqueuedAt + this.codel.targetMs) + this.codel.intervalMs,
        );
    }
    if (dueAt >= this.timerDueAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerDueAt = Infinity;
        const at = this.clock.now();
        this.sweep(at);
        this.arm(at);
      },
      Math.max(1, Math.ceil(dueAt - now)),
    );
  }
}
