import { DeadlineQueue } from '../../src/timers/deadline-queue';

describe('DeadlineQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('expires entries in submission order with one timer, skipping removed ones', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(100, (value) => expired.push(value));
    const a = queue.add('a');
    jest.advanceTimersByTime(30);
    queue.add('b');
    jest.advanceTimersByTime(30);
    queue.add('c');
    queue.remove(a);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(40); // t = 100: a would be due, but it was removed
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(30); // t = 130: b
    expect(expired).toEqual(['b']);
    jest.advanceTimersByTime(30); // t = 160: c
    expect(expired).toEqual(['b', 'c']);
    expect(jest.getTimerCount()).toBe(0);
    expect(queue.isArmed).toBe(false);
  });

  it('expires on time when the wall clock steps back (NTP, a resumed VM)', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(100, (value) => expired.push(value));
    queue.add('a');
    jest.setSystemTime(Date.now() - 60_000);
    jest.advanceTimersByTime(100);
    expect(expired).toEqual(['a']);
    expect(queue.isArmed).toBe(false);
  });

  it('keeps no timer once idle and arms again on the next add', () => {
    const expired: number[] = [];
    const queue = new DeadlineQueue<number>(50, (value) => expired.push(value));
    const entry = queue.add(1);
    queue.remove(entry);
    jest.advanceTimersByTime(50);
    expect(jest.getTimerCount()).toBe(0);
    queue.add(2);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(50);
    expect(expired).toEqual([2]);
  });

  it('clears its timer on close', () => {
    const queue = new DeadlineQueue<number>(50, () => {
      throw new Error('must not expire after close');
    });
    queue.add(1);
    queue.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
  });
});
