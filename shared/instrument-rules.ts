/**
 * Fondo instrument rules as the domain engine uses them: price, unit decimals, the three minimums and the
 * trading flags; target weight lists (allocation plans, rebalancing targets); and the fast readers the engine's
 * hot path uses instead of zod (they accept exactly what the schemas accept, see the `*.test.ts` parity tests).
 *
 * Rules:
 * - Rule values arrive as decimal strings (`closePrice`, minimums) and `decimalsUnits` as an integer ≥ 0; unit
 *   decimals above Fondo's maximum of 7 are clamped to 7. A minimum of "0" means no minimum.
 * - Effective minimum of a purchase = max(initial-or-subsequent, `minInvestmentAmountSEK`); the initial one applies
 *   when the account holds no units of the fund.
 * - A purchase is only orderable when it is at least the effective minimum AND buys at least one smallest unit
 *   (amount ≥ closePrice × 10^-decimalsUnits), i.e. its estimated units are not zero.
 * - Weight lists: percent > 0 with at most 2 decimals, summing to exactly 100, no instrument twice, every
 *   instrument known.
 */
import { z } from 'zod';
import * as fixedPoint from './fixed-point';
import * as money from './money';
import { decimalString, SekAmountSchema, UnitsSchema } from './money';

// Hot-path imports are bound once at load. Under the CommonJS interop of tsx and webpack every call through an
// import pays an export getter, which cost ~40 % of a 5-fund split (measured, docs/BENCHMARKS.md).
const { decimalScale, divide, formatTrimmed, isZeroString, parseScaled, pow10 } = fixedPoint;
const { MAX_UNIT_SCALE, SEK_SCALE } = money;

/** Decimals accepted in a price (NAV); prices are held as BigInt counts of 10^-10 SEK. */
export const PRICE_SCALE = 10;
/** Decimals of a weight in percent (basis points). */
export const PERCENT_SCALE = 2;
/** 100 % at PERCENT_SCALE. */
export const HUNDRED_PERCENT = 10_000n;
/**
 * Common scale for comparing amounts with unit costs: öre (2) scaled up, or price (10) × 10^-(unit decimals ≤ 7).
 */
export const THRESHOLD_SCALE = PRICE_SCALE + MAX_UNIT_SCALE;

/** A Fondo instrument id, e.g. "SE0012193019SEK". */
export const InstrumentIdSchema = z.string().min(1, 'must not be empty');
/** A price (NAV) in SEK: > 0, at most 10 decimals. */
export const PriceSchema = decimalString({ maxScale: PRICE_SCALE, zero: false });
/** A weight in percent: > 0, at most 2 decimals. */
export const PercentSchema = decimalString({ maxScale: PERCENT_SCALE, zero: false });

/** The instrument rules a purchase depends on (field names exactly as Fondo spells them). */
export const InstrumentRulesSchema = z.object({
  closePrice: PriceSchema,
  decimalsUnits: z.number().int().min(0),
  minInitialAmountSek: SekAmountSchema,
  minSubsequentAmountSek: SekAmountSchema,
  minInvestmentAmountSEK: SekAmountSchema,
  isBuyable: z.boolean(),
  isTradable: z.boolean(),
});
/** Instrument rules for input. */
export type InstrumentRules = z.input<typeof InstrumentRulesSchema>;

/** Instrument rules plus the redemption gate, for rebalancing. */
export const SellableInstrumentRulesSchema = InstrumentRulesSchema.extend({ isSellable: z.boolean() });
/** Instrument rules with `isSellable`, for input. */
export type SellableInstrumentRules = z.input<typeof SellableInstrumentRulesSchema>;

/** One target weight: an instrument and its percent. */
export const WeightSchema = z.object({ instrument: InstrumentIdSchema, percent: PercentSchema });
/** A target weight, for input. */
export type Weight = z.input<typeof WeightSchema>;

/** Units held per instrument. */
export const HoldingsSchema = z.record(z.string(), UnitsSchema);

/** Which minimum field decided a purchase's effective minimum. */
export type MinimumKind = 'initial' | 'subsequent' | 'investment';

/** Instrument rules read into exact integers. */
export interface ParsedRules {
  /** closePrice as a validated decimal string (> 0, ≤ 10 decimals); `closePriceOf` reads it. */
  readonly closePrice: string;
  /** decimalsUnits clamped to 0..7. */
  readonly unitScale: number;
  /** The three minimums as validated SEK strings; `effectiveMinimum` reads the ones it needs. */
  readonly minInitialAmountSek: string;
  readonly minSubsequentAmountSek: string;
  readonly minInvestmentAmountSEK: string;
  readonly isBuyable: boolean;
  readonly isTradable: boolean;
  /** false when the rules did not say (only rebalancing reads it, and requires it). */
  readonly isSellable: boolean;
}

/** A weight read into basis points. */
export interface ParsedWeight {
  readonly instrument: string;
  /** percent × 100, > 0. */
  readonly bp: bigint;
}

/** Reason a purchase is blocked, checked in this order. */
export type BuyBlock = 'not-buyable' | 'not-tradable';
/** Reason a redemption is blocked, checked in this order. */
export type SellBlock = 'not-sellable' | 'not-tradable';

/** The first reason a fund cannot be bought, if any (not-buyable before not-tradable). */
export function buyBlock(rules: ParsedRules): BuyBlock | undefined {
  if (!rules.isBuyable) return 'not-buyable';
  if (!rules.isTradable) return 'not-tradable';
  return undefined;
}

/** The first reason a fund cannot be sold, if any (not-sellable before not-tradable). */
export function sellBlock(rules: ParsedRules): SellBlock | undefined {
  if (!rules.isSellable) return 'not-sellable';
  if (!rules.isTradable) return 'not-tradable';
  return undefined;
}

/** The closePrice in 10^-PRICE_SCALE SEK (parsed on demand: rebalancing prices held funds by their position). */
export function closePriceOf(rules: ParsedRules): bigint {
  return parseScaled(rules.closePrice, PRICE_SCALE) ?? 0n;
}

/** Effective minimum of a purchase in öre and the field that set it (ore 0 = no minimum). */
export interface EffectiveMinimum {
  readonly ore: bigint;
  readonly kind: MinimumKind;
}

/** max(initial-or-subsequent, minInvestmentAmountSEK); initial when the account holds no units. */
export function effectiveMinimum(rules: ParsedRules, holdsUnits: boolean): EffectiveMinimum {
  const first = sekToOre(holdsUnits ? rules.minSubsequentAmountSek : rules.minInitialAmountSek);
  const investment = sekToOre(rules.minInvestmentAmountSEK);
  if (investment > first) return { ore: investment, kind: 'investment' };
  return { ore: first, kind: holdsUnits ? 'subsequent' : 'initial' };
}

/** A validated SEK string in öre. */
function sekToOre(value: string): bigint {
  return parseScaled(value, SEK_SCALE) ?? 0n;
}

/**
 * Smallest orderable amount at THRESHOLD_SCALE: max(effective minimum, cost of one smallest unit). An amount is
 * orderable exactly when `orePerThreshold(amount) >= orderableThreshold(...)`.
 */
export function orderableThreshold(minimumOre: bigint, price: bigint, unitScale: number): bigint {
  const minimum = minimumOre * ORE_TO_THRESHOLD;
  const unitCost = price * pow10(MAX_UNIT_SCALE - unitScale);
  return minimum > unitCost ? minimum : unitCost;
}

const ORE_TO_THRESHOLD = pow10(THRESHOLD_SCALE - SEK_SCALE);

/** An öre amount at THRESHOLD_SCALE, to compare with `orderableThreshold`. */
export function oreAtThresholdScale(ore: bigint): bigint {
  return ore * ORE_TO_THRESHOLD;
}

/** True when `ore` buys no unit at all: amount < closePrice × 10^-unitScale. */
export function buysZeroUnits(ore: bigint, price: bigint, unitScale: number): boolean {
  return ore * pow10(PRICE_SCALE - SEK_SCALE + unitScale) < price;
}

/** Estimated units of a purchase: amount / price rounded down to `unitScale` decimals (a count of 10^-unitScale). */
export function estimateUnits(ore: bigint, price: bigint, unitScale: number): bigint {
  return divide(ore * pow10(PRICE_SCALE - SEK_SCALE + unitScale), price, 'down');
}

/** Formats basis points as a percent without trailing zeros (3333n → "33.33", 10000n → "100"). */
export function formatPercent(bp: bigint): string {
  return formatTrimmed(bp, PERCENT_SCALE);
}

/**
 * Problems of a weight list that field checks cannot see: empty, percentages not summing to exactly 100, an
 * instrument listed twice, an instrument `isKnown` does not know. `label` names the list in messages.
 */
export function weightListProblems(
  label: string,
  weights: readonly ParsedWeight[],
  isKnown: (instrument: string) => boolean
): string[] {
  if (weights.length === 0) return [`${label} is empty, expected weights summing to exactly 100`];
  const problems: string[] = [];
  const seen = new Set<string>();
  let total = 0n;
  for (const weight of weights) {
    total += weight.bp;
    if (seen.has(weight.instrument)) problems.push(`${label} lists instrument "${weight.instrument}" more than once`);
    seen.add(weight.instrument);
    if (!isKnown(weight.instrument)) {
      problems.push(`${label} instrument "${weight.instrument}" is not in instruments`);
    }
  }
  if (total !== HUNDRED_PERCENT) {
    problems.unshift(`${label} percentages sum to ${formatPercent(total)}, expected exactly 100`);
  }
  return problems;
}

/** Reads a zod-validated weight list (percent strings) into basis points, for `weightListProblems` in refinements. */
export function weightsFromStrings(weights: readonly { instrument: string; percent: string }[]): ParsedWeight[] {
  return weights.map((w) => ({ instrument: w.instrument, bp: parseScaled(w.percent, PERCENT_SCALE) ?? 0n }));
}

// ---------------------------------------------------------------------------------------------------------------
// Fast readers. Each returns the parsed value, or undefined when the value does not satisfy its schema; the caller
// then asks the zod schema for the message. Records containing a "__proto__" key are refused outright (zod would
// silently drop the key, which would hide an entry from the engine).

/** Own-property lookup: a record never answers with an inherited member such as "toString". */
export function hasOwn(record: Readonly<Record<string, unknown>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/** Value of an own property, or undefined. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** True for a value zod's `z.object` accepts as an object. */
export function isObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for a plain object usable as a record: its prototype is null or a root prototype (`Object.prototype` of any
 * realm — workflow sandboxes and test runners hand over objects from other realms), and no "__proto__" own key.
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (!isObjectLike(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === null || Object.getPrototypeOf(proto) === null) && !hasOwn(value, '__proto__');
}

/** True for a decimal string ≥ 0 with at most `scale` decimals (as `decimalString` accepts); `positive` refuses 0. */
export function isDecimalField(value: unknown, scale: number, positive: boolean): value is string {
  if (typeof value !== 'string') return false;
  const decimals = decimalScale(value);
  if (decimals < 0 || decimals > scale) return false;
  const zero = isZeroString(value);
  if (value.charCodeAt(0) === 45 /* - */ && !zero) return false;
  return !(positive && zero);
}

/** Reads a decimal string ≥ 0 with at most `scale` decimals; `positive` also refuses zero. */
export function readDecimal(value: unknown, scale: number, positive: boolean): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseScaled(value, scale);
  if (parsed === undefined || parsed < 0n || (positive && parsed === 0n)) return undefined;
  return parsed;
}

/** Reads an SEK amount ≥ 0 (at most 2 decimals) into öre. */
export function readOre(value: unknown): bigint | undefined {
  return readDecimal(value, SEK_SCALE, false);
}

/** Reads instrument rules; `withSellable` also requires the boolean `isSellable`. */
export function readRules(value: unknown, withSellable: boolean): ParsedRules | undefined {
  if (!isObjectLike(value)) return undefined;
  const { closePrice, decimalsUnits, minInitialAmountSek, minSubsequentAmountSek, minInvestmentAmountSEK } = value;
  const { isBuyable, isTradable, isSellable } = value;
  if (
    !isDecimalField(closePrice, PRICE_SCALE, true) ||
    typeof decimalsUnits !== 'number' ||
    !Number.isSafeInteger(decimalsUnits) ||
    decimalsUnits < 0 ||
    !isDecimalField(minInitialAmountSek, SEK_SCALE, false) ||
    !isDecimalField(minSubsequentAmountSek, SEK_SCALE, false) ||
    !isDecimalField(minInvestmentAmountSEK, SEK_SCALE, false) ||
    typeof isBuyable !== 'boolean' ||
    typeof isTradable !== 'boolean' ||
    (withSellable && typeof isSellable !== 'boolean')
  ) {
    return undefined;
  }
  return {
    closePrice,
    unitScale: decimalsUnits > MAX_UNIT_SCALE ? MAX_UNIT_SCALE : decimalsUnits,
    minInitialAmountSek,
    minSubsequentAmountSek,
    minInvestmentAmountSEK,
    isBuyable,
    isTradable,
    isSellable: isSellable === true,
  };
}

/** Reads a record of instrument rules. */
export function readRulesRecord(value: unknown, withSellable: boolean): Map<string, ParsedRules> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const rules = new Map<string, ParsedRules>();
  for (const id of Object.keys(value)) {
    const parsed = readRules(value[id], withSellable);
    if (parsed === undefined) return undefined;
    rules.set(id, parsed);
  }
  return rules;
}

/** Reads a weight list (array of {instrument, percent}); cross-list rules are `weightListProblems`. */
export function readWeights(value: unknown): ParsedWeight[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const weights: ParsedWeight[] = [];
  for (const item of value as unknown[]) {
    if (!isObjectLike(item)) return undefined;
    const { instrument } = item;
    const bp = readDecimal(item.percent, PERCENT_SCALE, true);
    if (typeof instrument !== 'string' || instrument === '' || bp === undefined) return undefined;
    weights.push({ instrument, bp });
  }
  return weights;
}

/** Checks a record of unit counts (≥ 0, ≤ 7 decimals); returns it, or undefined. */
export function readUnitsRecord(value: unknown): Readonly<Record<string, string>> | undefined {
  if (!isPlainRecord(value)) return undefined;
  for (const key of Object.keys(value)) {
    if (!isDecimalField(value[key], MAX_UNIT_SCALE, false)) return undefined;
  }
  return value as Record<string, string>;
}

/** True when a checked units record holds more than zero units of `instrument`. */
export function holdsUnits(holdings: Readonly<Record<string, string>>, instrument: string): boolean {
  const units = ownValue(holdings, instrument);
  return units !== undefined && !isZeroString(units);
}

/** Reads a record of SEK amounts (≥ 0, ≤ 2 decimals) into öre. */
export function readOreRecord(value: unknown): Map<string, bigint> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const out = new Map<string, bigint>();
  for (const key of Object.keys(value)) {
    const parsed = readOre(value[key]);
    if (parsed === undefined) return undefined;
    out.set(key, parsed);
  }
  return out;
}
