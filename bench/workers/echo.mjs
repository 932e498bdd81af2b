// The trivial task of bench/pool.mjs: the round trip is all that is measured.
export default function echo(input) {
  return input;
}
