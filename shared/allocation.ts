/**
 * Deposit split: decides, for one savings cycle, how a deposit (plus money carried from earlier cycles) is divided
 * over the funds of an allocation plan — what is ordered, held, carried forward or left as cash, and why.
 *
 * Pure and deterministic (runs inside Temporal workflow code): no I/O, clock, randomness or environment.
 *
 * Rules (in the order they apply):
 * 1. The pool to split is the deposit plus the plan's free cash (money earlier cycles and orders left uninvested:
 *    residual, settlement remainders, refused or canceled order cash, released legs) plus carry of funds no longer
 *    in the allocation. Each leg's share is the pool
 *    × percent / 100 rounded down to öre; the öre left over go one at a time by largest remainder (ties: larger
 *    percent, then instrument id ascending). Each leg then adds its own input carry.
 * 2. Blocked legs (not buyable, else not tradable): with `blocked: 'hold'` a leg is held at its share plus its
 *    carry, to be retried; with `'redistribute'` its share and carry return to the pool, which is re-split over
 *    the unblocked legs by their percents (pro rata).
 * 3. Minimums: a leg is orderable when its amount reaches max(initial-or-subsequent, minInvestmentAmountSEK) and
 *    buys at least one smallest unit. `belowMinimum: 'redistribute'`: while a leg is not orderable, the one with
 *    the lowest amount/threshold ratio (ties: smaller percent, then id) is dropped, its share and carry return to
 *    the pool and the pool is re-split over the remaining legs; with none left, the pool is residual cash.
 *    `'carry'`: each non-orderable leg (its carry included) is carried forward for that fund.
 * 4. Invariant, to the öre: amount + free cash + Σ input carry = Σ orders + Σ held + Σ output carry + residual.
 *
 * A held leg released later (its block cleared, or its deadline passed) is re-decided by {@link redecideReleasedLeg}
 * against the fund's current rules, through the same policy as a fresh leg.
 */
import { z } from 'zod';
import { DomainInputError, zodProblems } from './domain-error';
import * as fixedPoint from './fixed-point';
import * as instrumentRules from './instrument-rules';
import {
  type BuyBlock,
  type EffectiveMinimum,
  hasOwn,
  HoldingsSchema,
  type InstrumentRules,
  InstrumentRulesSchema,
  type MinimumKind,
  type ParsedRules,
  type ParsedWeight,
  PRICE_SCALE,
  WeightSchema,
  weightListProblems,
  weightsFromStrings,
} from './instrument-rules';
import * as money from './money';
import { PositiveSekAmountSchema, SekAmountSchema } from './money';

// Hot-path imports are bound once at load. Under the CommonJS interop of tsx and webpack every call through an
// import pays an export getter, which cost ~40 % of a 5-fund split (measured, docs/BENCHMARKS.md).
const { formatScaled, formatSekOre, formatTrimmed } = fixedPoint;
const {
  buyBlock,
  closePriceOf,
  effectiveMinimum,
  estimateUnits,
  formatPercent,
  HUNDRED_PERCENT,
  holdsUnits,
  isObjectLike,
  oreAtThresholdScale,
  orderableThreshold,
  readOre,
  readDecimal,
  readOreRecord,
  readRules,
  readRulesRecord,
  readUnitsRecord,
  readWeights,
} = instrumentRules;
const { SEK_SCALE } = money;

/** What to do with a leg below its minimum (or buying zero units). */
export const BelowMinimumPolicySchema = z.enum(['redistribute', 'carry']);
/** What to do with a leg whose fund is not buyable or not tradable. */
export const BlockedPolicySchema = z.enum(['hold', 'redistribute']);

/** Split policy; defaults `belowMinimum: 'redistribute'`, `blocked: 'hold'`. */
export const SplitPolicySchema = z.object({
  belowMinimum: BelowMinimumPolicySchema.optional(),
  blocked: BlockedPolicySchema.optional(),
});

/** Input of {@link splitDeposit}. Amounts, units and percents are decimal strings. */
export const SplitInputSchema = z
  .object({
    /** SEK deposited this cycle: > 0, at most 2 decimals. */
    amount: PositiveSekAmountSchema,
    /** Target weights: percent > 0 with ≤ 2 decimals, summing to exactly 100, no duplicates, known instruments. */
    allocation: z.array(WeightSchema),
    /** Rules per instrument id (extra Fondo fields are ignored). */
    instruments: z.record(z.string(), InstrumentRulesSchema),
    /** Units held per instrument: decides initial vs subsequent minimum. Absent = none held. */
    holdings: HoldingsSchema.optional(),
    /** SEK carried from earlier cycles per instrument. Absent = none. */
    carry: z.record(z.string(), SekAmountSchema).optional(),
    /**
     * The plan's free cash that joins this pool (SEK ≥ 0): residual, settlement remainders, refused or canceled order
     * cash, released legs, money of a failed cycle — never held or carried money. Absent = none.
     */
    freeCash: SekAmountSchema.optional(),
    policy: SplitPolicySchema.optional(),
  })
  .superRefine((input, ctx) => {
    const known = (id: string) => hasOwn(input.instruments, id);
    for (const message of weightListProblems('allocation', weightsFromStrings(input.allocation), known)) {
      ctx.addIssue({ code: 'custom', message });
    }
  });

/** Input of {@link splitDeposit}, as callers write it. */
export type SplitInput = z.input<typeof SplitInputSchema>;
/** Split policy, as callers write it. */
export type SplitPolicy = z.input<typeof SplitPolicySchema>;

/** Why a leg is held. `below-minimum` is reserved: below-minimum legs are carried or redistributed, never held. */
export type HeldReason = BuyBlock | 'below-minimum';

/** A subscription to place: SEK amount (2 decimals) and the estimated units (rounded down to the fund's decimals). */
export interface SplitOrder {
  instrument: string;
  amount: string;
  estimatedUnits: string;
}

/** A leg kept back this cycle, to be retried. */
export interface SplitHeld {
  instrument: string;
  amount: string;
  reason: HeldReason;
}

/** Result of {@link splitDeposit}; every amount is an SEK string with exactly 2 decimals. */
export interface SplitDecision {
  /** Orders to place, in allocation order. */
  orders: SplitOrder[];
  /** Legs held (blocked funds with `blocked: 'hold'`), in allocation order. */
  held: SplitHeld[];
  /** SEK to carry into the next cycle per fund (only non-zero entries). */
  carry: Record<string, string>;
  /** SEK left as cash. */
  residual: string;
  /** One English sentence per leg, per dropped carried fund, and one for a non-zero residual. */
  explanation: string[];
}

/** One claim on a split: a key (tie-break) and a positive weight. */
export interface WeightedClaim {
  readonly key: string;
  readonly weight: bigint;
}

/**
 * Splits the integer `total` (e.g. öre) in proportion to the claims' weights: each claim gets its share rounded
 * down, then the counts left over go one at a time by largest remainder (ties: larger weight, then key ascending).
 * The shares sum to exactly `total`; a zero-weight claim gets 0. `total` ≥ 0 and Σ weights > 0.
 *
 * @example apportion(100n, [{ key: 'a', weight: 1n }, { key: 'b', weight: 2n }]) // [33n, 67n]
 */
export function apportion(total: bigint, claims: readonly WeightedClaim[]): bigint[] {
  let weightSum = 0n;
  for (const claim of claims) weightSum += claim.weight;
  if (weightSum <= 0n || total < 0n) throw new RangeError('apportion: needs total ≥ 0 and a positive weight');
  const shares: bigint[] = [];
  const remainders: bigint[] = [];
  let left = total;
  for (const claim of claims) {
    const product = total * claim.weight;
    const share = product / weightSum;
    shares.push(share);
    remainders.push(product % weightSum);
    left -= share;
  }
  // left < number of claims with a non-zero remainder; each of them gets at most one more (its remainder is then
  // set to -1 so it is not picked again).
  for (; left > 0n; left -= 1n) {
    let best = 0;
    for (let i = 1; i < claims.length; i++) {
      if (before(i, best, remainders, claims)) best = i;
    }
    shares[best] = (shares[best] as bigint) + 1n;
    remainders[best] = -1n;
  }
  return shares;
}

/** Largest remainder first; ties: larger weight, then key ascending. */
function before(a: number, b: number, remainders: readonly bigint[], claims: readonly WeightedClaim[]): boolean {
  const ra = remainders[a] as bigint;
  const rb = remainders[b] as bigint;
  if (ra !== rb) return ra > rb;
  const ca = claims[a] as WeightedClaim;
  const cb = claims[b] as WeightedClaim;
  if (ca.weight !== cb.weight) return ca.weight > cb.weight;
  return ca.key < cb.key;
}

/** Instrument ids compare by UTF-16 code units, ascending. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Decides one cycle's deposit split. See the module comment for the rules.
 *
 * @throws DomainInputError when the input is malformed (naming every problem); nothing partial is returned.
 * @example
 * splitDeposit({ amount: '1000', allocation: [{ instrument: 'A', percent: '100' }], instruments: { A: rules } })
 * // → { orders: [{ instrument: 'A', amount: '1000.00', estimatedUnits: '…' }], held: [], carry: {}, … }
 */
export function splitDeposit(input: SplitInput): SplitDecision {
  const parsed = parseSplitInput(input);
  const legs = parsed.legs;
  let pool = parsed.amountOre + parsed.freeCashOre + parsed.orphanCarryOre;

  const initialShares = apportion(pool, legs.map(claimOf));
  legs.forEach((leg, i) => (leg.shareOre = initialShares[i] as bigint));

  let active: Leg[] = [];
  let resplit = false;
  for (const leg of legs) {
    const block = buyBlock(leg.rules);
    if (block === undefined) {
      active.push(leg);
    } else if (parsed.blocked === 'hold') {
      leg.outcome = { kind: 'held', reason: block, amountOre: leg.shareOre + leg.carryOre };
      pool -= leg.shareOre;
    } else {
      leg.outcome = { kind: 'blocked', reason: block, amountOre: leg.shareOre + leg.carryOre };
      pool += leg.carryOre;
      resplit = true;
    }
  }
  if (resplit && active.length > 0) reshare(pool, active);

  let residualOre = 0n;
  if (active.length === 0) {
    residualOre = pool;
  } else if (parsed.belowMinimum === 'carry') {
    const orderable: Leg[] = [];
    for (const leg of active) {
      const amount = leg.shareOre + leg.carryOre;
      if (oreAtThresholdScale(amount) < leg.threshold) leg.outcome = { kind: 'carried', amountOre: amount };
      else orderable.push(leg);
    }
    active = orderable;
  } else {
    for (;;) {
      const worst = worstBelowThreshold(active);
      if (worst === undefined) break;
      const amount = worst.shareOre + worst.carryOre;
      active = active.filter((leg) => leg !== worst);
      pool += worst.carryOre;
      worst.outcome = { kind: 'dropped', amountOre: amount, toCash: active.length === 0 };
      resplit = true;
      if (active.length === 0) {
        residualOre = pool;
        break;
      }
      reshare(pool, active);
    }
  }
  for (const leg of active) leg.outcome = { kind: 'ordered', amountOre: leg.shareOre + leg.carryOre, resplit };

  return decide(parsed, residualOre, active.length === 0 && !carried(legs));
}

// ---------------------------------------------------------------------------------------------------------------

const SUBJECT = 'deposit split input';

type LegOutcome =
  | { kind: 'ordered'; amountOre: bigint; resplit: boolean }
  | { kind: 'held'; reason: BuyBlock; amountOre: bigint }
  | { kind: 'blocked'; reason: BuyBlock; amountOre: bigint }
  | { kind: 'dropped'; amountOre: bigint; toCash: boolean }
  | { kind: 'carried'; amountOre: bigint };

interface Leg {
  readonly instrument: string;
  readonly bp: bigint;
  readonly rules: ParsedRules;
  readonly carryOre: bigint;
  readonly minimum: EffectiveMinimum;
  /** closePrice at 10^-PRICE_SCALE SEK. */
  readonly price: bigint;
  /** Smallest orderable amount at THRESHOLD_SCALE. */
  readonly threshold: bigint;
  shareOre: bigint;
  outcome?: LegOutcome;
}

interface ParsedSplit {
  readonly amountOre: bigint;
  /** The plan's free cash joining the pool. */
  readonly freeCashOre: bigint;
  readonly legs: Leg[];
  /** Carry of funds not in the allocation, sorted by id. */
  readonly orphans: readonly { instrument: string; ore: bigint }[];
  readonly orphanCarryOre: bigint;
  readonly belowMinimum: 'redistribute' | 'carry';
  readonly blocked: 'hold' | 'redistribute';
}

function claimOf(leg: Leg): WeightedClaim {
  return { key: leg.instrument, weight: leg.bp };
}

function reshare(pool: bigint, legs: Leg[]): void {
  const shares = apportion(pool, legs.map(claimOf));
  legs.forEach((leg, i) => (leg.shareOre = shares[i] as bigint));
}

/** The non-orderable leg with the lowest amount/threshold ratio (ties: smaller percent, then id), if any. */
function worstBelowThreshold(legs: readonly Leg[]): Leg | undefined {
  let worst: Leg | undefined;
  let worstAmount = 0n;
  for (const leg of legs) {
    const amount = oreAtThresholdScale(leg.shareOre + leg.carryOre);
    if (amount >= leg.threshold) continue;
    if (worst !== undefined) {
      const left = amount * worst.threshold;
      const right = worstAmount * leg.threshold;
      if (left > right) continue;
      if (left === right && (leg.bp > worst.bp || (leg.bp === worst.bp && leg.instrument > worst.instrument))) {
        continue;
      }
    }
    worst = leg;
    worstAmount = amount;
  }
  return worst;
}

/** True when some leg was carried (its amount, redistributed weight included, stays with the fund). */
function carried(legs: readonly Leg[]): boolean {
  return legs.some((leg) => leg.outcome?.kind === 'carried');
}

/** Builds the decision from the legs' outcomes; `poolToCash`: the re-split pool ended as residual. */
function decide(parsed: ParsedSplit, residualOre: bigint, poolToCash: boolean): SplitDecision {
  const orders: SplitOrder[] = [];
  const held: SplitHeld[] = [];
  const carry: Record<string, string> = {};
  const explanation: string[] = [];
  if (parsed.freeCashOre > 0n) {
    explanation.push(
      `Pool: ${formatSekOre(parsed.amountOre)} deposited plus ${formatSekOre(parsed.freeCashOre)} of the plan's free ` +
        'cash (money earlier cycles or orders left uninvested).'
    );
  }
  for (const leg of parsed.legs) {
    const outcome = leg.outcome;
    if (outcome === undefined) throw new Error('splitDeposit: leg without outcome'); // unreachable by construction
    const amount = formatScaled(outcome.amountOre, SEK_SCALE);
    switch (outcome.kind) {
      case 'ordered': {
        const units = formatScaled(
          estimateUnits(outcome.amountOre, leg.price, leg.rules.unitScale),
          leg.rules.unitScale
        );
        orders.push({ instrument: leg.instrument, amount, estimatedUnits: units });
        explanation.push(orderedSentence(leg, outcome.amountOre, units, outcome.resplit));
        break;
      }
      case 'held':
        held.push({ instrument: leg.instrument, amount, reason: outcome.reason });
        explanation.push(
          `${leg.instrument}: ${formatSekOre(outcome.amountOre)}${carriedAside(leg)} held — ${BLOCK_TEXT[outcome.reason]}; will retry.`
        );
        break;
      case 'blocked':
        explanation.push(
          `${leg.instrument}: ${BLOCK_TEXT[outcome.reason]}; its ${formatPercent(leg.bp)}% share ` +
            `(${formatSekOre(outcome.amountOre)}${carriedNote(leg)}) ${poolToCash ? 'could not go to any other fund, so it stays as cash' : 'was redistributed to the other funds'}.`
        );
        break;
      case 'dropped':
        explanation.push(
          `${leg.instrument}: ${belowText(leg, outcome.amountOre)}; ${outcome.toCash ? 'no other fund could take it, so it stays as cash' : 'its share was redistributed to the other funds'}.`
        );
        break;
      case 'carried':
        if (outcome.amountOre === 0n) {
          explanation.push(
            `${leg.instrument}: its ${formatPercent(leg.bp)}% share rounds to ${formatSekOre(0n)}; nothing to order or carry.`
          );
        } else {
          carry[leg.instrument] = amount;
          explanation.push(`${leg.instrument}: ${belowText(leg, outcome.amountOre)}; carried to the next cycle.`);
        }
        break;
    }
  }
  for (const orphan of parsed.orphans) {
    explanation.push(
      `${orphan.instrument}: ${formatSekOre(orphan.ore)} carried from earlier cycles; the fund is no longer in the ` +
        'allocation, so it was split across the current allocation.'
    );
  }
  if (residualOre > 0n) {
    explanation.push(`Residual: ${formatSekOre(residualOre)} stays as cash — no fund in the allocation could take it.`);
  }
  return { orders, held, carry, residual: formatScaled(residualOre, SEK_SCALE), explanation };
}

const BLOCK_TEXT: Record<BuyBlock, string> = {
  'not-buyable': 'fund is not buyable',
  'not-tradable': 'fund is not tradable',
};

const MINIMUM_TEXT: Record<MinimumKind, string> = {
  initial: 'initial minimum',
  subsequent: 'subsequent minimum',
  investment: 'minimum investment',
};

function carriedAside(leg: Leg): string {
  return leg.carryOre > 0n ? ` (including ${formatSekOre(leg.carryOre)} carried from earlier cycles)` : '';
}

function carriedNote(leg: Leg): string {
  return leg.carryOre > 0n ? `, including ${formatSekOre(leg.carryOre)} carried from earlier cycles` : '';
}

function orderedSentence(leg: Leg, amountOre: bigint, units: string, resplit: boolean): string {
  const weight = resplit ? ' plus weight redistributed from other funds' : '';
  return (
    `${leg.instrument}: ${formatSekOre(amountOre)} ordered (estimated ${units} units) for its ` +
    `${formatPercent(leg.bp)}% allocation${weight}${carriedNote(leg)}.`
  );
}

function belowText(leg: Leg, amountOre: bigint): string {
  const amount = formatSekOre(amountOre);
  if (amountOre < leg.minimum.ore) {
    return `${amount} is below the fund's ${MINIMUM_TEXT[leg.minimum.kind]} of ${formatSekOre(leg.minimum.ore)}`;
  }
  return (
    `${amount} would buy zero units at ${formatTrimmed(leg.price, PRICE_SCALE)} SEK per unit with ` +
    `${leg.rules.unitScale} unit decimals`
  );
}

/** Validates and reads the input; throws DomainInputError naming every problem. */
function parseSplitInput(input: unknown): ParsedSplit {
  const parsed = readSplitInput(input);
  if (typeof parsed === 'string') {
    const result = SplitInputSchema.safeParse(input);
    throw new DomainInputError(SUBJECT, result.success ? [parsed] : zodProblems(result.error));
  }
  return parsed;
}

/**
 * Fast path (no zod): the parsed input, or a short problem description when a field does not satisfy
 * SplitInputSchema (the caller then takes the messages from the schema). Cross-field problems throw directly.
 */
function readSplitInput(input: unknown): ParsedSplit | string {
  if (!isObjectLike(input)) return 'input must be an object';
  const amountOre = readOre(input.amount);
  if (amountOre === undefined || amountOre === 0n) return 'amount must be a positive SEK amount';
  const weights = readWeights(input.allocation);
  if (weights === undefined) return 'allocation is malformed';
  const rules = readRulesRecord(input.instruments, false);
  if (rules === undefined) return 'instruments are malformed';
  const holdings = input.holdings === undefined ? NO_HOLDINGS : readUnitsRecord(input.holdings);
  if (holdings === undefined) return 'holdings are malformed';
  const carry = input.carry === undefined ? EMPTY : readOreRecord(input.carry);
  if (carry === undefined) return 'carry is malformed';
  const freeCashOre = input.freeCash === undefined ? 0n : readOre(input.freeCash);
  if (freeCashOre === undefined) return 'freeCash must be an SEK amount';
  const policy = input.policy;
  let belowMinimum: ParsedSplit['belowMinimum'] = 'redistribute';
  let blocked: ParsedSplit['blocked'] = 'hold';
  if (policy !== undefined) {
    if (!isObjectLike(policy)) return 'policy is malformed';
    const below = policy.belowMinimum;
    const block = policy.blocked;
    if (below !== undefined && below !== 'redistribute' && below !== 'carry') return 'policy.belowMinimum is invalid';
    if (block !== undefined && block !== 'hold' && block !== 'redistribute') return 'policy.blocked is invalid';
    belowMinimum = below ?? belowMinimum;
    blocked = block ?? blocked;
  }
  const problems = weightListProblems('allocation', weights, (id) => rules.has(id));
  if (problems.length > 0) throw new DomainInputError(SUBJECT, problems);
  return buildLegs(amountOre, freeCashOre, weights, rules, holdings, carry, belowMinimum, blocked);
}

const EMPTY: ReadonlyMap<string, bigint> = new Map();
const NO_HOLDINGS: Readonly<Record<string, string>> = {};

function buildLegs(
  amountOre: bigint,
  freeCashOre: bigint,
  weights: readonly ParsedWeight[],
  rules: ReadonlyMap<string, ParsedRules>,
  holdings: Readonly<Record<string, string>>,
  carry: ReadonlyMap<string, bigint>,
  belowMinimum: ParsedSplit['belowMinimum'],
  blocked: ParsedSplit['blocked']
): ParsedSplit {
  const legs: Leg[] = [];
  const inAllocation = new Set<string>();
  for (const weight of weights) {
    const fund = rules.get(weight.instrument) as ParsedRules; // known: checked by weightListProblems
    const minimum = effectiveMinimum(fund, holdsUnits(holdings, weight.instrument));
    const price = closePriceOf(fund);
    inAllocation.add(weight.instrument);
    legs.push({
      instrument: weight.instrument,
      bp: weight.bp,
      rules: fund,
      carryOre: carry.get(weight.instrument) ?? 0n,
      minimum,
      price,
      threshold: orderableThreshold(minimum.ore, price, fund.unitScale),
      shareOre: 0n,
    });
  }
  const orphans: { instrument: string; ore: bigint }[] = [];
  let orphanCarryOre = 0n;
  for (const [instrument, ore] of carry) {
    if (inAllocation.has(instrument) || ore === 0n) continue;
    orphans.push({ instrument, ore });
    orphanCarryOre += ore;
  }
  orphans.sort((a, b) => compareIds(a.instrument, b.instrument));
  return { amountOre, freeCashOre, legs, orphans, orphanCarryOre, belowMinimum, blocked };
}

// ---------------------------------------------------------------------------------------------------------------
// Released legs.

/** Input of {@link redecideReleasedLeg}. */
export const ReleasedLegInputSchema = z.object({
  /** The fund whose held leg was released. */
  instrument: z.string().min(1),
  /** The released amount (SEK > 0). */
  amount: PositiveSekAmountSchema,
  /** The plan's current allocation (the funds a redistributed leg may go to). */
  allocation: z.array(WeightSchema),
  /** The CURRENT rules of the released fund and of every allocation fund. */
  instruments: z.record(z.string(), InstrumentRulesSchema),
  holdings: HoldingsSchema.optional(),
  policy: SplitPolicySchema.optional(),
});
/** Input of {@link redecideReleasedLeg}, as callers write it. */
export type ReleasedLegInput = z.input<typeof ReleasedLegInputSchema>;

/**
 * Re-decides a held leg once its block clears (or its deadline passes), against the fund's CURRENT rules and through
 * the same policy as a fresh leg, so it never becomes an order Fondo must refuse:
 * - still blocked: held again with `blocked: 'hold'`, else redistributed;
 * - orderable (current effective minimum — initial when the fund is not held — and at least one unit): ordered;
 * - below the minimum: carried for the fund with `belowMinimum: 'carry'`, else redistributed.
 * Redistributing splits the amount over the allocation's other funds by their weights (as {@link splitDeposit}
 * would, their minimums and blocks included); with no other fund it stays as residual cash (the plan's free cash).
 * The result has the shape of a split decision; invariant: amount = Σ orders + Σ held + Σ carry + residual.
 *
 * @throws DomainInputError when the input is malformed.
 */
export function redecideReleasedLeg(input: ReleasedLegInput): SplitDecision {
  const parsed = ReleasedLegInputSchema.safeParse(input);
  if (!parsed.success) throw new DomainInputError('released leg input', zodProblems(parsed.error));
  const { instrument, amount, allocation, instruments, holdings, policy } = parsed.data;
  if (!hasOwn(instruments, instrument)) {
    throw new DomainInputError('released leg input', [`instrument "${instrument}" is not in instruments`]);
  }
  const common = {
    amount,
    instruments,
    ...(holdings === undefined ? {} : { holdings }),
    ...(policy === undefined ? {} : { policy }),
  };
  const released = `${instrument}: ${formatSekOre(readOre(amount) ?? 0n)} released from hold`;
  const alone = splitDeposit({ ...common, allocation: [{ instrument, percent: '100' }] });
  const others = allocation.filter((w) => w.instrument !== instrument);
  if (alone.residual === '0.00' || others.length === 0) {
    return {
      ...alone,
      explanation: [`${released}; re-checked against the fund's current rules.`, ...alone.explanation],
    };
  }
  // The fund cannot take it (below its minimum, or blocked with `blocked: 'redistribute'`): spread it over the rest.
  const basisPoints = apportion(
    HUNDRED_PERCENT,
    others.map((w) => ({
      key: w.instrument,
      weight: readDecimal(w.percent, instrumentRules.PERCENT_SCALE, true) ?? 0n,
    }))
  );
  const weights: { instrument: string; percent: string }[] = [];
  others.forEach((w, i) => {
    const bp = basisPoints[i] as bigint;
    if (bp > 0n) weights.push({ instrument: w.instrument, percent: formatPercent(bp) });
  });
  const spread = splitDeposit({ ...common, allocation: weights });
  const why = whyNotOrderable(
    instruments[instrument] as InstrumentRules,
    holdsUnits(holdings ?? {}, instrument),
    readOre(amount) ?? 0n
  );
  return {
    ...spread,
    explanation: [`${released}; ${why}, so it was redistributed to the other funds.`, ...spread.explanation],
  };
}

/** Why a fund cannot take a released amount under its current rules (it was not orderable). */
function whyNotOrderable(input: InstrumentRules, held: boolean, amountOre: bigint): string {
  const rules = readRules(input, false) as ParsedRules; // validated by the schema
  const block = buyBlock(rules);
  if (block !== undefined) return `the ${BLOCK_TEXT[block]}`;
  const minimum = effectiveMinimum(rules, held);
  if (amountOre < minimum.ore) {
    return `it is below the fund's current ${MINIMUM_TEXT[minimum.kind]} of ${formatSekOre(minimum.ore)}`;
  }
  return `it would buy zero units at ${rules.closePrice} SEK per unit with ${rules.unitScale} unit decimals`;
}
