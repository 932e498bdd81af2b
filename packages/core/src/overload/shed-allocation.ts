import type { Criticality } from './criticality';

/** The classes in the order they are shed: the least important first. */
export const SHED_ORDER: readonly Criticality[] = Object.freeze([
  'sheddable',
  'sheddable_plus',
  'critical',
  'critical_plus',
]);

/** A number per request class. */
export type PerCriticality = Record<Criticality, number>;

/** A fresh record with the same number for every class. */
export function perCriticality(value: number): PerCriticality {
  return { critical_plus: value, critical: value, sheddable_plus: value, sheddable: value };
}

/** A class with less than this share of the traffic has none worth protecting (an old mix fading out). */
const MIN_SHARE = 1e-3;

/**
 * Spreads a total share of requests to refuse over the classes, least important first (Google SRE,
 * "Handling Overload"): `sheddable` is refused up to all of it before any `sheddable_plus` is, and so
 * on up to `critical_plus`. `mix` is each class's share of the traffic (summing to 1). `into` holds
 * the previous probabilities and receives the new ones (it is the object the request path reads). A
 * class is refused only if every class below it that has traffic was refused in full at the
 * previous update, so one wild sample never reaches past the class that should absorb it; a class
 * with no traffic gets 1 once refusals reach it, so the order holds when it shows up. Returns the
 * share actually refused, which is less than `total` while a class waits for its turn.
 * @example allocateShedding(0.5, { sheddable: 0.8, critical: 0.2, ... }, probabilities) // sheddable 0.625, critical 0
 */
export function allocateShedding(total: number, mix: PerCriticality, into: PerCriticality): number {
  let remaining = total;
  let refused = 0;
  let mayRefuse = true;
  for (const criticality of SHED_ORDER) {
    const share = mix[criticality];
    const wasRefusedInFull = into[criticality] >= 1;
    // Below one refusal in ten million: rounding left over, not a share to refuse.
    if (!mayRefuse || remaining <= 1e-7) {
      into[criticality] = 0;
      continue;
    }
    const probability = share > 0 ? Math.min(1, remaining / share) : 1;
    into[criticality] = probability;
    remaining -= probability * share;
    refused += probability * share;
    if (share >= MIN_SHARE && !wasRefusedInFull) mayRefuse = false;
  }
  return refused;
}
