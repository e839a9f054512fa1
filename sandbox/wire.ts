/**
 * The sandbox's JSON on the wire, lossless both ways: request numbers arrive as `LosslessNumber` (their exact
 * source text), response amounts and units are written from decimal strings without passing through floats.
 */
import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';
import { z } from 'zod';
import { decimalString, Decimal, type DecimalStringRules } from '../shared/money';

/** A response number written exactly as the decimal string says ("110.50" stays 110.50). */
export function num(decimal: string): LosslessNumber {
  return new LosslessNumber(decimal);
}

export function parseJson(text: string): unknown {
  return parse(text);
}

export function toJson(payload: unknown): string {
  return stringify(payload) ?? 'null';
}

/**
 * A request field that must be a JSON number, normalised to a plain decimal string and checked against `rules`
 * ("1e2" → "100"; a JSON string "100" is rejected: the wire contract says number).
 */
export function jsonDecimal(rules: DecimalStringRules) {
  return z
    .custom<LosslessNumber>((v) => isLosslessNumber(v), { message: 'must be a number' })
    .transform((n) => new Decimal(n.value).toFixed())
    .pipe(decimalString(rules));
}

/** A request field that must be a JSON integer within [min, max]. */
export function jsonInt(min: number, max: number) {
  return z
    .custom<LosslessNumber>((v) => isLosslessNumber(v), { message: 'must be a number' })
    .transform((n) => Number(n.value))
    .pipe(z.number().int().min(min).max(max));
}
