/**
 * How much a request matters when the server must refuse some (Google SRE, "Handling Overload"):
 * under overload `sheddable` goes first and `critical_plus` last. Every request is `critical`
 * unless the app says otherwise.
 */
export type Criticality = 'critical_plus' | 'critical' | 'sheddable_plus' | 'sheddable';

/** Every class, most important first. */
export const CRITICALITIES: readonly Criticality[] = Object.freeze([
  'critical_plus',
  'critical',
  'sheddable_plus',
  'sheddable',
]);

/** The class of a request nobody classified. */
export const DEFAULT_CRITICALITY: Criticality = 'critical';

/** The request header a trusted caller (one of your own services) may send its class in. */
export const CRITICALITY_HEADER = 'guard-criticality';

const RANKS: Readonly<Record<Criticality, number>> = Object.freeze({
  critical_plus: 3,
  critical: 2,
  sheddable_plus: 1,
  sheddable: 0,
});

/** 3 for `critical_plus` down to 0 for `sheddable`: a higher rank is refused later. */
export function criticalityRank(criticality: Criticality): number {
  return RANKS[criticality];
}

/** True for the four class names (as sent in a header, in any case). */
export function isCriticality(value: unknown): value is Criticality {
  return typeof value === 'string' && Object.hasOwn(RANKS, value);
}

/** A header value as a class, or `undefined` when it names none (it is then ignored). */
export function parseCriticality(value: unknown): Criticality | undefined {
  if (typeof value !== 'string' || value.length > 20) return undefined;
  const normalised = value.trim().toLowerCase().replace('-', '_');
  return isCriticality(normalised) ? normalised : undefined;
}
