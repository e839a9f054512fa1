/**
 * The plan's schedule, as pure decisions: which period is due, its debit date, Bankgirot deadline and wake time;
 * what happens to a due period (run on time, run late, missed, skipped, skipped while paused); and from which
 * period a day-of-month change applies. Instants are epoch milliseconds (the workflow's clock), dates ISO strings.
 */
import {
  addBankingDays,
  addPeriods,
  comparePeriods,
  debitDate as scheduledDebitDate,
  earliestDebitDate,
  submissionDeadline,
  type DayOfMonth,
} from './calendar';

/** A day-of-month change that starts with a later period. */
export interface PendingDayChange {
  day: DayOfMonth;
  from: string;
}

/** The day of month that governs `period`. */
export function dayFor(period: string, day: DayOfMonth, pending: PendingDayChange | undefined): DayOfMonth {
  return pending && comparePeriods(period, pending.from) >= 0 ? pending.day : day;
}

export interface DuePeriod {
  period: string;
  debitDate: string;
  /** Bankgirot's submission deadline for the debit date (ISO instant). */
  deadline: string;
  /** When the plan wakes to submit (ms). */
  wakeAt: number;
  /** Submitted now regardless of the schedule (the plan's first period with startImmediately). */
  immediate: boolean;
}

export interface ScheduleFacts {
  nextPeriod: string;
  firstPeriod: string;
  lastPeriod?: string | undefined;
  day: DayOfMonth;
  pendingDayChange?: PendingDayChange | undefined;
  startImmediately: boolean;
  /** Whether any period has run yet (startImmediately applies to the very first only). */
  anyCycleRecorded: boolean;
  submissionMarginMinutes: number;
  cancelled: boolean;
  nowMs: number;
}

/** Whether every period up to `lastPeriod` has been handled. */
export function allPeriodsDone(nextPeriod: string, lastPeriod: string | undefined): boolean {
  return lastPeriod !== undefined && comparePeriods(nextPeriod, lastPeriod) > 0;
}

/** The next period to handle, with its dates; undefined when the plan schedules nothing more. */
export function duePeriod(f: ScheduleFacts): DuePeriod | undefined {
  if (f.cancelled || allPeriodsDone(f.nextPeriod, f.lastPeriod)) return undefined;
  const period = f.nextPeriod;
  const immediate = f.startImmediately && period === f.firstPeriod && !f.anyCycleRecorded;
  const nowIso = new Date(f.nowMs).toISOString();
  const debitDate = immediate
    ? earliestDebitDate(nowIso)
    : scheduledDebitDate(period, dayFor(period, f.day, f.pendingDayChange));
  const deadline = submissionDeadline(debitDate);
  const wakeAt = immediate ? f.nowMs : Date.parse(deadline) - f.submissionMarginMinutes * 60_000;
  return { period, debitDate, deadline, wakeAt, immediate };
}

/** A plan as it is started, before any period ran: what {@link firstDuePeriod} needs. */
export interface NewPlanSchedule {
  firstPeriod: string;
  lastPeriod?: string | undefined;
  dayOfMonth: DayOfMonth;
  startImmediately: boolean;
  policies: { submissionMarginMinutes: number };
}

/** The period a new plan handles first, as its first run computes it at `nowMs`. */
export function firstDuePeriod(plan: NewPlanSchedule, nowMs: number): DuePeriod | undefined {
  return duePeriod({
    ...{ nextPeriod: plan.firstPeriod, firstPeriod: plan.firstPeriod, lastPeriod: plan.lastPeriod },
    ...{ day: plan.dayOfMonth, startImmediately: plan.startImmediately, anyCycleRecorded: false },
    ...{ submissionMarginMinutes: plan.policies.submissionMarginMinutes, cancelled: false, nowMs },
  });
}

/** When a due period is acted on: at its wake time; while paused, at its deadline (resume before it runs it). */
export function actAt(due: DuePeriod, paused: boolean): number {
  return paused ? Date.parse(due.deadline) : due.wakeAt;
}

export type PeriodAction =
  | { kind: 'skipped'; why: string }
  | { kind: 'skipped-paused'; why: string }
  | { kind: 'missed'; why: string; attention: string }
  | { kind: 'submit'; debitDate: string; late: boolean };

/**
 * What to do with a due period reached at `nowMs`: skipped by the operator; skipped because the plan was paused at
 * its deadline; submitted on time; submitted late (workers were down) when the debit is at most
 * `lateSubmissionBankingDays` after the scheduled one; else missed.
 */
export function periodAction(
  due: DuePeriod,
  f: { skipPeriods: readonly string[]; pausedReason: string | null; lateSubmissionBankingDays: number; nowMs: number }
): PeriodAction {
  if (f.skipPeriods.includes(due.period)) return { kind: 'skipped', why: 'skipped by operator' };
  if (f.pausedReason !== null) {
    return { kind: 'skipped-paused', why: `plan paused (${f.pausedReason}) at the submission deadline` };
  }
  if (due.immediate || f.nowMs <= Date.parse(due.deadline))
    return { kind: 'submit', debitDate: due.debitDate, late: false };
  const lateDebit = earliestDebitDate(new Date(f.nowMs).toISOString());
  if (lateDebit > addBankingDays(due.debitDate, f.lateSubmissionBankingDays)) {
    return {
      kind: 'missed',
      why: `reached after its deadline ${due.deadline}; too late to debit`,
      attention: `period ${due.period} missed: the plan was not running at its submission deadline`,
    };
  }
  return { kind: 'submit', debitDate: lateDebit, late: true };
}

/**
 * After `period` is handled: the next period, and the day of month from then on (a pending day change that has
 * begun is folded into the plan's day).
 */
export function advance(
  period: string,
  day: DayOfMonth,
  pending: PendingDayChange | undefined
): { nextPeriod: string; day: DayOfMonth; pendingDayChange: PendingDayChange | undefined } {
  const nextPeriod = addPeriods(period, 1);
  if (pending && comparePeriods(nextPeriod, pending.from) > 0) {
    return { nextPeriod, day: pending.day, pendingDayChange: undefined };
  }
  return { nextPeriod, day, pendingDayChange: pending };
}

/**
 * A day-of-month change applies to the next period not yet submitted, unless that period's new deadline has
 * already passed: then that period keeps its schedule and the new day starts with the period after.
 */
export function dayChange(
  nextPeriod: string,
  day: DayOfMonth,
  nowMs: number
): { change: PendingDayChange; nextDebitDate: string } {
  const from =
    Date.parse(submissionDeadline(scheduledDebitDate(nextPeriod, day))) > nowMs
      ? nextPeriod
      : addPeriods(nextPeriod, 1);
  return { change: { day, from }, nextDebitDate: scheduledDebitDate(from, day) };
}
