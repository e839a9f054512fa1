/**
 * What workflows report: cycle summaries, cycle status, plan status and rebalance runs. Plain JSON with decimal
 * strings (query results and workflow results are Temporal payloads). No personal data: ids and amounts only.
 */
import type { OrderStateName } from './custodian';
import type { CycleOutcome, PlanRebalancePolicy, AllocationSource } from './plan';
import type { BooksView } from './plan-books';

/** Every state a plan can be in, as shown in the Temporal UI (search attribute `PlanState`) and the CLI. */
export const PLAN_STATES = [
  'active',
  'paused',
  'waiting-payment',
  'blocked-kyc',
  'blocked-instrument',
  'investing',
  'rebalancing',
  'needs-attention',
  'cancelled',
  'completed',
] as const;
export type PlanStateValue = (typeof PLAN_STATES)[number];

/** Where a cycle is. `paid`: the money is in (the payment completed); the split has not run yet. */
export type CyclePhase =
  | 'pre-check'
  | 'waiting-payment'
  | 'paid'
  | 'waiting-turn'
  | 'blocked-kyc'
  | 'investing'
  | 'blocked-instrument'
  | 'waiting-orders'
  | 'completed';

export interface PaymentAttempt {
  attempt: number;
  clientRef: string;
  instructionId: string | null;
  debitDate: string | null;
  status: 'submitted' | 'completed' | 'failed' | 'unknown';
  reasonCode: string | null;
  submittedAt: string;
  resolvedAt: string | null;
}

export interface OrderRecordSummary {
  instrument: string;
  clientRef: string;
  orderId: string | null;
  amount: string;
  /** Units bought (known once priced). */
  units: string | null;
  price: string | null;
  /** Cash actually debited at settlement (≤ amount; the rest stays as cash). */
  settledAmount: string | null;
  /** The custodian port's order state (shared/custodian.ts). */
  status: OrderStateName;
  /** Why the leg ended without settling (the refusal, or the custodian's cancel reason). */
  note: string | null;
}

export interface LegAmount {
  instrument: string;
  amount: string;
  reason: string;
  /** Carried below a fund's minimum: that minimum (SEK). */
  minimum?: string;
}

/**
 * What the split decided for one fund of the allocation, recorded when the cycle splits (shared/cycle-split.ts
 * `splitLegsOf`). Amounts are SEK strings with 2 decimals.
 */
export interface SplitLegRecord {
  instrument: string;
  /** The plan's target weight (percent) for the fund: its override weight, or the account's Fondo allocation. */
  targetPercent: string;
  /** The weight the split used: the target, or with cash-flow rebalancing the weight steered to underweight funds. */
  splitPercent: string;
  /** ordered; held (fund closed or not buyable, retried); carried (below its minimum); redistributed (to others). */
  decision: 'ordered' | 'held' | 'carried' | 'redistributed';
  /** The leg's amount (its share plus its carry-in); 0.00 when redistributed. */
  amount: string;
  /**
   * The minimum that applied: max(initial-or-subsequent, the fund's general investment minimum), SEK; `initial`
   * when the account held no units of the fund, `subsequent` when it did, `investment` when the fund's general
   * minimum was the larger. Null (as every rule-derived field) when the fund's rules could not be read.
   */
  minimum: string | null;
  minimumKind: 'initial' | 'subsequent' | 'investment' | null;
  /** amount / NAV, rounded toward zero (down) to the fund's unit decimals (`unitDecimals`); null when amount is 0. */
  estimatedUnits: string | null;
  unitDecimals: number | null;
  /** The fund's NAV (close price, SEK) the split estimated with, and its date (null when Fondo gave none). */
  nav: string | null;
  navDate: string | null;
}

export interface CycleSummary {
  planId: string;
  period: string;
  outcome: CycleOutcome;
  /** Debit date the schedule asked for, and the one Fondo reported for the paid attempt. */
  scheduledDebitDate: string;
  debitDate: string | null;
  /** Amount the plan asked to debit. */
  requestedAmount: string;
  /** Amount actually received (0.00 when the payment failed). */
  paidAmount: string;
  payments: PaymentAttempt[];
  orders: OrderRecordSummary[];
  /** Money carried in from earlier cycles, per fund. */
  carryIn: Record<string, string>;
  /** The plan's free cash the plan handed this cycle's pool (absent before the plan ledger: none). */
  freeCashIn?: string;
  /** Money carried forward to the next cycle, per fund, with why. */
  carried: LegAmount[];
  carryOut: Record<string, string>;
  /** Cash the split left uninvested (rounding, nothing eligible). */
  residual: string;
  /** Cash returned by settled orders (ordered amount − settled amount: unit rounding). */
  settlementRemainder: string;
  /** One sentence per decision, in order. */
  explanation: string[];
  /** What the split decided per fund; absent when nothing was split, and in summaries of older cycles. */
  legs?: SplitLegRecord[];
  /** What needs an operator, if anything. */
  attention: string | null;
  /** The money was collected but the cycle failed before investing it: it stays in the plan as free cash. */
  failedAfterDebit?: boolean;
  /** Residual cash left: the fund (and its minimum) that kept it from being invested. */
  blockedBy?: { instrument: string; minimum: string };
  timings: { startedAt: string; paidAt: string | null; investedAt: string | null; completedAt: string };
}

export interface CycleStatus {
  planId: string;
  period: string;
  phase: CyclePhase;
  payments: PaymentAttempt[];
  orders: OrderRecordSummary[];
  held: (LegAmount & { since: string; deadline: string })[];
  blockedReason: string | null;
  kycBlockedSince: string | null;
  /** Money the cycle holds for its pool once paid: the deposit plus the plan's free cash handed in (absent: older). */
  moneyWaiting?: string | null;
  /** While KYC blocks orders: when the money stops waiting and is kept as cash and carried (absent: older). */
  kycDeadline?: string | null;
  explanation: string[];
  /** What the split decided per fund, once it has split; absent before, and from older cycles. */
  legs?: SplitLegRecord[];
}

export interface RebalanceRunRecord {
  planId: string;
  date: string;
  trigger: 'admin' | 'calendar' | 'drift';
  outcome: 'within-band' | 'completed' | 'partially-completed' | 'needs-attention' | 'skipped';
  driftBefore: { maxAbsolutePp: string; total: string } | null;
  driftAfter: { maxAbsolutePp: string; total: string } | null;
  orders: (OrderRecordSummary & { side: 'sell' | 'buy' })[];
  skipped: { instrument: string; side: 'sell' | 'buy'; reason: string }[];
  explanation: string[];
  timings: { startedAt: string; sellsSettledAt: string | null; completedAt: string };
}

export interface PlanStatus {
  planId: string;
  clientId: string;
  accountId: string;
  state: PlanStateValue;
  amount: string;
  dayOfMonth: number | 'last';
  allocation: AllocationSource;
  nextPeriod: string | null;
  nextDebitDate: string | null;
  nextSubmissionDeadline: string | null;
  /**
   * Periods an operator asked to skip (`savings skip`) that the plan has not reached yet: nothing is debited for
   * them. Optional: answers of plans started before it was added do not have it.
   */
  pendingSkips?: string[];
  /**
   * The first period that will be submitted, past the pending skips (equal to nextPeriod/nextDebitDate/
   * nextSubmissionDeadline when nothing is skipped); null when nothing more will be. Optional as pendingSkips.
   */
  nextSubmission?: { period: string; debitDate: string; submissionDeadline: string } | null;
  paused: { since: string; reason: string } | null;
  cancelled: { at: string; reason: string } | null;
  blockedReasons: string[];
  attention: { at: string; period?: string; reason: string }[];
  carry: Record<string, string>;
  /** The plan ledger's pockets: free cash by reason, carried and held money (absent in answers before the ledger). */
  books?: BooksView;
  /** Why the plan hands out no free cash until an operator has reconciled its books and resumed it (absent: none). */
  booksHold?: string | null;
  consecutiveFailedPeriods: number;
  activeCycles: { period: string; phase: CyclePhase }[];
  cycles: CycleSummary[];
  rebalance: {
    policy: PlanRebalancePolicy;
    running: { date: string; trigger: string } | null;
    pending: { trigger: string; requestedAt: string } | null;
    lastRebalanceDate: string | null;
    nextCalendarDate: string | null;
    runs: RebalanceRunRecord[];
  };
}
