/**
 * Rebalancing: measures drift of fund holdings from their targets, decides whether a band is breached, and plans
 * the redemptions and subscriptions that move holdings back toward target.
 *
 * Pure and deterministic (runs inside Temporal workflow code): no I/O, clock, randomness or environment.
 *
 * Rules:
 * - Drift is measured over fund holdings only (cash excluded): actual % = units × price / Σ units × price × 100;
 *   with no holdings every actual weight is 0. Deviation = actual − target in percentage points; drift numbers are
 *   decimal strings with 4 decimals rounded half-up (ties away from zero). Total drift = Σ|deviation| / 2, the max
 *   is the largest |deviation|. A held fund missing from the targets has target 0.
 * - Bands (evaluated on those 4-decimal deviations): a fund is outside when |dev| > absolutePp, or when
 *   |dev| > target × relativePct / 100; either breach counts. No band given = outside (always rebalance).
 * - Buffer = cashBufferPct % × (holdings value + cash), rounded up to öre; no plan spends into it.
 * - Full mode (only when outside the band): target value = target % × (holdings + cash − buffer). Overweight funds
 *   are sold down toward target (units rounded down to the fund's decimals, never more than held, sellable only;
 *   estimated proceeds = units × price rounded down to öre). Underweight funds are bought, largest gap first, with
 *   cash + estimated proceeds − buffer. A plan that would leave drift (max or total) above its current value is
 *   dropped whole: every trade is skipped as `would-increase-drift`.
 * - Cash-flow mode never sells and is not gated by the band: it spends cash − buffer on the largest gaps toward
 *   target after the deposit (target % × (holdings + spendable cash)), then pro rata by target weight.
 * - A purchase needs amount ≥ max(fund minimum, minTradeAmount) and at least one smallest unit; a redemption needs
 *   at least one smallest unit and proceeds ≥ minTradeAmount (and > 0). Trades under 1 öre are not considered.
 */
import { z } from 'zod';
import { apportion, compareIds, type SplitPolicy, splitDeposit } from './allocation';
import { DomainInputError, zodProblems } from './domain-error';
import * as fixedPoint from './fixed-point';
import * as instrumentRules from './instrument-rules';
import {
  InstrumentRulesSchema,
  type InstrumentRules,
  type ParsedRules,
  type ParsedWeight,
  PriceSchema,
  SellableInstrumentRulesSchema,
  WeightSchema,
  weightListProblems,
  weightsFromStrings,
} from './instrument-rules';
import * as money from './money';
import { decimalString, SekAmountSchema, UnitsSchema } from './money';

// Hot-path imports are bound once at load. Under the CommonJS interop of tsx and webpack every call through an
// import pays an export getter (measured, docs/BENCHMARKS.md).
const { absOf, divide, formatScaled, isZeroString, maxOf, minOf, parseScaled, pow10 } = fixedPoint;
const {
  buysZeroUnits,
  closePriceOf,
  effectiveMinimum,
  formatPercent,
  HUNDRED_PERCENT,
  isDecimalField,
  isObjectLike,
  isPlainRecord,
  PRICE_SCALE,
  readDecimal,
  readOre,
  readRulesRecord,
  readWeights,
  sellBlock,
  buyBlock,
} = instrumentRules;
const { MAX_UNIT_SCALE, SEK_SCALE } = money;

/** Decimals of drift figures and band values (percent / percentage points). */
export const DRIFT_SCALE = 4;
const ONE_HUNDRED_AT_DRIFT_SCALE = 100n * pow10(DRIFT_SCALE);

/** A held position: units (≤ 7 decimals) and the price to value it at (> 0, ≤ 10 decimals). */
export const PositionSchema = z.object({ units: UnitsSchema, price: PriceSchema });
/** Positions per instrument id. */
export const PositionsSchema = z.record(z.string(), PositionSchema);
/** A list of target weights (sum exactly 100, no duplicates). */
export const TargetsSchema = z.array(WeightSchema);

/** A band value: ≥ 0 with at most 4 decimals. */
export const BandValueSchema = decimalString({ maxScale: DRIFT_SCALE });
/** Drift band: absolute (percentage points) and/or relative (percent of the target); neither = always outside. */
export const BandSchema = z.object({
  absolutePp: BandValueSchema.optional(),
  relativePct: BandValueSchema.optional(),
});
/** Cash buffer in percent of holdings + cash: 0..100, at most 4 decimals. */
export const CashBufferPctSchema = decimalString({ maxScale: DRIFT_SCALE }).refine(
  (value) => (parseScaled(value, DRIFT_SCALE) ?? 0n) <= ONE_HUNDRED_AT_DRIFT_SCALE,
  'must be at most 100'
);

/** Rebalancing policy. */
export const RebalancePolicySchema = z.object({
  mode: z.enum(['full', 'cash-flow']),
  /** Absent = no band (always outside). */
  band: BandSchema.optional(),
  /** Trades below this SEK amount are skipped (`below-minimum-trade`). */
  minTradeAmount: SekAmountSchema,
  cashBufferPct: CashBufferPctSchema,
});

/** Input of {@link planRebalance}. */
export const RebalanceInputSchema = z
  .object({
    positions: PositionsSchema,
    /**
     * The cash this run may spend (SEK, ≥ 0). The plan hands the run only its free cash: held legs, carried legs and
     * a waiting cycle's deposit are excluded by the caller, never by the engine.
     */
    cash: SekAmountSchema,
    targets: TargetsSchema,
    /** Rules (with `isSellable`) for every target and every position holding units. */
    instruments: z.record(z.string(), SellableInstrumentRulesSchema),
    policy: RebalancePolicySchema,
    /**
     * Funds this run has already sold (its sell phase): never bought in the same run (`sold-in-run`). Absent = none.
     */
    soldInRun: z.array(z.string()).optional(),
  })
  .superRefine((input, ctx) => {
    const known = (id: string) => instrumentRules.hasOwn(input.instruments, id);
    const held = Object.entries(input.positions).map(([id, p]) => ({ id, holds: !isZeroString(p.units) }));
    for (const message of rebalanceProblems(weightsFromStrings(input.targets), held, known)) {
      ctx.addIssue({ code: 'custom', message });
    }
  });

/** Input of {@link cashFlowAllocation}. */
export const CashFlowAllocationInputSchema = z
  .object({
    positions: PositionsSchema,
    targets: TargetsSchema,
    /** The money to direct: the cycle's whole pool (deposit + the plan's free cash + carry it spends). */
    amount: money.PositiveSekAmountSchema,
    /**
     * Rules of every target fund. When given, the weights respect what can be bought (minimums, unit decimals,
     * buyable/tradable) and never invest less than the plain targets would; absent = the gap-first rule alone.
     */
    instruments: z.record(z.string(), InstrumentRulesSchema).optional(),
    /** Per-fund carry the split will add (only with `instruments`; used to compare with the plain targets). */
    carry: z.record(z.string(), SekAmountSchema).optional(),
    /** The split policy the weights will be used with (only with `instruments`). */
    policy: z
      .object({
        belowMinimum: z.enum(['redistribute', 'carry']).optional(),
        blocked: z.enum(['hold', 'redistribute']).optional(),
      })
      .optional(),
  })
  .superRefine((input, ctx) => {
    const instruments = input.instruments;
    const known = instruments === undefined ? () => true : (id: string) => instrumentRules.hasOwn(instruments, id);
    for (const message of weightListProblems('targets', weightsFromStrings(input.targets), known)) {
      ctx.addIssue({ code: 'custom', message });
    }
  });

/** Input of {@link measureDrift}. */
export const MeasureDriftInputSchema = z
  .object({ positions: PositionsSchema, targets: TargetsSchema })
  .superRefine((input, ctx) => {
    for (const message of weightListProblems('targets', weightsFromStrings(input.targets), () => true)) {
      ctx.addIssue({ code: 'custom', message });
    }
  });

/** Input of {@link planRebalance}, as callers write it. */
export type RebalanceInput = z.input<typeof RebalanceInputSchema>;
/** Rebalancing policy, as callers write it. */
export type RebalancePolicy = z.input<typeof RebalancePolicySchema>;
/** Drift band, as callers write it. */
export type Band = z.input<typeof BandSchema>;
/** Positions per instrument, as callers write them. */
export type Positions = z.input<typeof PositionsSchema>;
/** Target weights, as callers write them. */
export type Targets = z.input<typeof TargetsSchema>;
/** Input of {@link cashFlowAllocation}, as callers write it. */
export type CashFlowAllocationInput = z.input<typeof CashFlowAllocationInputSchema>;

/** Why a trade was not planned (stable strings). */
export type SkipReason =
  | 'below-minimum-trade'
  | 'below-minimum'
  | 'not-sellable'
  | 'not-buyable'
  | 'not-tradable'
  | 'unit-decimals'
  | 'insufficient-cash'
  | 'would-increase-drift'
  | 'proceeds-unused'
  | 'sold-in-run';

/** One fund's drift; every figure a 4-decimal string in percent / percentage points. */
export interface InstrumentDrift {
  instrument: string;
  actualPct: string;
  targetPct: string;
  /** actual − target, signed. */
  deviationPp: string;
}

/** Drift of a set of holdings from targets (4-decimal strings, rounded half-up). */
export interface DriftMeasurement {
  /** Largest |actual − target| in percentage points. */
  maxAbsolutePp: string;
  /** Σ|actual − target| / 2 in percentage points. */
  total: string;
  /** Targets in list order, then held funds outside the targets by id. */
  perInstrument: InstrumentDrift[];
}

/** The two headline drift figures. */
export interface DriftSummary {
  maxAbsolutePp: string;
  total: string;
}

/** A redemption: units (rounded down to the fund's decimals) and proceeds estimated at the position price. */
export interface Redemption {
  instrument: string;
  units: string;
  estimatedAmount: string;
}

/** A subscription: SEK amount (2 decimals, rounded down to öre). */
export interface Subscription {
  instrument: string;
  amount: string;
}

/** A trade the plan wanted but did not make; `amount` is the SEK size it would have had (2 decimals). */
export interface SkippedTrade {
  instrument: string;
  side: 'buy' | 'sell';
  reason: SkipReason;
  amount: string;
}

/** Result of {@link planRebalance}. */
export interface RebalanceDecision {
  /** No fund outside the band (no band given: false). In full mode true means no trades. */
  withinBand: boolean;
  driftBefore: DriftSummary;
  /** Drift of the projected holdings after the planned trades (estimated at current prices). */
  driftAfter: DriftSummary;
  redemptions: Redemption[];
  subscriptions: Subscription[];
  skipped: SkippedTrade[];
  /** The cash buffer kept (SEK, 2 decimals). */
  cashBuffer: string;
  /** cash + estimated proceeds − subscriptions (SEK, 2 decimals). */
  estimatedCashAfter: string;
}

/**
 * Drift of `positions` from `targets` (see the module rules).
 *
 * @throws DomainInputError on malformed positions or targets.
 */
export function measureDrift(positions: Positions, targets: Targets): DriftMeasurement {
  const input = { positions, targets };
  const parsedPositions = readPositions(positions);
  const weights = readWeights(targets);
  if (parsedPositions === undefined || weights === undefined) {
    throw schemaError('drift input', MeasureDriftInputSchema, input, 'positions or targets are malformed');
  }
  throwIfProblems(
    'drift input',
    weightListProblems('targets', weights, () => true)
  );
  const funds = fundsOf(weights, parsedPositions, undefined);
  const drift = measure(funds.map(weightedOf), sumValues(funds), funds);
  const perInstrument = funds.map((fund, i): InstrumentDrift => {
    const actual = drift.total === 0n ? 0n : divide(fund.weighted * BP_TO_DRIFT, drift.total, 'halfUp');
    return {
      instrument: fund.instrument,
      actualPct: formatScaled(actual, DRIFT_SCALE),
      targetPct: formatScaled(fund.bp * BP_TO_DRIFT, DRIFT_SCALE),
      deviationPp: formatScaled(deviation(drift, i), DRIFT_SCALE),
    };
  });
  return { ...summarize(drift), perInstrument };
}

/**
 * True when some fund is outside the band (see the module rules); with neither `absolutePp` nor `relativePct`
 * given, always true.
 *
 * @throws DomainInputError on a malformed band or drift figure.
 */
export function isOutsideBand(drift: DriftMeasurement, band: Band): boolean {
  const parsedBand = readBand(band);
  if (parsedBand === undefined) throw schemaError('band', BandSchema, band, 'band is malformed');
  if (parsedBand.absolute === undefined && parsedBand.relative === undefined) return true;
  for (const fund of drift.perInstrument) {
    const deviationValue = parseScaled(fund.deviationPp, DRIFT_SCALE);
    const target = parseScaled(fund.targetPct, DRIFT_SCALE);
    if (deviationValue === undefined || target === undefined) {
      throw new DomainInputError('drift measurement', [`${fund.instrument}: drift figures are not decimal strings`]);
    }
    if (breaches(deviationValue, target, parsedBand)) return true;
  }
  return false;
}

/**
 * Percentages (≤ 2 decimals, each > 0, summing to exactly 100 by largest remainder) that direct a deposit of
 * `amount` to the most underweight funds first. With no holdings the targets are returned unchanged. Funds that
 * would get nothing are left out.
 *
 * Without `instruments` this is the gap-first rule alone (no minimums or trading flags). With `instruments` the
 * weights respect what can be bought, as cash-flow rebalancing does: a gap is filled only when the purchase is
 * orderable (buyable and tradable, at least the effective minimum — initial when the fund is not held — and at least
 * one smallest unit); what the gaps cannot take is spread by target weight over the funds it can buy, dropping the
 * fund furthest below its minimum first. The result is then checked against the plain targets through
 * {@link splitDeposit} (same amount, holdings, carry and policy): if the plain targets would order more money, they
 * are returned instead, so cash-flow investing never leaves more uninvested than the plain split. When nothing can
 * be bought the plain targets are returned (the split then holds the blocked legs or keeps the cash).
 *
 * @throws DomainInputError on malformed input.
 */
export function cashFlowAllocation(input: CashFlowAllocationInput): { instrument: string; percent: string }[] {
  const positions = isObjectLike(input) ? readPositions(input.positions) : undefined;
  const weights = isObjectLike(input) ? readWeights(input.targets) : undefined;
  const amountOre = isObjectLike(input) ? readOre(input.amount) : undefined;
  const withRules = isObjectLike(input) && input.instruments !== undefined;
  const rules = withRules ? readRulesRecord(input.instruments, false) : undefined;
  const carry = withRules && input.carry !== undefined ? instrumentRules.readOreRecord(input.carry) : new Map();
  const policy = withRules ? readSplitPolicy(input.policy) : undefined;
  if (
    positions === undefined ||
    weights === undefined ||
    amountOre === undefined ||
    amountOre === 0n ||
    (withRules && (rules === undefined || carry === undefined || policy === undefined))
  ) {
    throw schemaError('cash-flow allocation input', CashFlowAllocationInputSchema, input, 'input is malformed');
  }
  throwIfProblems(
    'cash-flow allocation input',
    weightListProblems('targets', weights, rules === undefined ? () => true : (id) => rules.has(id))
  );
  const funds = fundsOf(weights, positions, rules);
  const holdingsValue = sumValues(funds);
  if (holdingsValue === 0n) return input.targets.map((t) => ({ instrument: t.instrument, percent: t.percent }));

  const targetFunds = funds.filter((fund) => fund.bp > 0n);
  const gaps = gapsToward(targetFunds, holdingsValue + amountOre * ORE_TO_VALUE);
  const amounts =
    rules === undefined
      ? gapFirst(gaps, targetFunds, amountOre, funds.length)
      : buyableGapFirst(gaps, targetFunds, amountOre, funds.length);
  const receiving = targetFunds.filter((fund) => (amounts[fund.index] as bigint) > 0n);
  if (receiving.length === 0) return input.targets.map((t) => ({ instrument: t.instrument, percent: t.percent }));
  const basisPoints = apportion(
    HUNDRED_PERCENT,
    receiving.map((fund) => ({ key: fund.instrument, weight: amounts[fund.index] as bigint }))
  );
  const allocation: { instrument: string; percent: string }[] = [];
  receiving.forEach((fund, i) => {
    const bp = basisPoints[i] as bigint;
    if (bp > 0n) allocation.push({ instrument: fund.instrument, percent: formatPercent(bp) });
  });
  if (rules === undefined) return allocation;
  return investsAtLeastPlain(input, allocation, positions, policy as SplitPolicy);
}

/** The gap-first rule alone: gaps largest first, then the rest pro rata by target weight. Öre per fund index. */
function gapFirst(gaps: readonly Gap[], targetFunds: readonly Fund[], amountOre: bigint, size: number): bigint[] {
  const amounts = new Array<bigint>(size).fill(0n);
  let remaining = amountOre;
  for (const { fund, gapOre } of gaps) {
    const amount = minOf(gapOre, remaining);
    if (amount === 0n) break;
    amounts[fund.index] = amount;
    remaining -= amount;
  }
  if (remaining > 0n) {
    const shares = apportion(remaining, targetFunds.map(claimOf));
    targetFunds.forEach((fund, i) => (amounts[fund.index] = (amounts[fund.index] as bigint) + (shares[i] as bigint)));
  }
  return amounts;
}

/** Gap-first over what can be bought: orderable gaps largest first, then the rest spread over buyable funds. */
function buyableGapFirst(
  gaps: readonly Gap[],
  targetFunds: readonly Fund[],
  amountOre: bigint,
  size: number
): bigint[] {
  const amounts = new Array<bigint>(size).fill(0n);
  let remaining = amountOre;
  for (const { fund, gapOre } of gaps) {
    const rules = fund.rules as ParsedRules;
    if (buyBlock(rules) !== undefined) continue;
    const amount = minOf(gapOre, remaining);
    if (!orderable(amount, effectiveMinimum(rules, fund.units > 0n).ore, 0n, fund)) continue;
    amounts[fund.index] = amount;
    remaining -= amount;
  }
  if (remaining > 0n) {
    const eligible = targetFunds.filter((fund) => buyBlock(fund.rules as ParsedRules) === undefined);
    spreadOver(eligible, remaining, amounts, 0n);
  }
  return amounts;
}

/** `allocation`, unless the plain targets would order more money through splitDeposit with the same inputs. */
function investsAtLeastPlain(
  input: CashFlowAllocationInput,
  allocation: { instrument: string; percent: string }[],
  positions: ReadonlyMap<string, ParsedPosition>,
  policy: SplitPolicy
): { instrument: string; percent: string }[] {
  const holdings: Record<string, string> = {};
  for (const [id, position] of positions) holdings[id] = formatScaled(position.units, MAX_UNIT_SCALE);
  const common = {
    amount: input.amount,
    instruments: input.instruments as Record<string, InstrumentRules>,
    holdings,
    ...(input.carry === undefined ? {} : { carry: input.carry }),
    policy,
  };
  const plain = orderedOre(splitDeposit({ ...common, allocation: input.targets }).orders);
  const cashFlow = orderedOre(splitDeposit({ ...common, allocation }).orders);
  if (cashFlow >= plain) return allocation;
  return input.targets.map((t) => ({ instrument: t.instrument, percent: t.percent }));
}

function orderedOre(orders: readonly { amount: string }[]): bigint {
  let total = 0n;
  for (const order of orders) total += readOre(order.amount) ?? 0n;
  return total;
}

function readSplitPolicy(value: unknown): SplitPolicy | undefined {
  if (value === undefined) return {};
  if (!isObjectLike(value)) return undefined;
  const { belowMinimum, blocked } = value;
  if (belowMinimum !== undefined && belowMinimum !== 'redistribute' && belowMinimum !== 'carry') return undefined;
  if (blocked !== undefined && blocked !== 'hold' && blocked !== 'redistribute') return undefined;
  return {
    ...(belowMinimum === undefined ? {} : { belowMinimum }),
    ...(blocked === undefined ? {} : { blocked }),
  };
}

/**
 * Plans a rebalance (see the module rules).
 *
 * @throws DomainInputError when the input is malformed (naming every problem); nothing partial is returned.
 */
export function planRebalance(input: RebalanceInput): RebalanceDecision {
  const parsed = parseRebalanceInput(input);
  const funds = parsed.funds;
  const before = measure(funds.map(weightedOf), sumValues(funds), funds);
  const withinBand = !outsideBand(before, funds, parsed.band);
  const holdingsValue = before.total;
  const cashValue = parsed.cashOre * ORE_TO_VALUE;
  const bufferOre = divide((holdingsValue + cashValue) * parsed.bufferPct, BUFFER_DIVISOR, 'ceil');

  const plan: Plan = {
    sells: new Array<Sell | undefined>(funds.length).fill(undefined),
    buys: new Array<bigint>(funds.length).fill(0n),
    skipped: [],
  };
  if (parsed.mode === 'full' && !withinBand) planFull(parsed, holdingsValue, bufferOre, plan);
  else if (parsed.mode === 'cash-flow') planCashFlow(parsed, holdingsValue, bufferOre, plan);

  let after = before;
  if (hasTrades(plan)) {
    const { weighted, total } = projected(funds, plan);
    after = measure(weighted, total, funds);
  }
  if (parsed.mode === 'full' && worse(after, before)) {
    dropPlan(plan, funds);
    after = before;
  }
  return decision(parsed, plan, withinBand, before, after, bufferOre);
}

// ---------------------------------------------------------------------------------------------------------------
// Scales. A value is a BigInt count of 10^-VALUE_SCALE SEK, so units (10^-7) × price (10^-10) is exact. Targets
// are compared without dividing: value × TARGET_FACTOR (a fund's `weighted`) against total × basis points, both at
// VALUE_SCALE + 4.

const VALUE_SCALE = MAX_UNIT_SCALE + PRICE_SCALE; // 17
const ORE_TO_VALUE = pow10(VALUE_SCALE - SEK_SCALE);
/** 100 % in basis points: value × TARGET_FACTOR compares with total × basis points. */
const TARGET_FACTOR = 10_000n;
/** A weighted difference (VALUE_SCALE + 4) in whole öre. */
const TARGET_ORE_DIVISOR = pow10(VALUE_SCALE + 4 - SEK_SCALE);
/** Weighted excess → units: / (price × 10^(VALUE_SCALE + 4 − PRICE_SCALE)), then × 10^unitScale. */
const SELL_DIVISOR = pow10(VALUE_SCALE + 4 - PRICE_SCALE);
/** Buffer in öre = (value + cash) × pct (10^-4 %) / (100 × 10^4) at VALUE_SCALE → öre. */
const BUFFER_DIVISOR = 100n * pow10(DRIFT_SCALE) * pow10(VALUE_SCALE - SEK_SCALE);
/** Basis points (10^-2 %, or 10^-2 pp) → DRIFT_SCALE (10^-4). */
const BP_TO_DRIFT = pow10(DRIFT_SCALE - 2);

interface Fund {
  readonly instrument: string;
  /** Target in basis points; 0 for a held fund outside the targets. */
  readonly bp: bigint;
  /** Units held at 10^-7. */
  readonly units: bigint;
  /** Position price, else the instrument's closePrice, at 10^-10. */
  readonly price: bigint;
  /** units × price at VALUE_SCALE. */
  readonly value: bigint;
  /** value × TARGET_FACTOR, to compare with a total × basis points. */
  readonly weighted: bigint;
  /** Position in the fund list (targets in order, then others by id). */
  readonly index: number;
  /** Undefined only in measureDrift/cashFlowAllocation (no rules given). */
  readonly rules: ParsedRules | undefined;
}

interface ParsedPosition {
  readonly units: bigint;
  readonly price: bigint;
}

interface ParsedBand {
  readonly absolute: bigint | undefined;
  readonly relative: bigint | undefined;
}

interface ParsedRebalance {
  readonly funds: readonly Fund[];
  readonly cashOre: bigint;
  readonly mode: 'full' | 'cash-flow';
  readonly band: ParsedBand;
  readonly minTradeOre: bigint;
  /** cashBufferPct at 10^-4 %. */
  readonly bufferPct: bigint;
  /** Funds sold earlier in this run: never bought. */
  readonly sold: ReadonlySet<string>;
}

/**
 * Numerators of each fund's deviation: deviation in basis points = numerators[i] / denominator, where the
 * denominator is the holdings value (1 when there are no holdings, with numerators = −target).
 */
interface Drift {
  readonly numerators: readonly bigint[];
  /** Holdings value at VALUE_SCALE (0 = no holdings). */
  readonly total: bigint;
  readonly denominator: bigint;
  readonly maxNumerator: bigint;
  readonly sumNumerators: bigint;
}

/** A planned redemption: units at 10^-unitScale and estimated proceeds in öre. */
interface Sell {
  readonly units: bigint;
  readonly ore: bigint;
}

/** Planned trades, indexed by `Fund.index`. */
interface Plan {
  readonly sells: (Sell | undefined)[];
  /** Öre bought (0 = none). */
  readonly buys: bigint[];
  readonly skipped: { fund: Fund; side: 'buy' | 'sell'; reason: SkipReason; ore: bigint }[];
}

function weightedOf(fund: Fund): bigint {
  return fund.weighted;
}

function sumValues(funds: readonly Fund[]): bigint {
  let total = 0n;
  for (const fund of funds) total += fund.value;
  return total;
}

function claimOf(fund: Fund) {
  return { key: fund.instrument, weight: fund.bp };
}

/** Drift of `weighted` values (value × TARGET_FACTOR) whose plain values sum to `total`. */
function measure(weighted: readonly bigint[], total: bigint, funds: readonly Fund[]): Drift {
  const denominator = total === 0n ? 1n : total;
  const numerators: bigint[] = [];
  let maxNumerator = 0n;
  let sumNumerators = 0n;
  for (let i = 0; i < funds.length; i++) {
    // with no holdings every weighted value is 0 and the denominator 1: numerator = −target
    const numerator = (weighted[i] as bigint) - (funds[i] as Fund).bp * denominator;
    numerators.push(numerator);
    const magnitude = numerator < 0n ? -numerator : numerator;
    if (magnitude > maxNumerator) maxNumerator = magnitude;
    sumNumerators += magnitude;
  }
  return { numerators, total, denominator, maxNumerator, sumNumerators };
}

/** A fund's deviation in 10^-4 percentage points, rounded half-up. */
function deviation(drift: Drift, i: number): bigint {
  return divide((drift.numerators[i] as bigint) * BP_TO_DRIFT, drift.denominator, 'halfUp');
}

function summarize(drift: Drift): DriftSummary {
  return {
    maxAbsolutePp: formatScaled(divide(drift.maxNumerator * BP_TO_DRIFT, drift.denominator, 'halfUp'), DRIFT_SCALE),
    total: formatScaled(divide(drift.sumNumerators * BP_TO_DRIFT, 2n * drift.denominator, 'halfUp'), DRIFT_SCALE),
  };
}

/** Exact comparison: is `after` above `before` in max or total drift? */
function worse(after: Drift, before: Drift): boolean {
  return (
    after.maxNumerator * before.denominator > before.maxNumerator * after.denominator ||
    after.sumNumerators * before.denominator > before.sumNumerators * after.denominator
  );
}

/** |dev| > absolute, or |dev| × 10^6 > target × relative (all at 10^-4). */
function breaches(deviationValue: bigint, target: bigint, band: ParsedBand): boolean {
  const magnitude = absOf(deviationValue);
  if (band.absolute !== undefined && magnitude > band.absolute) return true;
  return band.relative !== undefined && magnitude * RELATIVE_FACTOR > target * band.relative;
}

const RELATIVE_FACTOR = 100n * pow10(DRIFT_SCALE);

function outsideBand(drift: Drift, funds: readonly Fund[], band: ParsedBand): boolean {
  if (band.absolute === undefined && band.relative === undefined) return true;
  return funds.some((fund, i) => breaches(deviation(drift, i), fund.bp * BP_TO_DRIFT, band));
}

/** An underweight target fund: gap = target × investable − weighted value (> 0), and the gap in whole öre. */
interface Gap {
  readonly fund: Fund;
  readonly gap: bigint;
  readonly gapOre: bigint;
}

/** Target funds with a gap ≥ 1 öre toward target % × `investable`, largest gap first. */
function gapsToward(funds: readonly Fund[], investable: bigint): Gap[] {
  const gaps: Gap[] = [];
  for (const fund of funds) {
    if (fund.bp === 0n) continue;
    const gap = investable * fund.bp - fund.weighted;
    if (gap >= TARGET_ORE_DIVISOR) gaps.push({ fund, gap, gapOre: gap / TARGET_ORE_DIVISOR });
  }
  return gaps.sort(largestGapFirst);
}

/** Largest gap first; ties: larger target, then id ascending. */
function largestGapFirst(a: Gap, b: Gap): number {
  if (a.gap !== b.gap) return a.gap > b.gap ? -1 : 1;
  if (a.fund.bp !== b.fund.bp) return a.fund.bp > b.fund.bp ? -1 : 1;
  return compareIds(a.fund.instrument, b.fund.instrument);
}

function planFull(parsed: ParsedRebalance, holdingsValue: bigint, bufferOre: bigint, plan: Plan): void {
  let investable = holdingsValue + parsed.cashOre * ORE_TO_VALUE - bufferOre * ORE_TO_VALUE;
  if (investable < 0n) investable = 0n;
  let proceedsOre = 0n;
  const gaps: Gap[] = [];
  for (const fund of parsed.funds) {
    const excess = fund.weighted - investable * fund.bp;
    if (excess <= -TARGET_ORE_DIVISOR && fund.bp > 0n) {
      gaps.push({ fund, gap: -excess, gapOre: -excess / TARGET_ORE_DIVISOR });
      continue;
    }
    if (excess < TARGET_ORE_DIVISOR) continue; // within 1 öre of target
    const excessOre = excess / TARGET_ORE_DIVISOR;
    const rules = fund.rules as ParsedRules;
    const block = sellBlock(rules);
    if (block !== undefined) {
      plan.skipped.push({ fund, side: 'sell', reason: block, ore: excessOre });
      continue;
    }
    const scale = rules.unitScale;
    const wanted = (excess * pow10(scale)) / (fund.price * SELL_DIVISOR); // both > 0: truncation = round down
    const units = minOf(wanted, fund.units / pow10(MAX_UNIT_SCALE - scale));
    const ore = (units * fund.price) / pow10(scale + PRICE_SCALE - SEK_SCALE);
    if (units === 0n) plan.skipped.push({ fund, side: 'sell', reason: 'unit-decimals', ore: excessOre });
    else if (ore === 0n || ore < parsed.minTradeOre) {
      plan.skipped.push({ fund, side: 'sell', reason: 'below-minimum-trade', ore });
    } else {
      plan.sells[fund.index] = { units, ore };
      proceedsOre += ore;
    }
  }
  const fundingOre = parsed.cashOre + proceedsOre - bufferOre;
  buyGaps(parsed, gaps.sort(largestGapFirst), fundingOre, plan);
  keepNeededSells(parsed, bufferOre, plan);
}

/**
 * Keeps only the sells whose proceeds the planned buys need: need = Σ buys + buffer − cash (none when nothing is
 * bought). Sells are kept largest proceeds first (ties: fund order) until the need is covered; the last one kept
 * is trimmed to the fewest units (rounded up to the fund's decimals) whose estimated proceeds still cover the rest
 * of the need, when that trimmed sell is itself a valid trade. The others are skipped as `proceeds-unused`. So no
 * kept sell could be dropped without leaving a planned buy unfunded.
 */
function keepNeededSells(parsed: ParsedRebalance, bufferOre: bigint, plan: Plan): void {
  let boughtOre = 0n;
  for (const ore of plan.buys) boughtOre += ore;
  let needOre = boughtOre === 0n ? 0n : boughtOre + bufferOre - parsed.cashOre;
  const sold = parsed.funds.filter((fund) => plan.sells[fund.index] !== undefined);
  sold.sort((a, b) => {
    const oa = (plan.sells[a.index] as Sell).ore;
    const ob = (plan.sells[b.index] as Sell).ore;
    return oa === ob ? a.index - b.index : oa > ob ? -1 : 1;
  });
  for (const fund of sold) {
    const sell = plan.sells[fund.index] as Sell;
    if (needOre <= 0n) {
      plan.skipped.push({ fund, side: 'sell', reason: 'proceeds-unused', ore: sell.ore });
      plan.sells[fund.index] = undefined;
      continue;
    }
    if (sell.ore > needOre) {
      const scale = (fund.rules as ParsedRules).unitScale;
      const unitFactor = pow10(scale + PRICE_SCALE - SEK_SCALE);
      const units = divide(needOre * unitFactor, fund.price, 'ceil');
      const ore = (units * fund.price) / unitFactor;
      if (units > 0n && units <= sell.units && ore >= needOre && ore >= parsed.minTradeOre) {
        plan.sells[fund.index] = { units, ore };
        needOre -= ore;
        continue;
      }
    }
    needOre -= sell.ore;
  }
}

/** Buys gaps largest first from `fundingOre`; returns what is left. Records skips for gaps not bought. */
function buyGaps(parsed: ParsedRebalance, gaps: readonly Gap[], fundingOre: bigint, plan: Plan): bigint {
  let remaining = fundingOre > 0n ? fundingOre : 0n;
  for (const { fund, gapOre } of gaps) {
    const rules = fund.rules as ParsedRules;
    const block = buyBlock(rules);
    if (block !== undefined) {
      plan.skipped.push({ fund, side: 'buy', reason: block, ore: gapOre });
      continue;
    }
    if (parsed.sold.has(fund.instrument)) {
      plan.skipped.push({ fund, side: 'buy', reason: 'sold-in-run', ore: gapOre });
      continue;
    }
    const minimumOre = effectiveMinimum(rules, fund.units > 0n).ore;
    const amount = minOf(gapOre, remaining);
    if (orderable(amount, minimumOre, parsed.minTradeOre, fund)) {
      plan.buys[fund.index] = amount;
      remaining -= amount;
      continue;
    }
    let reason: SkipReason;
    if (orderable(gapOre, minimumOre, parsed.minTradeOre, fund)) reason = 'insufficient-cash';
    else if (gapOre < minimumOre) reason = 'below-minimum';
    else if (gapOre < parsed.minTradeOre) reason = 'below-minimum-trade';
    else reason = 'unit-decimals';
    plan.skipped.push({ fund, side: 'buy', reason, ore: gapOre });
  }
  return remaining;
}

function orderable(amountOre: bigint, minimumOre: bigint, minTradeOre: bigint, fund: Fund): boolean {
  return (
    amountOre > 0n &&
    amountOre >= minimumOre &&
    amountOre >= minTradeOre &&
    !buysZeroUnits(amountOre, fund.price, (fund.rules as ParsedRules).unitScale)
  );
}

function planCashFlow(parsed: ParsedRebalance, holdingsValue: bigint, bufferOre: bigint, plan: Plan): void {
  const spendableOre = parsed.cashOre - bufferOre;
  if (spendableOre <= 0n) return;
  const targetFunds = parsed.funds.filter((fund) => fund.bp > 0n);
  const gaps = gapsToward(targetFunds, holdingsValue + spendableOre * ORE_TO_VALUE);
  const remaining = buyGaps(parsed, gaps, spendableOre, plan);
  if (remaining > 0n) spreadProRata(parsed, targetFunds, remaining, plan);
}

/**
 * Spreads `remainingOre` over the buyable target funds by target weight (never a fund sold in this run). A fund
 * whose total purchase would not be orderable is dropped (lowest amount/need ratio first; ties: smaller target,
 * then id) and the rest re-split; with none left the money stays cash. Funds bought here lose their earlier skip
 * record.
 */
function spreadProRata(parsed: ParsedRebalance, targetFunds: readonly Fund[], remainingOre: bigint, plan: Plan) {
  const eligible = targetFunds.filter(
    (fund) => buyBlock(fund.rules as ParsedRules) === undefined && !parsed.sold.has(fund.instrument)
  );
  const bought = spreadOver(eligible, remainingOre, plan.buys, parsed.minTradeOre);
  if (bought.size === 0) return;
  for (let k = plan.skipped.length - 1; k >= 0; k--) {
    const skip = plan.skipped[k] as Plan['skipped'][number];
    if (skip.side === 'buy' && bought.has(skip.fund)) plan.skipped.splice(k, 1);
  }
}

/**
 * Adds `remainingOre` to `buys` (öre per fund index) over `candidates` by target weight, dropping the fund furthest
 * below what makes its total purchase orderable until every one left is orderable. Returns the funds that got money
 * (none: the money was not placed).
 */
function spreadOver(candidates: readonly Fund[], remainingOre: bigint, buys: bigint[], minTradeOre: bigint): Set<Fund> {
  let eligible = candidates;
  const needs = new Map<Fund, bigint>();
  for (const fund of eligible) {
    const rules = fund.rules as ParsedRules;
    const minimumOre = maxOf(maxOf(effectiveMinimum(rules, fund.units > 0n).ore, minTradeOre), 1n);
    needs.set(fund, instrumentRules.orderableThreshold(minimumOre, fund.price, rules.unitScale));
  }
  while (eligible.length > 0) {
    const shares = apportion(remainingOre, eligible.map(claimOf));
    let worst = -1;
    let worstAmount = 0n;
    let worstNeed = 1n;
    for (let i = 0; i < eligible.length; i++) {
      const fund = eligible[i] as Fund;
      const amount = instrumentRules.oreAtThresholdScale((buys[fund.index] as bigint) + (shares[i] as bigint));
      const need = needs.get(fund) as bigint;
      if (amount >= need) continue;
      if (worst >= 0) {
        const current = eligible[worst] as Fund;
        const left = amount * worstNeed;
        const right = worstAmount * need;
        if (left > right) continue;
        if (
          left === right &&
          (fund.bp > current.bp || (fund.bp === current.bp && fund.instrument > current.instrument))
        ) {
          continue;
        }
      }
      worst = i;
      worstAmount = amount;
      worstNeed = need;
    }
    if (worst < 0) {
      eligible.forEach((fund, i) => (buys[fund.index] = (buys[fund.index] as bigint) + (shares[i] as bigint)));
      return new Set(eligible);
    }
    eligible = eligible.filter((_, i) => i !== worst);
  }
  return new Set();
}

function hasTrades(plan: Plan): boolean {
  return plan.sells.some((sell) => sell !== undefined) || plan.buys.some((ore) => ore > 0n);
}

/** Weighted values (value × TARGET_FACTOR) and total value of the holdings once the plan's trades are done. */
function projected(funds: readonly Fund[], plan: Plan): { weighted: bigint[]; total: bigint } {
  const weighted: bigint[] = [];
  let total = 0n;
  for (const fund of funds) {
    let value = fund.value;
    const sell = plan.sells[fund.index];
    if (sell !== undefined) {
      const scale = (fund.rules as ParsedRules).unitScale;
      value -= sell.units * pow10(MAX_UNIT_SCALE - scale) * fund.price;
    }
    value += (plan.buys[fund.index] as bigint) * ORE_TO_VALUE;
    total += value;
    weighted.push(value === fund.value ? fund.weighted : value * TARGET_FACTOR);
  }
  return { weighted, total };
}

function dropPlan(plan: Plan, funds: readonly Fund[]): void {
  for (const fund of funds) {
    const sell = plan.sells[fund.index];
    if (sell !== undefined) plan.skipped.push({ fund, side: 'sell', reason: 'would-increase-drift', ore: sell.ore });
    plan.sells[fund.index] = undefined;
  }
  for (const fund of funds) {
    const ore = plan.buys[fund.index] as bigint;
    if (ore > 0n) plan.skipped.push({ fund, side: 'buy', reason: 'would-increase-drift', ore });
    plan.buys[fund.index] = 0n;
  }
}

function decision(
  parsed: ParsedRebalance,
  plan: Plan,
  withinBand: boolean,
  before: Drift,
  after: Drift,
  bufferOre: bigint
): RebalanceDecision {
  const redemptions: Redemption[] = [];
  const subscriptions: Subscription[] = [];
  let cashAfterOre = parsed.cashOre;
  for (const fund of parsed.funds) {
    const sell = plan.sells[fund.index];
    if (sell !== undefined) {
      const scale = (fund.rules as ParsedRules).unitScale;
      redemptions.push({
        instrument: fund.instrument,
        units: formatScaled(sell.units, scale),
        estimatedAmount: formatScaled(sell.ore, SEK_SCALE),
      });
      cashAfterOre += sell.ore;
    }
  }
  for (const fund of parsed.funds) {
    const buy = plan.buys[fund.index] as bigint;
    if (buy > 0n) {
      subscriptions.push({ instrument: fund.instrument, amount: formatScaled(buy, SEK_SCALE) });
      cashAfterOre -= buy;
    }
  }
  if (plan.skipped.length > 1) {
    plan.skipped.sort((a, b) => (a.side === b.side ? a.fund.index - b.fund.index : a.side === 'sell' ? -1 : 1));
  }
  const skipped = plan.skipped.map((skip): SkippedTrade => ({
    instrument: skip.fund.instrument,
    side: skip.side,
    reason: skip.reason,
    amount: formatScaled(skip.ore, SEK_SCALE),
  }));
  return {
    withinBand,
    driftBefore: summarize(before),
    driftAfter: summarize(after),
    redemptions,
    subscriptions,
    skipped,
    cashBuffer: formatScaled(bufferOre, SEK_SCALE),
    estimatedCashAfter: formatScaled(cashAfterOre, SEK_SCALE),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Input.

const SUBJECT = 'rebalance input';

function schemaError(subject: string, schema: z.ZodType, input: unknown, fallback: string): DomainInputError {
  const result = schema.safeParse(input);
  return new DomainInputError(subject, result.success ? [fallback] : zodProblems(result.error));
}

function throwIfProblems(subject: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new DomainInputError(subject, problems);
}

/** Problems beyond field shapes: the target list, and positions holding units of unknown instruments. */
function rebalanceProblems(
  weights: readonly ParsedWeight[],
  positions: readonly { id: string; holds: boolean }[],
  isKnown: (id: string) => boolean
): string[] {
  const problems = weightListProblems('targets', weights, isKnown);
  for (const position of positions) {
    if (position.holds && !isKnown(position.id)) {
      problems.push(`position "${position.id}" holds units but is not in instruments`);
    }
  }
  return problems;
}

function readPositions(value: unknown): Map<string, ParsedPosition> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const positions = new Map<string, ParsedPosition>();
  for (const id of Object.keys(value)) {
    const position = value[id];
    if (!isObjectLike(position)) return undefined;
    const units = readDecimal(position.units, MAX_UNIT_SCALE, false);
    const price = readDecimal(position.price, PRICE_SCALE, true);
    if (units === undefined || price === undefined) return undefined;
    positions.set(id, { units, price });
  }
  return positions;
}

function readBand(value: unknown): ParsedBand | undefined {
  if (value === undefined) return { absolute: undefined, relative: undefined };
  if (!isObjectLike(value)) return undefined;
  const { absolutePp, relativePct } = value;
  const absolute = absolutePp === undefined ? undefined : readDecimal(absolutePp, DRIFT_SCALE, false);
  const relative = relativePct === undefined ? undefined : readDecimal(relativePct, DRIFT_SCALE, false);
  if ((absolutePp !== undefined && absolute === undefined) || (relativePct !== undefined && relative === undefined)) {
    return undefined;
  }
  return { absolute, relative };
}

/** Targets in list order, then held funds outside the targets by id; `rules` attached when given. */
function fundsOf(
  weights: readonly ParsedWeight[],
  positions: ReadonlyMap<string, ParsedPosition>,
  rules: ReadonlyMap<string, ParsedRules> | undefined
): Fund[] {
  const funds: Fund[] = [];
  const targeted = new Set<string>();
  for (const weight of weights) {
    targeted.add(weight.instrument);
    const fundRules = rules?.get(weight.instrument);
    const position = positions.get(weight.instrument);
    const price = position?.price ?? (fundRules === undefined ? 0n : closePriceOf(fundRules));
    funds.push(fundOf(weight.instrument, weight.bp, position?.units ?? 0n, price, fundRules, funds.length));
  }
  const others: string[] = [];
  for (const [id, position] of positions) {
    if (!targeted.has(id) && position.units !== 0n) others.push(id);
  }
  others.sort(compareIds);
  for (const id of others) {
    const position = positions.get(id) as ParsedPosition;
    funds.push(fundOf(id, 0n, position.units, position.price, rules?.get(id), funds.length));
  }
  return funds;
}

function fundOf(
  instrument: string,
  bp: bigint,
  units: bigint,
  price: bigint,
  rules: ParsedRules | undefined,
  index: number
): Fund {
  const value = units * price;
  return { instrument, bp, units, price, value, weighted: value * TARGET_FACTOR, index, rules };
}

function parseRebalanceInput(input: unknown): ParsedRebalance {
  const parsed = readRebalanceInput(input);
  if (parsed === undefined) throw schemaError(SUBJECT, RebalanceInputSchema, input, 'input is malformed');
  return parsed;
}

/** Fast path (no zod): the parsed input, or undefined when a field does not satisfy RebalanceInputSchema. */
function readRebalanceInput(input: unknown): ParsedRebalance | undefined {
  if (!isObjectLike(input)) return undefined;
  const positions = readPositions(input.positions);
  const cashOre = readOre(input.cash);
  const weights = readWeights(input.targets);
  const rules = readRulesRecord(input.instruments, true);
  const policy = input.policy;
  if (positions === undefined || cashOre === undefined || weights === undefined || rules === undefined) {
    return undefined;
  }
  if (!isObjectLike(policy)) return undefined;
  const { mode, minTradeAmount, cashBufferPct } = policy;
  const band = readBand(policy.band);
  const minTradeOre = readOre(minTradeAmount);
  const bufferPct = isDecimalField(cashBufferPct, DRIFT_SCALE, false) ? parseScaled(cashBufferPct, DRIFT_SCALE) : 0n;
  if (
    (mode !== 'full' && mode !== 'cash-flow') ||
    band === undefined ||
    minTradeOre === undefined ||
    !isDecimalField(cashBufferPct, DRIFT_SCALE, false) ||
    bufferPct === undefined ||
    bufferPct > ONE_HUNDRED_AT_DRIFT_SCALE
  ) {
    return undefined;
  }
  const held: { id: string; holds: boolean }[] = [];
  for (const [id, position] of positions) held.push({ id, holds: position.units > 0n });
  throwIfProblems(
    SUBJECT,
    rebalanceProblems(weights, held, (id) => rules.has(id))
  );
  const sold = readSold(input.soldInRun);
  if (sold === undefined) return undefined;
  return { funds: fundsOf(weights, positions, rules), cashOre, mode, band, minTradeOre, bufferPct, sold };
}

const NONE_SOLD: ReadonlySet<string> = new Set();

function readSold(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return NONE_SOLD;
  if (!Array.isArray(value)) return undefined;
  const sold = new Set<string>();
  for (const id of value as unknown[]) {
    if (typeof id !== 'string') return undefined;
    sold.add(id);
  }
  return sold;
}
