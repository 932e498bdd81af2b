import { setImmediate as nextTurn } from 'node:timers/promises';
import { createConnectionTurns } from '../../src/overload/connection-turns';

describe('createConnectionTurns', () => {
  it('counts the loop turns with requests that brought a new connection', async () => {
    const turns = createConnectionTurns();
    const kept = {};
    // Turn 1: a new connection and its neighbour's request; turn 2: only known connections.
    turns.note(kept);
    turns.note({});
    await nextTurn();
    turns.note(kept);
    turns.note(kept);
    await nextTurn();
    // Turn 3: two new connections count once: the turn brought one at least.
    turns.note({});
    turns.note({});
    await nextTurn();
    expect(turns.take()).toBeCloseTo(2 / 3);
    expect(turns.take()).toBeUndefined(); // taken: counting starts over, nothing seen since
  });

  it('sees a saturated loop that accepts a connection every turn', async () => {
    const turns = createConnectionTurns();
    for (let i = 0; i < 10; i++) {
      turns.note({});
      await nextTurn();
    }
    expect(turns.take()).toBe(1);
  });

  it('stays a share from 0 to 1 when taken in the middle of a turn (a sample() from a handler)', async () => {
    const turns = createConnectionTurns();
    turns.note({});
    expect(turns.take()).toBe(1);
    turns.note({}); // same turn, after the take: no turn is counted for it
    await nextTurn();
    const share = turns.take();
    expect(share === undefined || (share >= 0 && share <= 1)).toBe(true);
  });

  it('ignores requests without a connection (a custom caller of shouldShed)', async () => {
    const turns = createConnectionTurns();
    turns.note(undefined);
    turns.note(null);
    await nextTurn();
    expect(turns.take()).toBeUndefined(); // nothing to tell, which is not "no new connection"
  });
});
