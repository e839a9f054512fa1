/**
 * The one check a plan passes before it exists or changes (issue 12.2): `create`, `change-amount`,
 * `change-allocation` and the rebalance-policy update all build a {@link PlanCheckRequest} (the plan as it would
 * be) and run `planPreflightWorkflow`, which reads {@link PlanFacts} from Fondo through the worker's client and
 * decides here. Pure and deterministic: the workflow calls it, and unit tests call it directly.
 *
 * Each problem names the plan field and the reason, never personal data:
 * `weights: fund SE0000000000SEK is unknown to Fondo`, `rebalance.cashBufferPct: must be at most 100`.
 * Policy values are judged by the engine's own schemas (shared/rebalance.ts, shared/allocation.ts), so a plan can
 * never hold a value the engine later rejects.
 */
import { z } from 'zod';
import { splitDeposit, SplitPolicySchema } from './allocation';
import { periodOf, PeriodSchema, stockholmDate } from './calendar';
import { DomainInputError } from './domain-error';
import type { InstrumentRules } from './instrument-rules';
import {
  AllocationSourceSchema,
  MonthlyAmountSchema,
  PlanRebalancePolicySchema,
  type AllocationSource,
  type Weights,
} from './plan';
import { RebalancePolicySchema } from './rebalance';
import { formatIssuePath } from './zod-issues';

/** What is checked: the plan as it would be after the operation (a change carries the running plan's values). */
export const PlanCheckRequestSchema = z.object({
  operation: z.enum(['create', 'change-amount', 'change-allocation', 'change-rebalance-policy']),
  clientId: z.string().min(1, 'must not be empty'),
  accountId: z.string().min(1, 'must not be empty'),
  amount: MonthlyAmountSchema,
  allocation: AllocationSourceSchema,
  belowMinimum: SplitPolicySchema.shape.belowMinimum.unwrap().default('redistribute'),
  /** The plan's rebalance policy as given (judged here by the engine's schema). */
  rebalance: PlanRebalancePolicySchema,
  /** Only for `create`: the first period (must not be in the past). */
  firstPeriod: PeriodSchema.optional(),
  /** The operator accepts that an amount below every fund's minimum is carried instead of invested. */
  acceptCarry: z.boolean().default(false),
});
export type PlanCheckRequest = z.input<typeof PlanCheckRequestSchema>;

/** A fund as Fondo describes it to this client. */
export interface FundFacts {
  /** Fondo knows the instrument at all. */
  known: boolean;
  /** It is in the client's instrument universe. */
  inUniverse: boolean;
  /** Trading rules (null when unknown). */
  rules: (InstrumentRules & { isSellable: boolean }) | null;
}

/** What Fondo says about a plan's account and funds, read at one moment by the preflight activity. */
export interface PlanFacts {
  /** The account as seen under the plan's client (not found also when it belongs to another client). */
  account: { found: boolean; status: string | null; active: boolean };
  /** With `allocation.source: 'fondo'`: the account's allocation plan as weights, or why it cannot be used. */
  fondoAllocation: { weights: Weights } | { problem: string } | null;
  /** Every fund the weights name. */
  funds: Record<string, FundFacts>;
  /** Units held per fund (decides initial vs subsequent minimums). */
  holdings: Record<string, string>;
}

/** One refusal: the plan field and the reason. */
export interface PlanProblem {
  field: string;
  reason: string;
}

export type PlanCheckResult = { ok: true } | { ok: false; problems: PlanProblem[] };

/** The weights the check reads funds for (empty when the allocation comes from Fondo: the activity reads them). */
export function overrideInstruments(allocation: AllocationSource): string[] {
  return allocation.source === 'override' ? allocation.weights.map((w) => w.instrument) : [];
}

/** A request that fails its schema, as problems (field path and message). */
export function requestProblems(raw: unknown): PlanProblem[] {
  const parsed = PlanCheckRequestSchema.safeParse(raw);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ field: formatIssuePath(i.path) || 'request', reason: i.message }));
}

/**
 * Every problem that stops the plan (empty = it may start or change). `nowIso` is the caller's clock (the
 * workflow's), used only for "the first period is not in the past".
 */
export function checkPlan(raw: PlanCheckRequest, facts: PlanFacts, nowIso: string): PlanProblem[] {
  const req = PlanCheckRequestSchema.parse(raw);
  const problems: PlanProblem[] = [];

  if (req.firstPeriod !== undefined) {
    const current = periodOf(stockholmDate(nowIso));
    if (req.firstPeriod < current)
      problems.push({
        field: 'firstPeriod',
        reason: `${req.firstPeriod} is in the past (the current period is ${current})`,
      });
  }

  problems.push(...policyProblems(req.rebalance));

  if (!facts.account.found) {
    problems.push({ field: 'accountId', reason: 'no such account for this client' });
  } else if (!facts.account.active) {
    problems.push({ field: 'accountId', reason: `the account is ${facts.account.status ?? 'not active'}, not active` });
  }

  let weights: Weights | undefined;
  const weightsField = req.allocation.source === 'override' ? 'weights' : 'allocation';
  if (req.allocation.source === 'override') weights = req.allocation.weights;
  else if (facts.fondoAllocation && 'weights' in facts.fondoAllocation) weights = facts.fondoAllocation.weights;
  else if (facts.fondoAllocation) problems.push({ field: 'allocation', reason: facts.fondoAllocation.problem });
  if (!weights) return problems;

  const fundProblems: PlanProblem[] = [];
  for (const { instrument } of weights) {
    const fund = facts.funds[instrument];
    if (!fund?.known) fundProblems.push({ field: weightsField, reason: `fund ${instrument} is unknown to Fondo` });
    else if (!fund.inUniverse)
      fundProblems.push({
        field: weightsField,
        reason: `fund ${instrument} is not in the client's instrument universe`,
      });
    else if (!fund.rules?.isBuyable)
      fundProblems.push({ field: weightsField, reason: `fund ${instrument} is not buyable` });
  }
  problems.push(...fundProblems);
  // The amount is judged only when every fund is known: the split needs each fund's rules.
  if (fundProblems.length === 0 && !req.acceptCarry) {
    const amountProblem = amountBuysNothing(req.amount, weights, facts, req.belowMinimum);
    if (amountProblem) problems.push({ field: 'amount', reason: amountProblem });
  }
  return problems;
}

/** The plan's rebalance policy as the engine reads it (planRebalance's own schema decides). */
function policyProblems(policy: z.output<typeof PlanRebalancePolicySchema>): PlanProblem[] {
  const engine = RebalancePolicySchema.safeParse({
    mode: policy.cashFlow ? 'cash-flow' : 'full',
    ...(policy.band ? { band: policy.band } : {}),
    minTradeAmount: policy.minTradeAmount,
    cashBufferPct: policy.cashBufferPct,
  });
  if (engine.success) return [];
  return engine.error.issues.map((i) => ({
    field: ['rebalance', formatIssuePath(i.path)].filter(Boolean).join('.'),
    reason: i.message,
  }));
}

/** Why a deposit of `amount` would place no order and hold no leg (every leg under its fund's minimum). */
function amountBuysNothing(
  amount: string,
  weights: Weights,
  facts: PlanFacts,
  belowMinimum: 'redistribute' | 'carry'
): string | undefined {
  const instruments = Object.fromEntries(weights.map((w) => [w.instrument, facts.funds[w.instrument]!.rules!]));
  try {
    const split = splitDeposit({
      amount,
      allocation: weights,
      instruments,
      holdings: Object.fromEntries(
        Object.entries(facts.holdings).filter(([id]) => Object.prototype.hasOwnProperty.call(instruments, id))
      ),
      policy: { belowMinimum, blocked: 'hold' },
    });
    if (split.orders.length > 0 || split.held.length > 0) return undefined;
    return `${amount} SEK buys no fund at its minimum (it would be ${belowMinimum === 'carry' ? 'carried' : 'left as cash'} every period); raise it, or accept carrying it explicitly`;
  } catch (err) {
    if (err instanceof DomainInputError) return err.problems.join('; ');
    throw err;
  }
}

/**
 * The cycle's pre-check before it debits (issue 11.5): the account is active, the allocation exists and is valid, and
 * Fondo knows every fund in it — what the split will need, so a plan that cannot invest is not debited. A fund that is
 * only closed or not buyable today is not a problem here: its leg is held and re-checked. Returns the problems as
 * sentences without personal data (empty: the cycle may debit).
 */
export function cyclePreCheckProblems(allocation: AllocationSource, facts: PlanFacts): string[] {
  if (!facts.account.found) return ['account not found'];
  if (!facts.account.active) return [`account is ${facts.account.status ?? 'not active'}`];
  let weights: Weights;
  if (allocation.source === 'override') weights = allocation.weights;
  else if (facts.fondoAllocation && 'weights' in facts.fondoAllocation) weights = facts.fondoAllocation.weights;
  else return [facts.fondoAllocation?.problem ?? 'the account has no Fondo allocation plan'];
  const problems: string[] = [];
  for (const { instrument } of weights) {
    const fund = facts.funds[instrument];
    if (!fund?.known) problems.push(`fund ${instrument} is unknown to Fondo`);
    else if (!fund.inUniverse) problems.push(`fund ${instrument} is not in the client's instrument universe`);
  }
  return problems;
}
