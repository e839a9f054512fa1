/**
 * A savings plan's input, policies and the state carried across continue-as-new. Everything here is plain JSON
 * with decimal strings (it is a Temporal payload), validated with zod at every entry point (CLI, workflow start,
 * updates) so a bad plan fails fast with a specific message and changes nothing.
 */
import { z } from 'zod';
import { DayOfMonthSchema, IsoDateSchema, PeriodSchema } from './calendar';
import { PlanIdSchema } from './ids';
import { LedgerSchema } from './ledger';
import { WeightSchema as EngineWeightSchema } from './instrument-rules';
import { dec, isDecimalString, PositiveSekAmountSchema, SekAmountSchema, sum } from './money';
import { RebalancePolicySchema } from './rebalance';
import type { CycleSummary, RebalanceRunRecord } from './status';

/** Largest monthly amount a plan may debit (a guard against typos such as a missing decimal point). */
export const MAX_MONTHLY_AMOUNT = '1000000.00';

export const MonthlyAmountSchema = PositiveSekAmountSchema.refine(
  (a) => !isDecimalString(a) || dec(a).lessThanOrEqualTo(MAX_MONTHLY_AMOUNT),
  `must be at most ${MAX_MONTHLY_AMOUNT} SEK`
);

/** One fund weight: the engine's schema (shared/instrument-rules.ts), so the plan and the split agree. */
export const WeightSchema = EngineWeightSchema;

/** Fund weights: each > 0 with ≤ 2 decimals, no duplicates, summing to exactly 100. */
export const WeightsSchema = z
  .array(EngineWeightSchema)
  .min(1, 'must contain at least one fund')
  .superRefine((weights, ctx) => {
    const seen = new Set<string>();
    for (const w of weights) {
      if (seen.has(w.instrument)) ctx.addIssue({ code: 'custom', message: `duplicate fund ${w.instrument}` });
      seen.add(w.instrument);
    }
    if (!weights.every((w) => isDecimalString(w.percent))) return; // each bad percent is reported on its own
    const total = sum(weights.map((w) => w.percent));
    if (!total.equals(100)) {
      ctx.addIssue({ code: 'custom', message: `percentages sum to ${total.toFixed()}, expected exactly 100` });
    }
  });
export type Weights = z.infer<typeof WeightsSchema>;

/** Where the weights come from: the account's Fondo allocation plan, or an explicit override. */
export const AllocationSourceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('fondo') }),
  z.object({ source: z.literal('override'), weights: WeightsSchema }),
]);
export type AllocationSource = z.infer<typeof AllocationSourceSchema>;

export const SavingsPoliciesSchema = z.object({
  /** What the split does with legs below a fund's minimum. */
  belowMinimum: z.enum(['redistribute', 'carry']).default('redistribute'),
  /** Legs of funds that are not buyable/tradable: retried every banking day until the deadline, then … */
  blockedLeg: z
    .object({
      deadlineBankingDays: z.number().int().min(1).max(60).default(10),
      atDeadline: z.enum(['carry', 'redistribute']).default('carry'),
    })
    .prefault({}),
  /** KYC blocking orders: re-checked on a backoff until this many days have passed, then needs-attention. */
  kyc: z.object({ deadlineDays: z.number().int().min(1).max(180).default(30) }).prefault({}),
  /** Renewed autogiro attempts after code 1 (insufficient funds) or 9 (renewed coverage), one per banking day. */
  payment: z.object({ maxRenewedAttempts: z.number().int().min(0).max(3).default(3) }).prefault({}),
  /** The plan wakes this long before Bankgirot's 19:00 D−1 deadline to submit the payment. */
  submissionMarginMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(120),
  /** A period reached after its deadline (e.g. workers were down) is still submitted within this many banking days of its debit date, else recorded as missed. */
  lateSubmissionBankingDays: z.number().int().min(0).max(10).default(3),
  /** After this many failed periods in a row the plan pauses itself. */
  maxConsecutiveFailedPeriods: z.number().int().min(1).max(12).default(3),
});
export type SavingsPolicies = z.infer<typeof SavingsPoliciesSchema>;

export const RebalanceCalendarSchema = z.object({
  frequency: z.enum(['monthly', 'quarterly', 'yearly']),
  /** Day of the month (1–28 or 'last'); moved to the next banking day when it is not one. */
  day: DayOfMonthSchema,
  /** First month of the cycle (1–12): quarterly runs in this month and every third after; yearly in this month. */
  month: z.number().int().min(1).max(12).default(1),
});

/**
 * Rebalancing of a plan (issue 7): triggers and trade rules. `cashFlow` steers every deposit to underweights.
 * The trade rules (band, minimum trade amount, cash buffer) are the engine's own schemas (shared/rebalance.ts
 * RebalancePolicySchema), so a plan can never hold a value `planRebalance` rejects.
 */
const EnginePolicy = RebalancePolicySchema.shape;
export const PlanRebalancePolicySchema = z
  .object({
    enabled: z.boolean().default(false),
    band: EnginePolicy.band,
    calendar: RebalanceCalendarSchema.optional(),
    cooldownDays: z.number().int().min(0).max(366).default(31),
    minTradeAmount: EnginePolicy.minTradeAmount.default('100.00'),
    cashBufferPct: EnginePolicy.cashBufferPct.default('0.25'),
    cashFlow: z.boolean().default(true),
  })
  .superRefine((p, ctx) => {
    if (p.enabled && !p.band && !p.calendar) {
      ctx.addIssue({ code: 'custom', message: 'an enabled rebalance policy needs a drift band and/or a calendar' });
    }
  });
export type PlanRebalancePolicy = z.infer<typeof PlanRebalancePolicySchema>;

/** One cycle's outcome as the plan remembers it (also the cycle workflow's result). */
export const CycleOutcomeSchema = z.enum([
  'invested',
  'partially-invested',
  /** Collected but nothing invested (money left as cash or carried, with the reason in the explanation). */
  'not-invested',
  'payment-failed',
  'needs-attention',
  'skipped',
  'skipped-paused',
  'missed',
]);
export type CycleOutcome = z.infer<typeof CycleOutcomeSchema>;

/**
 * A record the plan saved from one of its own children (a cycle summary, a rebalance run): typed as the child
 * returned it, checked for the fields the plan relies on (the records are ours; an operator seeding state gets a
 * specific error for a record that is not one).
 */
function savedRecord<T extends object>(required: readonly string[]) {
  return z.custom<T>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && required.every((k) => k in v),
    `must be a saved record with ${required.join(', ')}`
  );
}

/** State a plan carries across continue-as-new (and that an operator can seed when migrating a plan). */
export const PlanCarriedStateSchema = z.object({
  nextPeriod: PeriodSchema,
  /** Money per fund carried into the next cycle's split (below-minimum legs, blocked legs at their deadline). */
  carry: z.record(z.string(), SekAmountSchema).default({}),
  paused: z.object({ since: z.string(), reason: z.string() }).nullable().default(null),
  cancelled: z.object({ at: z.string(), reason: z.string() }).nullable().default(null),
  consecutiveFailedPeriods: z.number().int().min(0).default(0),
  /** Periods the operator asked to skip. */
  skipPeriods: z.array(PeriodSchema).default([]),
  /** Open problems an operator should look at (cleared by resume). */
  attention: z.array(z.object({ at: z.string(), period: PeriodSchema.optional(), reason: z.string() })).default([]),
  /** The last 12 cycles (newest last): the summaries the cycles returned (shared/status.ts CycleSummary). */
  cycles: z.array(savedRecord<CycleSummary>(['planId', 'period', 'outcome', 'paidAmount'])).default([]),
  /** The last 12 rebalance runs (newest last). */
  rebalanceRuns: z.array(savedRecord<RebalanceRunRecord>(['planId', 'date', 'trigger', 'outcome'])).default([]),
  lastRebalanceDate: IsoDateSchema.optional(),
  /** A rebalance waiting to start (admin rebalanceNow or a trigger that arrived while a cycle ran). */
  pendingRebalance: z.object({ trigger: z.enum(['admin', 'calendar', 'drift']), requestedAt: z.string() }).optional(),
  /** The next calendar rebalance date already handled (so a restart does not run it twice). */
  calendarHandledThrough: IsoDateSchema.optional(),
  /** A day-of-month change that starts with a later period (its first period's new deadline had passed). */
  pendingDayChange: z.object({ day: DayOfMonthSchema, from: PeriodSchema }).optional(),
  /**
   * The plan ledger (shared/ledger.ts, posted through shared/plan-books.ts): every krona of the plan from the debit to
   * settled units. Absent in plans that ran before it: they open one from their carry.
   */
  ledger: LedgerSchema.optional(),
  /**
   * Why the plan's books cannot be trusted until an operator has reconciled them (a child failed after money may have
   * moved, or the ledger refused a posting): while set, the plan hands no free cash to cycles or runs. `resume` clears
   * it.
   */
  booksHold: z.string().max(500).optional(),
});
export type PlanCarriedState = z.infer<typeof PlanCarriedStateSchema>;

export const PlanInputSchema = z
  .object({
    planId: PlanIdSchema,
    clientId: z.string().min(1, 'must not be empty'),
    accountId: z.string().min(1, 'must not be empty'),
    amount: MonthlyAmountSchema,
    dayOfMonth: DayOfMonthSchema,
    firstPeriod: PeriodSchema,
    lastPeriod: PeriodSchema.optional(),
    /** Submit the first period at once (debited the earliest banking day) instead of on its scheduled date. */
    startImmediately: z.boolean().default(false),
    allocation: AllocationSourceSchema.default({ source: 'fondo' }),
    policies: SavingsPoliciesSchema.prefault({}),
    rebalance: PlanRebalancePolicySchema.prefault({}),
    state: PlanCarriedStateSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.lastPeriod && p.lastPeriod < p.firstPeriod) {
      ctx.addIssue({
        code: 'custom',
        path: ['lastPeriod'],
        message: `must not be before firstPeriod ${p.firstPeriod}`,
      });
    }
  });
/** The plan as given (defaults optional). */
export type PlanInput = z.input<typeof PlanInputSchema>;
/** The plan after validation (defaults filled in). */
export type Plan = z.output<typeof PlanInputSchema>;

/** First zod issue as `path: message` (the one specific error a caller sees): shared/zod-issues.ts. */
export { firstIssue as describeIssue } from './zod-issues';
