/** Longest username that is normalised, in UTF-16 code units. */
const MAX_NORMALIZED_LENGTH = 256;

/**
 * The form of a username that brute-force protection counts under: NFKC (so `ｂｏｂ` and the `ﬁ`
 * ligature read as `bob` and `fi`), then case-folded (`Alice`, `ALICE` and `alice` are one login;
 * upper- then lower-casing also folds `ß` to `ss` and `ς` to `σ`), then NFKC again, since case
 * mapping can leave a sequence that is no longer normalised. Without this, an attacker gets
 * `maxConsecutiveFailures` guesses per spelling of the same account (issue 12, item 2). A name over
 * 256 code units is returned as it is.
 * @example normalizeUsername('Ａlice') === 'alice'
 */
export function normalizeUsername(username: string): string {
  // No account is named with more than this (an e-mail address has at most 254): a longer name is
  // counted as sent (and hashed), rather than spending milliseconds normalising a megabyte of it.
  if (username.length > MAX_NORMALIZED_LENGTH) return username;
  return username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}
