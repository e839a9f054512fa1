/**
 * fast-check arbitraries shared by the engine's property tests. Every value is a decimal string as on the wire.
 */
import fc from 'fast-check';
import { formatTrimmed } from '../../shared/fixed-point';

/** true `yes` times as often as false. */
export const mostly = (yes: number) =>
  fc.oneof({ arbitrary: fc.constant(true), weight: yes }, { arbitrary: fc.constant(false), weight: 1 });

/** A decimal in [min, max] units of 10^-scale, written with 0…maxScale decimals (trailing zeros trimmed). */
export const scaled = (min: bigint, max: bigint, maxScale: number) =>
  fc.tuple(fc.bigInt({ min, max }), fc.integer({ min: 0, max: maxScale })).map(([u, s]) => formatTrimmed(u, s));

/** A SEK amount of min…max öre. */
export const oreAmount = (max: bigint, min = 0n) => fc.bigInt({ min, max }).map((o) => formatTrimmed(o, 2));

/** Weights of `count` funds in basis points summing to 10000, as percent strings. */
export const percents = (count: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { minLength: count - 1, maxLength: count - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), 10_000];
    return points.slice(1).map((p, i) => formatTrimmed(BigInt(p - (points[i] as number)), 2));
  });
