/**
 * Deterministic pseudo-random numbers in [0, 1) (Park-Miller), so a failure reproduces and a
 * benchmark seeds the same data every run. A seed of 0 or a multiple of the modulus would stick
 * at 0, so it starts from 1 instead.
 */
export function rng(seed: number) {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}
