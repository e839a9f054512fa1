/**
 * CLI options → validated plan input and messages. Everything is checked here, before any call to Temporal, so bad
 * input gets one specific message and changes nothing.
 */
import {
  addPeriods,
  debitDate,
  periodOf,
  stockholmDate,
  submissionDeadline,
  type DayOfMonth,
} from '../shared/calendar';
import {
  PlanInputSchema,
  PlanRebalancePolicySchema,
  SavingsPoliciesSchema,
  WeightsSchema,
  type Plan,
  type PlanRebalancePolicy,
  type Weights,
} from '../shared/plan';
import { firstIssue } from '../shared/zod-issues';

export class CliInputError extends Error {
  override name = 'CliInputError' as const;
}

/** `SE0007100128SEK=40,SE0007110093SEK=60` → validated weights. */
export function parseWeights(text: string): Weights {
  const weights = text.split(',').map((part, i) => {
    const [instrument, percent, ...rest] = part.trim().split('=');
    if (!instrument || percent === undefined || rest.length)
      throw new CliInputError(`--weights: item ${i + 1} must be FUND=PERCENT, got "${part.trim()}"`);
    return { instrument: instrument.trim(), percent: percent.trim() };
  });
  const parsed = WeightsSchema.safeParse(weights);
  if (!parsed.success) throw new CliInputError(`--weights: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

export function parseDay(text: string): DayOfMonth {
  if (text === 'last') return 'last';
  if (!/^\d{1,2}$/.test(text) || Number(text) < 1 || Number(text) > 28)
    throw new CliInputError(`day of month must be 1–28 or "last", got "${text}"`);
  return Number(text);
}

/** `monthly:15`, `quarterly:last:3` (day, first month), `yearly:1:6`. */
export function parseCalendar(text: string): PlanRebalancePolicy['calendar'] {
  const [frequency, day, month] = text.split(':');
  if (frequency !== 'monthly' && frequency !== 'quarterly' && frequency !== 'yearly') {
    throw new CliInputError(
      `--rebalance-calendar: frequency must be monthly, quarterly or yearly, got "${frequency ?? ''}"`
    );
  }
  if (!day) throw new CliInputError('--rebalance-calendar: needs a day, e.g. quarterly:last:3');
  const firstMonth = month === undefined ? 1 : Number(month);
  if (!Number.isInteger(firstMonth) || firstMonth < 1 || firstMonth > 12)
    throw new CliInputError(`--rebalance-calendar: month must be 1–12, got "${month}"`);
  return { frequency, day: parseDay(day), month: firstMonth };
}

/**
 * The first period whose autogiro can still be submitted on time (its Bankgirot deadline minus the margin is
 * ahead), so a new plan never debits late.
 */
export function firstSchedulablePeriod(nowIso: string, day: DayOfMonth, marginMinutes: number): string {
  let period = periodOf(stockholmDate(nowIso));
  for (let i = 0; i < 3; i++, period = addPeriods(period, 1)) {
    if (Date.parse(submissionDeadline(debitDate(period, day))) - marginMinutes * 60_000 > Date.parse(nowIso))
      return period;
  }
  return period;
}

export interface CreateOptions {
  planId: string;
  client: string;
  account: string;
  amount: string;
  day: string;
  firstPeriod?: string;
  lastPeriod?: string;
  startNow?: boolean;
  weights?: string;
  belowMinimum?: string;
  blockedDeadlineDays?: string;
  blockedAtDeadline?: string;
  kycDeadlineDays?: string;
}

export interface RebalanceOptions {
  off?: boolean;
  bandAbs?: string;
  bandRel?: string;
  calendar?: string;
  cooldownDays?: string;
  minTrade?: string;
  cashBuffer?: string;
  cashFlow?: boolean;
}

const int = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliInputError(`${flag}: must be a whole number, got "${value}"`);
  return Number(value);
};

/** A rebalance policy from flags; `enabled` when any trigger is given (or explicitly off). */
export function rebalancePolicyFrom(o: RebalanceOptions): PlanRebalancePolicy {
  const band =
    o.bandAbs || o.bandRel
      ? { ...(o.bandAbs ? { absolutePp: o.bandAbs } : {}), ...(o.bandRel ? { relativePct: o.bandRel } : {}) }
      : undefined;
  const calendar = o.calendar ? parseCalendar(o.calendar) : undefined;
  const parsed = PlanRebalancePolicySchema.safeParse({
    enabled: !o.off && Boolean(band ?? calendar),
    ...(band ? { band } : {}),
    ...(calendar ? { calendar } : {}),
    ...(o.cooldownDays !== undefined ? { cooldownDays: int('--cooldown-days', o.cooldownDays) } : {}),
    ...(o.minTrade !== undefined ? { minTradeAmount: o.minTrade } : {}),
    ...(o.cashBuffer !== undefined ? { cashBufferPct: o.cashBuffer } : {}),
    ...(o.cashFlow !== undefined ? { cashFlow: o.cashFlow } : {}),
  });
  if (!parsed.success) throw new CliInputError(`rebalance policy: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** The validated plan a `create` starts, first period defaulting to the next one that can be submitted on time. */
export function planFrom(o: CreateOptions, rebalance: RebalanceOptions, nowIso: string): Plan {
  const day = parseDay(o.day);
  const policies = SavingsPoliciesSchema.safeParse({
    ...(o.belowMinimum !== undefined ? { belowMinimum: o.belowMinimum } : {}),
    ...(o.blockedDeadlineDays || o.blockedAtDeadline
      ? {
          blockedLeg: {
            ...(o.blockedDeadlineDays
              ? { deadlineBankingDays: int('--blocked-deadline-days', o.blockedDeadlineDays) }
              : {}),
            ...(o.blockedAtDeadline ? { atDeadline: o.blockedAtDeadline } : {}),
          },
        }
      : {}),
    ...(o.kycDeadlineDays ? { kyc: { deadlineDays: int('--kyc-deadline-days', o.kycDeadlineDays) } } : {}),
  });
  if (!policies.success) throw new CliInputError(`policies: ${firstIssue(policies.error)}`);
  const firstPeriod = o.startNow
    ? periodOf(stockholmDate(nowIso))
    : (o.firstPeriod ?? firstSchedulablePeriod(nowIso, day, policies.data.submissionMarginMinutes));
  const parsed = PlanInputSchema.safeParse({
    planId: o.planId,
    clientId: o.client,
    accountId: o.account,
    amount: o.amount,
    dayOfMonth: day,
    firstPeriod,
    ...(o.lastPeriod ? { lastPeriod: o.lastPeriod } : {}),
    startImmediately: Boolean(o.startNow),
    allocation:
      o.weights !== undefined ? { source: 'override', weights: parseWeights(o.weights) } : { source: 'fondo' },
    policies: policies.data,
    rebalance: rebalancePolicyFrom(rebalance),
  });
  if (!parsed.success) throw new CliInputError(firstIssue(parsed.error));
  return parsed.data;
}
