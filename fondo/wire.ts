/**
 * The JSON wire format of the Fondo API, without JS floats.
 *
 * Rules:
 * - Bodies are parsed with lossless-json, turning every JSON number into its exact source text, and request
 *   bodies are written with lossless-json, so amounts like `110.50` and units like `0.1234567` cross intact.
 * - Decimal fields accept number text in any JSON notation (also `1e-7`, and plain JS numbers for
 *   robustness) and become plain decimal strings (`toPlain`): no exponent, no trailing zeros.
 * - Date-times are ISO-8601 matched case-insensitively (the docs show `2018-12-13t23:59:00.001z`) and become
 *   upper-case UTC strings; plain dates stay `YYYY-MM-DD`.
 */
import { LosslessNumber, parse, stringify } from 'lossless-json';
import { z } from 'zod';
import { Decimal, isDecimalString, toPlain } from '../shared/money';

/**
 * Parses JSON text; every number becomes a string holding its exact source text.
 *
 * @throws SyntaxError when the text is not JSON.
 */
export function parseJson(text: string): unknown {
  return parse(text, null, (numberText) => numberText);
}

/** Serialises a request body; {@link LosslessNumber} values are written verbatim as JSON numbers. */
export function stringifyJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('request body is not JSON-serialisable');
  return text;
}

/**
 * A decimal string as a JSON number on the wire ("110.50" is sent as `110.50`, never through a float).
 *
 * @throws TypeError when `value` is not a plain decimal string.
 */
export function wireNumber(value: string): LosslessNumber {
  if (!isDecimalString(value)) throw new TypeError('wire number must be a plain decimal string');
  return new LosslessNumber(value);
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A JSON number (as text, or a JS number) normalised to a plain decimal string: `1e-7` → `"0.0000001"`. */
export const WireDecimalSchema = z.union([z.string(), z.number()]).transform((value, ctx): string => {
  const text = typeof value === 'number' ? String(value) : value;
  if (!JSON_NUMBER.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'expected a decimal number' });
    return z.NEVER;
  }
  return toPlain(new Decimal(text));
});

/** A small non-negative JSON integer (counts, seconds) as a JS number. */
export const WireIntSchema = z.union([z.string(), z.number()]).transform((value, ctx): number => {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a non-negative integer' });
    return z.NEVER;
  }
  return n;
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Normalises an ISO-8601 date-time, matched case-insensitively, to upper-case UTC; returns undefined if the
 * text is not one. A `Z` value keeps its digits (`...t23:59:00.001z` → `...T23:59:00.001Z`); a value with an
 * offset is converted to UTC with millisecond precision.
 */
export function normaliseDateTime(text: string): string | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const upper = text.toUpperCase();
  const ms = Date.parse(upper);
  if (Number.isNaN(ms)) return undefined;
  return upper.endsWith('Z') ? upper : new Date(ms).toISOString();
}

/** An ISO-8601 date-time, any letter case, normalised to upper-case UTC (see {@link normaliseDateTime}). */
export const WireDateTimeSchema = z.string().transform((value, ctx): string => {
  const normalised = normaliseDateTime(value);
  if (normalised === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 date-time' });
    return z.NEVER;
  }
  return normalised;
});

/** A calendar date `YYYY-MM-DD` (e.g. `startDate`), kept as written. */
export const WireDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' });
