import { criticalityRank } from '../../src/overload/criticality';
import type { Criticality } from '../../src/overload/criticality';
import { WaiterQueue } from '../../src/overload/waiter-queue';
import type { QueuedWaiter } from '../../src/overload/waiter-queue';
import { createManualClock } from '../timers/manual-clock';

interface Named extends QueuedWaiter {
  name: string;
}

const CODEL = { targetMs: 5, intervalMs: 100 };

function setup(codel = true, timeoutMs = 1000) {
  const clock = createManualClock();
  const expired: string[] = [];
  const queue = new WaiterQueue<Named>(clock, timeoutMs, codel ? CODEL : undefined, (w) =>
    expired.push(w.name),
  );
  const add = (name: string, criticality: Criticality = 'critical') => {
    const waiter: Named = {
      name,
      rank: criticalityRank(criticality),
      enqueuedAt: clock.now(),
      previous: undefined,
      next: undefined,
    };
    queue.push(waiter);
    return waiter;
  };
  const next = () => queue.shift()?.name;
  return { clock, queue, expired, add, next };
}

describe('WaiterQueue', () => {
  it('serves the highest class first, first in first out within a class', () => {
    const { add, next } = setup(false);
    add('shed-1', 'sheddable');
    add('crit-1');
    add('plus-1', 'critical_plus');
    add('crit-2');
    add('shed-plus', 'sheddable_plus');
    expect([next(), next(), next(), next(), next(), next()]).toEqual([
      'plus-1',
      'crit-1',
      'crit-2',
      'shed-plus',
      'shed-1',
      undefined,
    ]);
  });

  it('expires a plain queue’s waiters after timeoutMs with one timer, and keeps none once empty', () => {
    const { clock, queue, add, expired } = setup(false, 500);
    add('a');
    clock.advance(100);
    add('b');
    expect(clock.pendingTimers).toBe(1);
    clock.advance(399);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual(['a']);
    clock.advance(100);
    expect(expired).toEqual(['a', 'b']);
    expect(queue.length).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('removes a waiter whose client left, once; the timer goes with the last waiter', () => {
    const { clock, queue, add } = setup();
    const a = add('a');
    queue.remove(a);
    queue.remove(a);
    expect(queue.length).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('makes room for a more important arrival by taking the newest waiter of the lowest class', () => {
    const { queue, add } = setup();
    add('shed-old', 'sheddable');
    add('shed-new', 'sheddable');
    add('plus', 'sheddable_plus');
    expect(queue.evictBelow(criticalityRank('critical'))?.name).toBe('shed-new');
    expect(queue.evictBelow(criticalityRank('sheddable'))).toBeUndefined();
    expect(queue.length).toBe(2);
  });

  it('stands once the oldest waiter has been over 5 ms for 100 ms: then 5 ms waits, newest first', () => {
    const { clock, queue, add, next, expired } = setup();
    add('first');
    clock.advance(104);
    expect(queue.isStanding).toBe(false);
    add('second');
    clock.advance(1); // 'first' has now waited 105 ms: 100 ms above the 5 ms target
    expect(queue.isStanding).toBe(true);
    expect(expired).toEqual(['first']);
    add('third');
    clock.advance(1);
    add('fourth');
    expect(next()).toBe('fourth'); // newest first while standing
    clock.advance(4);
    expect(expired).toEqual(['first', 'second', 'third']); // 5 ms is all a waiter gets now
    expect(queue.length).toBe(0);
  });

  it('stays standing while waiters keep running out of time, and stops after 100 ms without one', () => {
    const { clock, queue, add, expired } = setup();
    add('first');
    clock.advance(106);
    expect(queue.isStanding).toBe(true);
    for (let t = 0; t < 300; t += 10) {
      add(`w${t}`);
      clock.advance(10); // nobody is served: each waits 5 ms and expires
    }
    expect(queue.isStanding).toBe(true);
    expect(expired).toHaveLength(31);
    clock.advance(100);
    add('calm');
    clock.advance(50); // no longer standing: the normal wait again
    expect(queue.isStanding).toBe(false);
    expect(expired).toHaveLength(31);
    expect(queue.length).toBe(1);
  });

  it('drops a standing backlog, then lets a queue that keeps moving be', () => {
    const { clock, queue, add, expired } = setup();
    for (let i = 0; i < 50; i++) add(`old${i}`);
    const waits: number[] = [];
    for (let t = 0; t < 1000; t++) {
      // One served and one joining every millisecond: the 50-deep backlog would wait 50 ms for ever.
      const served = queue.shift();
      if (served) waits.push(clock.now() - served.enqueuedAt);
      add(`new${t}`);
      clock.advance(1);
    }
    expect(expired.length).toBeGreaterThan(40); // the depth of the backlog, dropped once
    expect(Math.max(...waits.slice(-500))).toBeLessThanOrEqual(5);
    expect(queue.isStanding).toBe(false);

    const calm = setup();
    for (let i = 0; i < 3; i++) calm.add(`w${i}`);
    for (let t = 0; t < 1000; t++) {
      // Three waiters always, each served within 3 ms: a queue, but no standing queue.
      calm.next();
      calm.add(`n${t}`);
      calm.clock.advance(1);
    }
    expect(calm.queue.isStanding).toBe(false);
    expect(calm.expired).toEqual([]);
  });

  it('judges each class on its own: critical waiters served ahead of a standing sheddable queue keep their normal wait', () => {
    const { clock, queue, add, next, expired } = setup();
    for (let t = 0; t < 400; t++) {
      add(`shed${t}`, 'sheddable');
      if (t % 4 === 0) add(`crit${t}`);
      if (t % 2 === 0) next(); // one admission every 2 ms: critical first, sheddable starve
      clock.advance(1);
    }
    expect(queue.isStanding).toBe(true);
    expect(expired.some((name) => name.startsWith('shed'))).toBe(true);
    expect(expired.some((name) => name.startsWith('crit'))).toBe(false);
  });

  it('stops standing a class that is served down to empty while a lower class still waits', () => {
    const { clock, add, next, expired } = setup();
    add('shed', 'sheddable');
    add('crit-old');
    clock.advance(106); // both classes stand: their oldest waited over 5 ms for 100 ms
    expect(expired).toEqual(['shed', 'crit-old']);
    add('shed2', 'sheddable');
    add('crit1');
    expect(next()).toBe('crit1'); // served to empty, with a sheddable waiter left: critical keeps up
    add('crit2');
    clock.advance(20); // a momentary gap in releases: critical has its normal wait again
    expect(expired).toEqual(['shed', 'crit-old', 'shed2']);
    expect(next()).toBe('crit2');
  });

  it('drains every waiter on close', () => {
    const { clock, queue, add } = setup();
    add('a', 'sheddable');
    add('b', 'critical_plus');
    expect(queue.drain().map((w) => w.name)).toEqual(['b', 'a']);
    expect(queue.length).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
