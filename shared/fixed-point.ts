/**
 * Exact fixed-point arithmetic on BigInt for the domain engine's hot path (deposit split, rebalancing).
 *
 * Why not `Decimal` here: a 5-fund split must decide in ~10 µs and a decimal.js operation costs 0.2–1 µs
 * (measured, see docs/BENCHMARKS.md), while a BigInt operation costs ~40 ns. The rules of shared/money.ts still
 * hold: values enter and leave as decimal strings, nothing is a JS number, and every division names its rounding
 * mode (the same mode names as `Rounding`). A value is a BigInt count of 10^-scale units, and its scale is fixed by
 * the variable's role (öre = scale 2, units = scale 7, prices = scale 10); the helpers below never round silently.
 * The unit tests check every helper against decimal.js.
 */
import { type RoundingMode } from './money';

const POWERS: readonly bigint[] = Array.from({ length: 61 }, (_, i) => 10n ** BigInt(i));

/** 10^n as a BigInt, for 0 ≤ n ≤ 60. */
export function pow10(n: number): bigint {
  const power = POWERS[n];
  if (power === undefined) throw new RangeError(`pow10 out of range: ${n}`);
  return power;
}

/**
 * Number of decimals of a plain decimal string — optional minus, no leading zeros, optional fraction, no exponent
 * (the same language as `isDecimalString` in shared/money.ts) — or -1 when `value` is not one. A hand-written scan:
 * the hot path calls it for every amount, and it is cheaper than the regular expression.
 */
export function decimalScale(value: string): number {
  const length = value.length;
  let i = value.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  let c = value.charCodeAt(i);
  if (c === 48 /* 0 */) i++;
  else if (c > 48 && c <= 57) {
    i++;
    while (i < length && (c = value.charCodeAt(i)) >= 48 && c <= 57) i++;
  } else return -1;
  if (i === length) return 0;
  if (value.charCodeAt(i) !== 46 /* . */) return -1;
  const fraction = ++i;
  while (i < length && (c = value.charCodeAt(i)) >= 48 && c <= 57) i++;
  return i === length && i > fraction ? length - fraction : -1;
}

/** True when a plain decimal string is zero ("0", "-0.00"); `value` must satisfy `decimalScale(value) >= 0`. */
export function isZeroString(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 48 && c <= 57) return false;
  }
  return true;
}

/**
 * Parses a plain decimal string with at most `scale` decimals into a count of 10^-scale units ("12.5", 2 → 1250n).
 * Returns undefined for anything else — never rounds.
 */
export function parseScaled(value: string, scale: number): bigint | undefined {
  const decimals = decimalScale(value);
  if (decimals < 0 || decimals > scale) return undefined;
  const negative = value.charCodeAt(0) === 45; /* - */
  const digitCount = value.length - (negative ? 1 : 0) - (decimals > 0 ? 1 : 0);
  let magnitude: bigint;
  if (digitCount <= SAFE_DIGITS) {
    // Reading the digits into a safe integer is exact (at most 15 digits < 2^53) and twice as fast as
    // BigInt(string); it is digit parsing, not arithmetic on an amount.
    let digits = 0;
    for (let i = negative ? 1 : 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c !== 46 /* . */) digits = digits * 10 + (c - 48);
    }
    magnitude = BigInt(digits);
  } else {
    const unsigned = negative ? value.slice(1) : value;
    magnitude = BigInt(decimals > 0 ? unsigned.replace('.', '') : unsigned);
  }
  const scaled = magnitude * pow10(scale - decimals);
  return negative ? -scaled : scaled;
}

/** Most decimal digits that always fit a JS safe integer (2^53 ≈ 9.007 × 10^15). */
const SAFE_DIGITS = 15;

/** Wire form with exactly `scale` decimals (1250n, 2 → "12.50"; 5n, 0 → "5"). */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Canonical form without trailing zeros (3000n, 2 → "30"; 3333n, 2 → "33.33"). */
export function formatTrimmed(value: bigint, scale: number): string {
  const text = formatScaled(value, scale);
  if (scale === 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (text.charCodeAt(end - 1) === 46 /* . */) end--;
  return text.slice(0, end);
}

/**
 * `numerator / denominator` rounded to an integer with the named mode (same meaning as `Rounding` in
 * shared/money.ts). The denominator must be positive.
 */
export function divide(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator <= 0n) throw new RangeError('divide: denominator must be positive');
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator - quotient * denominator; // sign of the numerator; cheaper than a second division
  if (remainder === 0n) return quotient;
  const away = numerator < 0n ? quotient - 1n : quotient + 1n;
  switch (mode) {
    case 'down':
      return quotient;
    case 'up':
      return away;
    case 'ceil':
      return remainder > 0n ? quotient + 1n : quotient;
    case 'floor':
      return remainder < 0n ? quotient - 1n : quotient;
    case 'halfUp':
    case 'halfEven': {
      const twice = 2n * (remainder < 0n ? -remainder : remainder);
      if (twice > denominator) return away;
      if (twice < denominator) return quotient;
      if (mode === 'halfUp') return away;
      return quotient % 2n === 0n ? quotient : away;
    }
  }
}

/** The larger of two values. */
export function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** The smaller of two values. */
export function minOf(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Absolute value. */
export function absOf(a: bigint): bigint {
  return a < 0n ? -a : a;
}

const NBSP = '\u00a0';

/**
 * An öre count formatted for people exactly as `formatSek` in shared/money.ts does ("1 234 567,50 kr",
 * "−12,00 kr", no-break spaces), without going through decimal.js.
 */
export function formatSekOre(ore: bigint): string {
  const negative = ore < 0n;
  const digits = (negative ? -ore : ore).toString().padStart(3, '0');
  const integer = digits.slice(0, -2);
  let grouped = '';
  for (let end = integer.length; end > 0; end -= 3) {
    const start = end > 3 ? end - 3 : 0;
    grouped = grouped === '' ? integer.slice(start, end) : `${integer.slice(start, end)}${NBSP}${grouped}`;
  }
  return `${negative ? '\u2212' : ''}${grouped},${digits.slice(-2)}${NBSP}kr`;
}
