/**
 * A cycle's split of its pool from one snapshot of the account: the plan's weights (or, with cash-flow
 * rebalancing and funds already held, weights steered to the most underweight funds first), then `splitDeposit`.
 * The pool is the deposit + the plan's free cash handed to the cycle + the carry it spends (issue 11.2). With
 * `rulesAware` the cash-flow weights respect what can be bought (minimums, unit decimals, buyable/tradable), so they
 * never leave more uninvested than the plain targets would (issue 11.3; cycles recorded before that rule pass false).
 * And the per-fund record of what the split decided (`splitLegsOf`), which the cycle reports and the statement shows.
 */
import { splitDeposit, type SplitDecision } from './allocation';
import type { FundRules } from './custodian';
import { formatScaled, parseScaled } from './fixed-point';
import { closePriceOf, effectiveMinimum, estimateUnits, holdsUnits, ownValue, readRules } from './instrument-rules';
import { dec, SEK_SCALE, sekString } from './money';
import type { SavingsPolicies, Weights } from './plan';
import { cashFlowAllocation } from './rebalance';
import type { SplitLegRecord } from './status';

export interface SplitSnapshot {
  weights: Weights;
  rules: Record<string, FundRules>;
  holdings: Record<string, string>;
  positions: Record<string, { units: string; price: string }>;
}

export function splitSnapshot(
  snapshot: SplitSnapshot,
  cycle: {
    paid: string;
    cashFlow: boolean;
    carry: Record<string, string>;
    policies: SavingsPolicies;
    /** The plan's free cash in the pool (absent: none). */
    freeCash?: string;
    rulesAware?: boolean;
  }
): { decision: SplitDecision; cashFlow: boolean; rules: Record<string, FundRules>; legs: SplitLegRecord[] } {
  const cashFlow = cycle.cashFlow && Object.keys(snapshot.positions).length > 0;
  const freeCash = cycle.freeCash !== undefined && !dec(cycle.freeCash).isZero() ? cycle.freeCash : undefined;
  const policy = { belowMinimum: cycle.policies.belowMinimum, blocked: 'hold' as const };
  const weights = cashFlow
    ? cashFlowAllocation({
        positions: snapshot.positions,
        targets: snapshot.weights,
        amount: sekString(dec(cycle.paid).plus(freeCash ?? '0')),
        ...(cycle.rulesAware ? { instruments: snapshot.rules, carry: cycle.carry, policy } : {}),
      })
    : snapshot.weights;
  const decision = splitDeposit({
    amount: cycle.paid,
    ...(freeCash ? { freeCash } : {}),
    allocation: weights,
    instruments: snapshot.rules,
    holdings: snapshot.holdings,
    carry: cycle.carry,
    policy,
  });
  return { decision, cashFlow, rules: snapshot.rules, legs: recordedLegs(snapshot, weights, decision) };
}

/** The legs record is information for people: should it ever fail, the cycle still invests (and reports none). */
function recordedLegs(...args: Parameters<typeof splitLegsOf>): SplitLegRecord[] {
  try {
    return splitLegsOf(...args);
  } catch {
    return [];
  }
}

/**
 * What the split decided per fund, in allocation order (then funds only the split's weights name): the target and
 * the weight used, the decision and amount, the minimum that applied (as `splitDeposit` applies it: initial when the
 * account holds no units, else subsequent, raised to the fund's general minimum), the NAV and its date, and the
 * estimated units — amount / NAV rounded toward zero to the fund's unit decimals (the split's own estimate for an
 * ordered leg; the same exact fixed-point rule, shared/instrument-rules.ts `estimateUnits`, for the others).
 *
 * Pure and total (workflow code, also replayed by older cycles): a fund whose rules cannot be read gets null
 * minimum, NAV and units instead of an error.
 */
export function splitLegsOf(
  snapshot: Pick<SplitSnapshot, 'weights' | 'rules' | 'holdings'>,
  used: readonly { instrument: string; percent: string }[],
  decision: SplitDecision
): SplitLegRecord[] {
  const target = new Map(snapshot.weights.map((w) => [w.instrument, w.percent]));
  const split = new Map(used.map((w) => [w.instrument, w.percent]));
  const ids = [...new Set([...target.keys(), ...split.keys()])];
  return ids.map((instrument) => {
    const order = decision.orders.find((o) => o.instrument === instrument);
    const held = decision.held.find((h) => h.instrument === instrument);
    const carried = ownValue(decision.carry, instrument);
    const [kind, amount]: [SplitLegRecord['decision'], string] = order
      ? ['ordered', order.amount]
      : held
        ? ['held', held.amount]
        : carried !== undefined
          ? ['carried', carried]
          : ['redistributed', '0.00'];
    const facts = ownValue(snapshot.rules, instrument);
    const rules = facts === undefined ? undefined : readRules(facts, false);
    const minimum = rules ? effectiveMinimum(rules, holdsUnits(snapshot.holdings, instrument)) : undefined;
    return {
      instrument,
      targetPercent: target.get(instrument) ?? '0',
      splitPercent: split.get(instrument) ?? '0',
      decision: kind,
      amount,
      minimum: minimum ? formatScaled(minimum.ore, SEK_SCALE) : null,
      minimumKind: minimum?.kind ?? null,
      estimatedUnits: order ? order.estimatedUnits : rules ? unitsFor(amount, rules) : null,
      unitDecimals: rules?.unitScale ?? null,
      nav: rules?.closePrice ?? null,
      navDate: facts?.priceDate ?? null,
    };
  });
}

/** amount / NAV rounded down (toward zero) to the fund's unit decimals; null for no money or no price. */
function unitsFor(amount: string, rules: NonNullable<ReturnType<typeof readRules>>): string | null {
  const ore = parseScaled(amount, SEK_SCALE);
  const price = closePriceOf(rules);
  if (ore === undefined || ore <= 0n || price <= 0n) return null;
  return formatScaled(estimateUnits(ore, price, rules.unitScale), rules.unitScale);
}
