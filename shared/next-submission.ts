/**
 * The next period the plan will actually submit, past the periods an operator asked to skip (`savings skip`): what
 * `status` and the next-action line name, and the plan's status reports as `nextSubmission`. Pure (runs in the plan's
 * status query): the dates come from the same calendar rules the plan schedules with (shared/plan-schedule.ts).
 */
import { addPeriods, comparePeriods, debitDate, submissionDeadline, type DayOfMonth } from './calendar';
import { dayFor, type DuePeriod, type PendingDayChange } from './plan-schedule';

export interface NextSubmission {
  period: string;
  debitDate: string;
  /** Bankgirot's submission deadline for the debit date (ISO instant). */
  submissionDeadline: string;
}

/**
 * The first period from `due` on that is not in `skipPeriods`, with its debit date and deadline; null when every
 * period up to `lastPeriod` is skipped, or nothing is due. The due period keeps its own dates (it may be submitted
 * immediately); a later one follows the schedule (its day of month, a pending day change included).
 */
export function nextSubmission(
  due: Pick<DuePeriod, 'period' | 'debitDate' | 'deadline'> | undefined,
  f: {
    skipPeriods: readonly string[];
    day: DayOfMonth;
    pendingDayChange?: PendingDayChange | undefined;
    lastPeriod?: string | undefined;
  }
): NextSubmission | null {
  if (!due) return null;
  if (!f.skipPeriods.includes(due.period))
    return { period: due.period, debitDate: due.debitDate, submissionDeadline: due.deadline };
  // Each skip names one period, so at most skipPeriods.length + 1 periods are looked at.
  let period = due.period;
  for (let i = 0; i <= f.skipPeriods.length; i++) {
    period = addPeriods(period, 1);
    if (f.lastPeriod !== undefined && comparePeriods(period, f.lastPeriod) > 0) return null;
    if (f.skipPeriods.includes(period)) continue;
    const debit = debitDate(period, dayFor(period, f.day, f.pendingDayChange));
    return { period, debitDate: debit, submissionDeadline: submissionDeadline(debit) };
  }
  return null;
}

/** The requested skips still ahead of the plan (from its next period on), oldest first. */
export function pendingSkipsFrom(nextPeriod: string, skipPeriods: readonly string[]): string[] {
  return skipPeriods.filter((p) => comparePeriods(p, nextPeriod) >= 0).sort(comparePeriods);
}
