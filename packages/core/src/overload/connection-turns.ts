import { setImmediate } from 'node:timers';

/**
 * Counts the event-loop iterations ("turns") that brought requests, and how many of them brought
 * the first request of a new connection: the one sign of a listen queue that the process can see.
 *
 * Node accepts one connection per loop iteration. Under CPU overload the clients that cannot get
 * a keep-alive connection wait in the kernel's listen queue, unseen by the event-loop delay (which
 * settles a little over its target however large the overload); the process sees only that every
 * turn of a saturated loop accepts a connection. Cost per request: one WeakSet lookup, and one
 * `setImmediate` per turn with requests (none while the loop is idle).
 */
export interface ConnectionTurns {
  /** Records a request arriving on `connection` (its socket). */
  note(connection: object | null | undefined): void;
  /**
   * The share of turns with requests since the last call that brought a new connection, 0–1;
   * `undefined` when no request came with its connection (nothing to tell).
   */
  take(): number | undefined;
}

export function createConnectionTurns(): ConnectionTurns {
  const known = new WeakSet<object>();
  let inTurn = false;
  let newInTurn = false;
  let turns = 0;
  let turnsWithNew = 0;
  let sawConnection = false;
  const endTurn = () => {
    inTurn = false;
  };
  return {
    note(connection) {
      if (!inTurn) {
        inTurn = true;
        newInTurn = false;
        turns++;
        setImmediate(endTurn);
      }
      if (connection == null) return;
      sawConnection = true;
      if (known.has(connection)) return;
      known.add(connection);
      if (!newInTurn) {
        newInTurn = true;
        turnsWithNew++;
      }
    },
    take() {
      // A take() within a turn (a sample() from a handler) leaves that turn's rest uncounted in
      // `turns`: hence the bound.
      const share = sawConnection && turns > 0 ? Math.min(1, turnsWithNew / turns) : undefined;
      turns = turnsWithNew = 0;
      sawConnection = false;
      return share;
    },
  };
}
