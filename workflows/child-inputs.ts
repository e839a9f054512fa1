/** What the plan hands its children: a period's cycle and a rebalance run (plain JSON, decimal strings). */
import type { AllocationSource, PlanRebalancePolicy, SavingsPolicies } from '../shared/plan';

export interface CycleInput {
  planId: string;
  clientId: string;
  accountId: string;
  period: string;
  amount: string;
  /** The debit date the schedule asked for (the custodian picks the actual one from the submission time). */
  scheduledDebitDate: string;
  allocation: AllocationSource;
  policies: SavingsPolicies;
  /** Money carried in per fund from earlier cycles. */
  carry: Record<string, string>;
  /** The plan's free cash handed to this cycle's pool (absent for plans before the ledger: none). */
  freeCash?: string;
  /** Steer the deposit to underweight funds first (cash-flow rebalancing). */
  cashFlow: boolean;
  /** Whether the plan lets this cycle place orders right away (false while a rebalance runs). */
  orderTurnOpen: boolean;
  /** The plan to report phases to (absent when a cycle runs alone, e.g. in a test). */
  planWorkflowId?: string;
}

export interface RebalanceInput {
  planId: string;
  clientId: string;
  accountId: string;
  /** The run's date (Stockholm), part of its id and its orders' references. */
  date: string;
  trigger: 'admin' | 'calendar' | 'drift';
  allocation: AllocationSource;
  policy: PlanRebalancePolicy;
  kycDeadlineDays: number;
  /**
   * What the run may spend: the plan's free cash (held and carried money and a waiting cycle's deposit are not the
   * run's). Absent (runs started before the plan ledger): the account's available cash.
   */
  freeCash?: string;
  planWorkflowId?: string;
}
