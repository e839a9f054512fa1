/**
 * A cycle's split of its deposit from one snapshot of the account: the plan's weights (or, with cash-flow
 * rebalancing and funds already held, weights steered to the most underweight funds first), then `splitDeposit`.
 */
import { splitDeposit, type SplitDecision } from './allocation';
import type { FundRules } from './custodian';
import type { SavingsPolicies, Weights } from './plan';
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
  }
): { decision: SplitDecision; cashFlow: boolean; rules: Record<string, FundRules> } {
  const cashFlow = cycle.cashFlow && Object.keys(snapshot.positions).length > 0;
  const weights = cashFlow
    ? cashFlowAllocation({ positions: snapshot.positions, targets: snapshot.weights, amount: cycle.paid })
    : snapshot.weights;
  const decision = splitDeposit({
    amount: cycle.paid,
    allocation: weights,
    instruments: snapshot.rules,
    holdings: snapshot.holdings,
    carry: cycle.carry,
    policy: { belowMinimum: cycle.policies.belowMinimum, blocked: 'hold' },
  });
  return { decision, cashFlow, rules: snapshot.rules };
}
