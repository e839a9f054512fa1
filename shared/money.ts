/**
 * Money and units: one configured decimal.js clone, helpers that always name their scale and rounding,
 * zod schemas for decimal strings, and SEK formatting for humans.
 *
 * Rules (they hold everywhere in the project):
 * - Arithmetic on amounts and units uses `Decimal` from this module, never JS numbers.
 * - On the wire and in every Temporal payload amounts and units are decimal strings ("1234.50").
 * - Every rounding states its scale and mode; there is no default rounding.
 * - SEK amounts have at most 2 decimals (öre); fund units at most 7 (Fondo's maximum).
 */
import DecimalJs from 'decimal.js';
import { z } from 'zod';

/**
 * The project's decimal type. 40 significant digits cover 10^15 SEK with 7-decimal units and exact
 * products of units × price; exponent notation is never produced by toString().
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = DecimalJs;
export type DecimalInput = Decimal | string;

/** Number of decimals in an SEK amount (öre). */
export const SEK_SCALE = 2;
/** Fondo's maximum unit decimals ("units: 7 decimals"). */
export const MAX_UNIT_SCALE = 7;

/** Rounding modes by name, so every call site says which one it uses. */
export const Rounding = {
  /** Toward zero (truncate): what a leg, a unit count or a payout is rounded with. */
  down: DecimalJs.ROUND_DOWN,
  /** Away from zero. */
  up: DecimalJs.ROUND_UP,
  /** Toward +∞: a cost charged to the customer never rounds in their disfavour below the true value. */
  ceil: DecimalJs.ROUND_CEIL,
  /** Toward −∞. */
  floor: DecimalJs.ROUND_FLOOR,
  /** Nearest, ties away from zero (commercial rounding, for display). */
  halfUp: DecimalJs.ROUND_HALF_UP,
  /** Nearest, ties to even (banker's rounding). */
  halfEven: DecimalJs.ROUND_HALF_EVEN,
} as const;
export type RoundingMode = keyof typeof Rounding;

export const ZERO: Decimal = new Decimal(0);

/**
 * Parses a decimal string strictly (see {@link isDecimalString}); throws {@link MoneyFormatError} naming
 * the problem otherwise. Passing a Decimal returns it unchanged.
 */
export function dec(value: DecimalInput): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new MoneyFormatError(`not a decimal string: ${JSON.stringify(value)}`);
  }
  return new Decimal(value);
}

/** Rounds to `scale` decimals with the named mode. */
export function roundTo(value: DecimalInput, scale: number, mode: RoundingMode): Decimal {
  assertScale(scale);
  return dec(value).toDecimalPlaces(scale, Rounding[mode]);
}

/** Wire form with exactly `scale` decimals, rounding with the named mode ("110" → "110.00"). */
export function toFixed(value: DecimalInput, scale: number, mode: RoundingMode): string {
  assertScale(scale);
  return dec(value).toFixed(scale, Rounding[mode]);
}

/** Canonical wire form of an exact value: no exponent, no trailing zeros ("110.50" → "110.5"). */
export function toPlain(value: DecimalInput): string {
  return dec(value).toFixed();
}

/** An SEK amount as a 2-decimal wire string; throws if the value has more than 2 decimals (no hidden rounding). */
export function sekString(value: DecimalInput): string {
  const d = dec(value);
  if (d.decimalPlaces() > SEK_SCALE) throw new MoneyFormatError(`SEK amount has more than 2 decimals: ${d.toFixed()}`);
  return d.toFixed(SEK_SCALE);
}

/** Sum of decimal values (0 for none). */
export function sum(values: Iterable<DecimalInput>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(dec(v));
  return total;
}

/** Number of decimals written in a decimal string or held by a Decimal ("1.50" → 2). */
export function scaleOf(value: DecimalInput): number {
  if (typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot < 0 ? 0 : value.length - dot - 1;
  }
  return value.decimalPlaces();
}

// Plain decimal notation only: optional minus, no leading zeros, optional fraction; no exponent, NaN, ±Infinity,
// '+', spaces, or bare '.5' / '5.'.
const DECIMAL_PATTERN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** True when `value` is a decimal string in plain notation. */
export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

export interface DecimalStringRules {
  /** Most decimals allowed. */
  maxScale: number;
  /** Allow values below zero (default false). */
  negative?: boolean;
  /** Allow exactly zero (default true). */
  zero?: boolean;
}

/**
 * zod schema for a decimal string. Rejects numbers, NaN, exponents, more than `maxScale` decimals and,
 * unless allowed, negative values or zero — each with a message naming the problem.
 */
export function decimalString(rules: DecimalStringRules) {
  const { maxScale, negative = false, zero = true } = rules;
  return z.string().superRefine((value, ctx) => {
    if (!DECIMAL_PATTERN.test(value)) {
      ctx.addIssue({ code: 'custom', message: `must be a decimal string like "123.45", got ${JSON.stringify(value)}` });
      return;
    }
    if (scaleOf(value) > maxScale) {
      ctx.addIssue({ code: 'custom', message: `must have at most ${maxScale} decimals, got "${value}"` });
    }
    const d = new Decimal(value);
    if (!negative && d.isNegative() && !d.isZero()) {
      ctx.addIssue({ code: 'custom', message: `must not be negative, got "${value}"` });
    }
    if (!zero && d.isZero()) ctx.addIssue({ code: 'custom', message: 'must be greater than zero' });
  });
}

/** An SEK amount ≥ 0 with at most 2 decimals. */
export const SekAmountSchema = decimalString({ maxScale: SEK_SCALE });
/** An SEK amount > 0 with at most 2 decimals. */
export const PositiveSekAmountSchema = decimalString({ maxScale: SEK_SCALE, zero: false });
/** A unit count ≥ 0 with at most 7 decimals. */
export const UnitsSchema = decimalString({ maxScale: MAX_UNIT_SCALE });

/** zod codec between a decimal string on the wire and a Decimal in code. */
export function decimalCodec(rules: DecimalStringRules) {
  return z.codec(decimalString(rules), z.instanceof(Decimal), {
    decode: (s) => new Decimal(s),
    encode: (d) => d.toFixed(),
  });
}

const NBSP = '\u00a0';
/**
 * Formats an SEK amount for people, Swedish style: "1 234 567,50 kr", "−12,00 kr" (no-break spaces).
 * The value must already have at most 2 decimals; it is shown with exactly 2.
 */
export function formatSek(value: DecimalInput): string {
  const fixed = sekString(value);
  const negative = fixed.startsWith('-');
  const [int = '0', frac = '00'] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return `${negative ? '\u2212' : ''}${grouped},${frac}${NBSP}kr`;
}

function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > 20) throw new MoneyFormatError(`invalid scale ${scale}`);
}

/** A value that is not a well-formed decimal amount (a programming or input error, never retried). */
export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError' as const;
}
