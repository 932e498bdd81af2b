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
  /** How long a queue may stay above target before it counts as standing, in milliseconds (Meta: 100). */
  readonly intervalMs: number;
}

const CLASSES = CRITICALITIES.length;

/** One criticality class: its waiters in arrival order and its CoDel state. */
interface ClassQueue<TWaiter> {
  head: TWaiter | undefined;
  tail: TWaiter | undefined;
  standing: boolean;
  /** Since when its oldest waiter has been waiting longer than the target. */
  aboveSince: number | undefined;
  /** When a waiter last ran out of time while it stood. */
  lastExpiryAt: number;
}

/**
 * The waiting room of a concurrency limiter: one queue per criticality class, the highest class
 * served first, each waiter expiring after its timeout, all watched by a single timer.
 *
 * With `codel`, each class's timeout adapts (Meta's CoDel with adaptive LIFO): normally a waiter
 * may wait `timeoutMs`; once the class's oldest waiter has been over `targetMs` for a whole
 * `intervalMs` (a standing queue: demand above capacity, not a burst), the allowed wait drops to
 * `targetMs` and the class is served newest first, because the oldest waiters' clients are the
 * likeliest to have given up. It stands until a whole `intervalMs` passes without a waiter running out
 * of time (a queue that briefly empties between arrivals is still overloaded), or until it is served
 * down to empty while a lower class still waits (the overload is below it). A queue that
 * keeps moving (waiters served within the target) never stands, however long it is; and because
 * each class has its own state, `critical` requests served ahead of a standing `sheddable` queue
 * keep their normal wait.
 */
export class WaiterQueue<TWaiter extends QueuedWaiter> {
  /** Waiters in the queue, all classes. */
  length = 0;
  private readonly classes: ClassQueue<TWaiter>[] = Array.from({ length: CLASSES }, () => ({
    head: undefined,
    tail: undefined,
    standing: false,
    aboveSince: undefined,
    lastExpiryAt: -Infinity,
  }));
  private timer: unknown;
  private timerDueAt = Infinity;

  /** `onExpire` receives each waiter that waited too long, already removed. */
  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly codel: CodelSettings | undefined,
    private readonly onExpire: (waiter: TWaiter) => void,
  ) {}

  /** Whether any class is standing (CoDel: short waits, newest first). */
  get isStanding(): boolean {
    return this.classes.some((queue) => queue.standing);
  }

  /** Adds a waiter at the end of its class. */
  push(waiter: TWaiter): void {
    const queue = this.classes[waiter.rank] as ClassQueue<TWaiter>;
    waiter.previous = queue.tail;
    waiter.next = undefined;
    if (queue.tail) queue.tail.next = waiter;
    else queue.head = waiter;
    queue.tail = waiter;
    this.length++;
    this.arm(this.clock.now());
  }

  /**
   * Removes and returns the newest waiter of the lowest class below `rank` (a full queue makes room
   * for a more important arrival), or `undefined` when every waiter is of `rank` or above.
   */
  evictBelow(rank: number): TWaiter | undefined {
    for (let r = 0; r < rank; r++) {
      const newest = (this.classes[r] as ClassQueue<TWaiter>).tail;
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
      const queue = this.classes[r] as ClassQueue<TWaiter>;
      const waiter = queue.standing ? queue.tail : queue.head;
      if (waiter) {
        this.remove(waiter);
        // Served down to empty while a lower class still waits: this class keeps up with its
        // demand and the overload is below it (Meta: a standing queue is one that has not been
        // empty for an interval). Without this, a class served ahead of the others would stay
        // standing on the few waiters that a momentary gap in releases let expire.
        if (queue.head === undefined && this.length > 0) queue.standing = false;
        // A class may have turned standing, which brings the next expiry closer.
        if (this.length > 0) this.arm(now);
        return waiter;
      }
    }
    return undefined;
  }

  /** Takes a waiter out (its client left); does nothing if it is not queued. */
  remove(waiter: TWaiter): void {
    const queue = this.classes[waiter.rank] as ClassQueue<TWaiter>;
    if (waiter.previous === undefined && queue.head !== waiter) return;
    if (waiter.previous) waiter.previous.next = waiter.next;
    else queue.head = waiter.next as TWaiter | undefined;
    if (waiter.next) waiter.next.previous = waiter.previous;
    else queue.tail = waiter.previous as TWaiter | undefined;
    waiter.previous = waiter.next = undefined;
    if (queue.head === undefined) queue.aboveSince = undefined;
    if (--this.length === 0 && this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDueAt = Infinity;
    }
  }

  /** Removes and returns every waiter (the limiter is closing). */
  drain(): TWaiter[] {
    const all: TWaiter[] = [];
    for (let r = CLASSES - 1; r >= 0; r--)
      for (
        let w = (this.classes[r] as ClassQueue<TWaiter>).head;
        w;
        w = w.next as TWaiter | undefined
      )
        all.push(w);
    for (const waiter of all) this.remove(waiter);
    return all;
  }

  /** Updates a class's CoDel state from its oldest waiter's wait. */
  private observe(queue: ClassQueue<TWaiter>, codel: CodelSettings, now: number): void {
    if (queue.standing) {
      if (now - queue.lastExpiryAt < codel.intervalMs) return;
      queue.standing = false;
      queue.aboveSince = undefined;
    }
    const oldest = queue.head;
    if (oldest === undefined || now - oldest.enqueuedAt < codel.targetMs) {
      queue.aboveSince = undefined;
      return;
    }
    queue.aboveSince ??= oldest.enqueuedAt + codel.targetMs;
    if (now - queue.aboveSince >= codel.intervalMs) {
      queue.standing = true;
      queue.lastExpiryAt = now;
    }
  }

  /** Expires every waiter over its class's allowed wait. */
  private sweep(now: number): void {
    const codel = this.codel;
    for (const queue of this.classes) {
      if (queue.head === undefined && !queue.standing) continue;
      if (codel) this.observe(queue, codel, now);
      const allowed = queue.standing ? (codel as CodelSettings).targetMs : this.timeoutMs;
      let head = queue.head;
      while (head && now - head.enqueuedAt >= allowed) {
        if (queue.standing) queue.lastExpiryAt = now;
        this.remove(head);
        this.onExpire(head);
        head = queue.head;
      }
    }
  }

  /** The next moment a class's oldest waiter expires or the class may turn standing. */
  private dueAt(queue: ClassQueue<TWaiter>): number {
    const oldest = queue.head;
    if (oldest === undefined) return Infinity;
    const codel = this.codel;
    if (codel === undefined) return oldest.enqueuedAt + this.timeoutMs;
    if (queue.standing) return oldest.enqueuedAt + codel.targetMs;
    return Math.min(
      oldest.enqueuedAt + this.timeoutMs,
      (queue.aboveSince ?? oldest.enqueuedAt + codel.targetMs) + codel.intervalMs,
    );
  }

  /** Makes sure the timer fires by the next moment something is due. */
  private arm(now: number): void {
    let dueAt = Infinity;
    for (const queue of this.classes) dueAt = Math.min(dueAt, this.dueAt(queue));
    if (dueAt >= this.timerDueAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerDueAt = Infinity;
        const at = this.clock.now();
        this.sweep(at);
        if (this.length > 0) this.arm(at);
      },
      Math.max(1, Math.ceil(dueAt - now)),
    );
  }
}
