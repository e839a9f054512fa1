/**
 * Calendar rebalancing dates: monthly, quarterly (the policy's month and every third after) or yearly (that month),
 * on day 1–28 or the month's last banking day; a day that is not a banking day moves to the NEXT banking day —
 * the same rule as autogiro debit dates (shared/calendar.ts debitDate), so one calendar governs both.
 */
import { addPeriods, debitDate, periodOf } from './calendar';
import type { DayOfMonth } from './calendar';

export interface RebalanceCalendar {
  frequency: 'monthly' | 'quarterly' | 'yearly';
  day: DayOfMonth;
  /** First month of the cycle, 1–12. */
  month: number;
}

/** Whether the calendar schedules a rebalance in `period` (YYYY-MM). */
export function isRebalanceMonth(calendar: RebalanceCalendar, period: string): boolean {
  const month = Number(period.slice(5, 7));
  const offset = (month - calendar.month + 12) % 12;
  if (calendar.frequency === 'monthly') return true;
  if (calendar.frequency === 'quarterly') return offset % 3 === 0;
  return offset === 0;
}

/** The first scheduled rebalance date strictly after `afterDate` (YYYY-MM-DD). */
export function nextCalendarRebalanceDate(calendar: RebalanceCalendar, afterDate: string): string {
  // A scheduled date can move into the next month (e.g. 30 Dec → 2 Jan), so start one month back.
  let period = addPeriods(periodOf(afterDate), -1);
  for (let i = 0; i < 26; i++, period = addPeriods(period, 1)) {
    if (!isRebalanceMonth(calendar, period)) continue;
    const date = debitDate(period, calendar.day);
    if (date > afterDate) return date;
  }
  throw new Error(`no rebalance date within two years after ${afterDate}`);
}
