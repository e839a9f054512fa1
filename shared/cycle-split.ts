/**
 * A cycle's split of its pool from one snapshot of the account: the plan's weights (or, with cash-flow
 * rebalancing and funds already held, weights steered to the most underweight funds first), then `splitDeposit`.
 * The pool is the deposit + the plan's free cash handed to the cycle + the carry it spends (issue 11.2). With
 * `rulesAware` the cash-flow weights respect what can be bought (minimums, unit decimals, buyable/tradable), so they
 * never leave more uninvested than the plain targets would (issue 11.3; cycles recorded before that rule pass false).
 */
import { splitDeposit, type SplitDecision } from './allocation';
import type { FundRules } from './custodian';
import type { SavingsPolicies, Weights } from './plan';
import { dec, sekString } from './money';
import { cashFlowAllocation } from './rebalance';

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
): { decision: SplitDecision; cashFlow: boolean; rules: Record<string, FundRules> } {
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
  return { decision, cashFlow, rules: snapshot.rules };
}
