/**
 * A savings cycle's next step after each outcome, as pure decisions in the custodian port's words
 * (shared/custodian.ts): after a deposit attempt (paid, renew on a later banking day, or stop), after an order
 * refusal (hold the leg and re-check, or carry the money), after a canceled order (place again or carry), and the
 * cycle's outcome. The explanation sentences and attention texts are decided here too, so they read the same
 * wherever the rule is exercised.
 */
import {
  DEPOSIT_FAILURE_WORDS,
  HOLDABLE_REFUSALS,
  RENEWABLE_DEPOSIT_FAILURES,
  type DepositFailure,
  type FundRules,
  type OrderRefusal,
} from './custodian';
import type { CycleOutcome } from './plan';

/** Most orders a cycle places for one fund (first order, re-placements after cancels). */
export const MAX_ORDERS_PER_FUND = 3;

/** `why`: the period's failure as the plan and the operator see it. */
export type DepositStep = { kind: 'renew'; say: string } | { kind: 'stop'; say: string; why: string };

/**
 * After a failed deposit attempt: insufficient funds or coverage renewed by the bank → a renewed attempt on the
 * next banking day while attempts remain; anything else (no mandate, mandate pending, other) → stop, needs
 * attention. `providerCode` is reported, never decided on.
 */
export function afterDepositFailure(
  failure: DepositFailure,
  providerCode: string | null,
  attempt: number,
  maxAttempts: number
): DepositStep {
  const code = `code ${providerCode ?? '?'}`;
  const words = DEPOSIT_FAILURE_WORDS[failure];
  if (!RENEWABLE_DEPOSIT_FAILURES.includes(failure)) {
    return {
      kind: 'stop',
      say: `Payment attempt ${attempt} failed with ${code} (${words}): not retried.`,
      why: `payment rejected by the bank with ${code} (${words}); not retried`,
    };
  }
  if (attempt >= maxAttempts) {
    return {
      kind: 'stop',
      say: `Payment attempt ${attempt} failed with ${code} (${words}); no renewed attempts left.`,
      why: `payment failed with ${code} after ${attempt} attempts`,
    };
  }
  return {
    kind: 'renew',
    say: `Payment attempt ${attempt} failed with ${code} (${words}); renewed attempt on the next banking day.`,
  };
}

/** The reason a held leg shows (and is re-checked for). */
export type HoldReason = 'kyc' | 'not-tradable' | 'not-buyable' | 'below-minimum' | (string & {});

export type RefusalStep = { kind: 'hold'; reason: HoldReason } | { kind: 'carry'; reason: string; attention: boolean };

/**
 * After the custodian refused a buy: KYC or a closed / unbuyable fund → hold the leg and re-check each banking
 * day; a minimum → carry silently (the next deposit may reach it); anything else → carry and ask an operator.
 */
export function afterBuyRefusal(reason: OrderRefusal, providerCode: string): RefusalStep {
  if (HOLDABLE_REFUSALS.includes(reason)) return { kind: 'hold', reason };
  return {
    kind: 'carry',
    reason: `order refused by the custodian (${reason}, ${providerCode})`,
    attention: reason !== 'below-minimum',
  };
}

export type CancelStep =
  { kind: 'place-again' } | { kind: 'hold'; reason: HoldReason } | { kind: 'carry'; reason: string };

/** After the custodian canceled a buy: place it again while the fund is open (at most 3 orders), else hold/carry. */
export function afterBuyCanceled(ordersSoFar: number, rules: FundRules | undefined): CancelStep {
  if (ordersSoFar >= MAX_ORDERS_PER_FUND) return { kind: 'carry', reason: `canceled ${ordersSoFar} times` };
  if (rules?.isBuyable && rules.isTradable) return { kind: 'place-again' };
  return { kind: 'hold', reason: holdReasonOf(rules) };
}

/** Why a fund cannot take an order now, as a held leg's reason. */
export function holdReasonOf(rules: FundRules | undefined): HoldReason {
  if (rules?.unsupported?.kind === 'currency') return `unsupported-currency ${rules.unsupported.currency}`;
  return rules?.isTradable === false ? 'not-tradable' : 'not-buyable';
}

/** Whether a held leg may be ordered now. */
export function heldLegOpen(reason: HoldReason, rules: FundRules | undefined, kycAllows: boolean): boolean {
  return rules?.isBuyable === true && rules.isTradable && (reason !== 'kyc' || kycAllows);
}

/**
 * The cycle's outcome once its orders are final. `invested` only when nothing needs an operator and the cycle left no
 * money uninvested (residual cash or money carried to a later cycle; settlement remainders, the öre a fund's unit
 * rounding returns, do not count): otherwise `partially-invested` when something settled, else `needs-attention`
 * when something failed, else `not-invested` (the money waits, with its reason in the explanation).
 */
export function investedOutcome(attention: string | null, anySettled: boolean, leftUninvested = false): CycleOutcome {
  if (!attention && !leftUninvested) return 'invested';
  if (anySettled) return 'partially-invested';
  return attention ? 'needs-attention' : 'not-invested';
}
