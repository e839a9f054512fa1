/**
 * The Swedish banking-day calendar: which dates are banking days, when a monthly debit falls, and when an
 * autogiro payment must reach Bankgirot.
 *
 * Rules (they hold for every function here):
 * - Pure and deterministic, so it can run in Temporal workflow code: no clock, no randomness, no I/O, no
 *   environment. The only inputs are the arguments, the generated holiday table (shared/banking-days.generated.ts,
 *   made by scripts/generate-banking-days.ts from the pinned `date-holidays` rules plus historical corrections, and
 *   checked against them for every date) and the runtime's Intl time-zone data. No holiday engine runs here, so
 *   the workflow bundle carries none.
 * - Dates are `YYYY-MM-DD`, periods `YYYY-MM`, instants UTC ISO-8601 strings (`2026-12-22T18:00:00.000Z`).
 * - Only years 1900–2100 are supported; every input is validated and bad input throws
 *   {@link CalendarInputError} naming the value. A result that would leave those years throws it too.
 * - A banking day is Monday–Friday that is neither a Swedish public holiday nor a bank-free eve
 *   (midsommarafton, julafton, nyårsafton).
 * - Local time is Europe/Stockholm; offsets come from Intl (through `@date-fns/tz`), never from hand-coded
 *   DST rules.
 */
import { tzOffset } from '@date-fns/tz';
import { z } from 'zod';
import { HOLIDAY_NAMES, HOLIDAYS_BY_YEAR, TABLE_FIRST_YEAR } from './banking-days.generated';

/** First year the calendar covers. */
export const MIN_YEAR = 1900;
/** Last year the calendar covers. */
export const MAX_YEAR = 2100;
/** The time zone all local dates and wall times are in. */
export const STOCKHOLM_TIME_ZONE = 'Europe/Stockholm';
/** Bankgirot's autogiro file cut-off, local time on the banking day before the debit date. */
export const BANKGIROT_CUTOFF_TIME = '19:00';

/** A malformed or out-of-range date, period, instant, time or count (a caller's error, never retried). */
export class CalendarInputError extends Error {
  override name = 'CalendarInputError' as const;
}

// ---------------------------------------------------------------------------------------------------------
// Validation and schemas
// ---------------------------------------------------------------------------------------------------------

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD_PATTERN = /^(\d{4})-(\d{2})$/;
const LOCAL_TIME_PATTERN = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
// Seconds are required and the zone must be `Z`; the fraction may have up to 9 digits (nanoseconds).
const UTC_INSTANT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

interface DateParts {
  year: number;
  month: number;
  day: number;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function yearProblem(year: number, value: unknown): string | undefined {
  return year < MIN_YEAR || year > MAX_YEAR
    ? `year must be within ${MIN_YEAR}–${MAX_YEAR}, got ${show(value)}`
    : undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses a date or returns the problem with it. */
function parseDate(value: unknown): DateParts | string {
  const match = typeof value === 'string' ? ISO_DATE_PATTERN.exec(value) : null;
  if (!match) return `date must be YYYY-MM-DD, got ${show(value)}`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const outOfRange = yearProblem(year, value);
  if (outOfRange) return outOfRange;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `date must be a real calendar date, got ${show(value)}`;
  }
  return { year, month, day };
}

/** Parses a period or returns the problem with it. */
function parsePeriod(value: unknown): { year: number; month: number } | string {
  const match = typeof value === 'string' ? PERIOD_PATTERN.exec(value) : null;
  if (!match) return `period must be YYYY-MM, got ${show(value)}`;
  const [year, month] = [Number(match[1]), Number(match[2])];
  const outOfRange = yearProblem(year, value);
  if (outOfRange) return outOfRange;
  if (month < 1 || month > 12) return `period month must be 01–12, got ${show(value)}`;
  return { year, month };
}

/** An instant as epoch milliseconds plus whether it lies strictly inside that millisecond (sub-ms digits). */
interface Instant {
  epochMs: number;
  subMillisecond: boolean;
}

/** Parses a UTC instant or returns the problem with it. */
function parseInstant(value: unknown): Instant | string {
  const match = typeof value === 'string' ? UTC_INSTANT_PATTERN.exec(value) : null;
  if (!match) return `instant must be a UTC ISO-8601 string like "2026-12-22T18:00:00.000Z", got ${show(value)}`;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < MIN_YEAR || year > MAX_YEAR)
    return `instant year must be within ${MIN_YEAR}–${MAX_YEAR}, got ${show(value)}`;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `instant must have a real calendar date, got ${show(value)}`;
  }
  if (hour > 23 || minute > 59 || second > 59) return `instant has an invalid time of day, got ${show(value)}`;
  const fraction = (match[7] ?? '').padEnd(9, '0');
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3)));
  return { epochMs, subMillisecond: Number(fraction.slice(3)) > 0 };
}

function assertDate(value: unknown): DateParts {
  const parsed = parseDate(value);
  if (typeof parsed === 'string') throw new CalendarInputError(parsed);
  return parsed;
}

function assertPeriod(value: unknown): { year: number; month: number } {
  const parsed = parsePeriod(value);
  if (typeof parsed === 'string') throw new CalendarInputError(parsed);
  return parsed;
}

function assertInstant(value: unknown): Instant {
  const parsed = parseInstant(value);
  if (typeof parsed === 'string') throw new CalendarInputError(parsed);
  return parsed;
}

function assertInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new CalendarInputError(`${what} must be an integer, got ${show(value)}`);
  }
  return value;
}

function addIssueIfAny(problem: string | undefined, ctx: z.RefinementCtx): void {
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
}

/** A real calendar date `YYYY-MM-DD` in 1900–2100. */
export const IsoDateSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseDate(value);
  addIssueIfAny(typeof parsed === 'string' ? parsed : undefined, ctx);
});
export type IsoDate = z.infer<typeof IsoDateSchema>;

/** A month `YYYY-MM` in 1900–2100. */
export const PeriodSchema = z.string().superRefine((value, ctx) => {
  const parsed = parsePeriod(value);
  addIssueIfAny(typeof parsed === 'string' ? parsed : undefined, ctx);
});
export type Period = z.infer<typeof PeriodSchema>;

/** A UTC instant `YYYY-MM-DDTHH:MM:SS[.fraction]Z` in 1900–2100. */
export const UtcInstantSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseInstant(value);
  addIssueIfAny(typeof parsed === 'string' ? parsed : undefined, ctx);
});
export type UtcInstant = z.infer<typeof UtcInstantSchema>;

/** The day of the month a plan is debited: 1–28 (exists in every month) or the month's last banking day. */
export const DayOfMonthSchema = z.union([z.number().int().min(1).max(28), z.literal('last')]);
export type DayOfMonth = z.infer<typeof DayOfMonthSchema>;

function assertDayOfMonth(value: unknown): DayOfMonth {
  const parsed = DayOfMonthSchema.safeParse(value);
  if (!parsed.success) {
    throw new CalendarInputError(`dayOfMonth must be an integer 1–28 or 'last', got ${show(value)}`);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------
// Day numbers (days since 1970-01-01, UTC-free calendar arithmetic)
// ---------------------------------------------------------------------------------------------------------

const MIN_DAY = Date.UTC(MIN_YEAR, 0, 1) / MS_PER_DAY;
const MAX_DAY = Date.UTC(MAX_YEAR, 11, 31) / MS_PER_DAY;

function dayNumberOf(parts: DateParts): number {
  return Date.UTC(parts.year, parts.month - 1, parts.day) / MS_PER_DAY;
}

function dateOfDayNumber(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

function yearOfDayNumber(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday. */
function weekdayOf(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCDay();
}

function assertDayInRange(dayNumber: number, context: () => string): number {
  if (dayNumber < MIN_DAY || dayNumber > MAX_DAY) {
    throw new CalendarInputError(`${context()} falls outside the supported years ${MIN_YEAR}–${MAX_YEAR}`);
  }
  return dayNumber;
}

// ---------------------------------------------------------------------------------------------------------
// Holidays: a generated table (scripts/generate-banking-days.ts, from date-holidays plus historical corrections)
// ---------------------------------------------------------------------------------------------------------

/** A day of the year that is not a banking day for a reason other than the weekend. */
export interface BankHoliday {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Swedish name(s), joined with " / " when two holidays share the date. */
  name: string;
}

/** One year's holidays: by date (for {@link bankHolidays}) and by day number (for the banking-day scans). */
interface YearHolidays {
  readonly byDate: ReadonlyMap<string, string>;
  readonly dayNumbers: ReadonlySet<number>;
}

/** Each `MMDD` + name-index entry of a year in the generated table. */
const TABLE_ENTRY_LENGTH = 5;

// Decoded years, memoized. In a workflow this map lives once per workflow (the bundle's modules are per workflow),
// so it holds only the few years a plan touches: ~16 entries each.
const holidaysByYear = new Map<number, YearHolidays>();

/** Non-banking holidays of a year (weekends included), decoded once per year from the generated table. */
function holidaysOf(year: number): YearHolidays {
  const cached = holidaysByYear.get(year);
  if (cached) return cached;
  const row = HOLIDAYS_BY_YEAR[year - TABLE_FIRST_YEAR];
  // Invariant: the table covers MIN_YEAR–MAX_YEAR (test/unit/calendar-table.test.ts) and callers validate the year.
  if (row === undefined) throw new Error(`the banking-day table has no year ${year}`);
  const byDate = new Map<string, string>();
  const dayNumbers = new Set<number>();
  for (let at = 0; at < row.length; at += TABLE_ENTRY_LENGTH) {
    const month = Number(row.slice(at, at + 2));
    const day = Number(row.slice(at + 2, at + 4));
    const name = HOLIDAY_NAMES[parseInt(row.charAt(at + 4), 36)];
    if (name === undefined) throw new Error(`the banking-day table has a bad name index in ${year}`);
    byDate.set(`${year}-${row.slice(at, at + 2)}-${row.slice(at + 2, at + 4)}`, name);
    dayNumbers.add(dayNumberOf({ year, month, day }));
  }
  const holidays = { byDate, dayNumbers };
  holidaysByYear.set(year, holidays);
  return holidays;
}

/**
 * The days of `year` that are not banking days because of a public holiday or a bank-free eve, including
 * those that fall on a weekend, in date order.
 */
export function bankHolidays(year: number): readonly BankHoliday[] {
  assertInteger(year, 'year');
  const problem = yearProblem(year, year);
  if (problem) throw new CalendarInputError(problem);
  return [...holidaysOf(year).byDate].map(([date, name]) => ({ date, name }));
}

function isBankingDayNumber(dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  if (weekday === 0 || weekday === 6) return false;
  return !holidaysOf(yearOfDayNumber(dayNumber)).dayNumbers.has(dayNumber);
}

// ---------------------------------------------------------------------------------------------------------
// Banking days
// ---------------------------------------------------------------------------------------------------------

/** True when `date` is Monday–Friday and neither a Swedish public holiday nor a bank-free eve. */
export function isBankingDay(date: string): boolean {
  return isBankingDayNumber(dayNumberOf(assertDate(date)));
}

/** Walks from `start` in `step` (+1/−1) days until a banking day; `start` itself counts. */
function scanToBankingDay(start: number, step: 1 | -1, context: () => string): number {
  let day = start;
  for (;;) {
    assertDayInRange(day, context);
    if (isBankingDayNumber(day)) return day;
    day += step;
  }
}

/** The first banking day strictly after `date`. */
export function nextBankingDay(date: string): string {
  const start = dayNumberOf(assertDate(date)) + 1;
  return dateOfDayNumber(scanToBankingDay(start, 1, () => `the banking day after ${date}`));
}

/** The last banking day strictly before `date`. */
export function previousBankingDay(date: string): string {
  const start = dayNumberOf(assertDate(date)) - 1;
  return dateOfDayNumber(scanToBankingDay(start, -1, () => `the banking day before ${date}`));
}

/** `date` if it is a banking day, else the next banking day. */
export function bankingDayOnOrAfter(date: string): string {
  const start = dayNumberOf(assertDate(date));
  return dateOfDayNumber(scanToBankingDay(start, 1, () => `the banking day on or after ${date}`));
}

/** `date` if it is a banking day, else the previous banking day. */
export function bankingDayOnOrBefore(date: string): string {
  const start = dayNumberOf(assertDate(date));
  return dateOfDayNumber(scanToBankingDay(start, -1, () => `the banking day on or before ${date}`));
}

/**
 * n > 0: the n-th banking day after `date`; n < 0: the |n|-th banking day before it; n = 0: `date` if it is a
 * banking day, else the next banking day. `date` itself never counts as one of the n steps.
 */
export function addBankingDays(date: string, n: number): string {
  let day = dayNumberOf(assertDate(date));
  assertInteger(n, 'number of banking days');
  const context = () => `${n} banking days from ${date}`;
  if (n === 0) return dateOfDayNumber(scanToBankingDay(day, 1, context));
  const step = n > 0 ? 1 : -1;
  for (let remaining = Math.abs(n); remaining > 0; remaining--) day = scanToBankingDay(day + step, step, context);
  return dateOfDayNumber(day);
}

// ---------------------------------------------------------------------------------------------------------
// Calendar days and periods
// ---------------------------------------------------------------------------------------------------------

/** `date` plus `n` calendar days (n may be negative). */
export function addDays(date: string, n: number): string {
  const start = dayNumberOf(assertDate(date));
  assertInteger(n, 'number of days');
  return dateOfDayNumber(assertDayInRange(start + n, () => `${date} plus ${n} days`));
}

/** The period (`YYYY-MM`) a date lies in. */
export function periodOf(date: string): string {
  assertDate(date);
  return date.slice(0, 7);
}

function periodIndex(period: { year: number; month: number }): number {
  return period.year * 12 + (period.month - 1);
}

/** `period` plus `n` months (n may be negative). */
export function addPeriods(period: string, n: number): string {
  const index = periodIndex(assertPeriod(period)) + assertInteger(n, 'number of periods');
  const year = Math.floor(index / 12);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new CalendarInputError(
      `${period} plus ${n} months falls outside the supported years ${MIN_YEAR}–${MAX_YEAR}`
    );
  }
  return `${year}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Negative when `a` is before `b`, 0 when equal, positive when after (−1, 0 or 1). */
export function comparePeriods(a: string, b: string): number {
  return Math.sign(periodIndex(assertPeriod(a)) - periodIndex(assertPeriod(b)));
}

/** The last calendar date of the period's month (`2024-02` → `2024-02-29`). */
export function lastDayOfMonth(period: string): string {
  const { year, month } = assertPeriod(period);
  return `${period}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

/**
 * The debit date of a plan for `period`.
 *
 * - `dayOfMonth` 1–28: that day of the period's month if it is a banking day, else the NEXT banking day. That
 *   can fall in the following month (2026-02-28 is a Saturday → 2026-03-02); the debit still belongs to the
 *   nominal `period`, which stays the key of the payment.
 * - `'last'`: the last banking day of the month; it never leaves the month.
 */
export function debitDate(period: string, dayOfMonth: number | 'last'): string {
  assertPeriod(period);
  const day = assertDayOfMonth(dayOfMonth);
  if (day === 'last') return bankingDayOnOrBefore(lastDayOfMonth(period));
  return bankingDayOnOrAfter(`${period}-${String(day).padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------------------------------------
// Europe/Stockholm time and the Bankgirot cut-off
// ---------------------------------------------------------------------------------------------------------

/**
 * UTC offset of Europe/Stockholm at an instant, in minutes (60 in winter, 120 in summer), from the runtime's tz
 * database. Since tzdata 2022b that database treats Stockholm before 1970 as Europe/Berlin (e.g. +03:00 in summer
 * 1945), which is not Swedish history; only instants before 1970 are affected.
 */
function stockholmOffsetMinutes(epochMs: number): number {
  const minutes = tzOffset(STOCKHOLM_TIME_ZONE, new Date(epochMs));
  // Invariant: Intl knows Europe/Stockholm; NaN would mean the runtime has no time-zone data.
  if (!Number.isFinite(minutes)) throw new Error(`no time-zone data for ${STOCKHOLM_TIME_ZONE} in this runtime`);
  return minutes;
}

function stockholmDayNumber(epochMs: number): number {
  return Math.floor((epochMs + stockholmOffsetMinutes(epochMs) * MS_PER_MINUTE) / MS_PER_DAY);
}

/** The Europe/Stockholm calendar date of a UTC instant. */
export function stockholmDate(instant: string): string {
  const { epochMs } = assertInstant(instant);
  return dateOfDayNumber(assertDayInRange(stockholmDayNumber(epochMs), () => `the Stockholm date of ${instant}`));
}

interface LocalTime {
  hour: number;
  minute: number;
  second: number;
}

function assertLocalTime(value: unknown): LocalTime {
  const match = typeof value === 'string' ? LOCAL_TIME_PATTERN.exec(value) : null;
  const time = match && { hour: Number(match[1]), minute: Number(match[2]), second: Number(match[3] ?? 0) };
  if (!time || time.hour > 23 || time.minute > 59 || time.second > 59) {
    throw new CalendarInputError(`time must be HH:MM or HH:MM:SS between 00:00 and 23:59:59, got ${show(value)}`);
  }
  return time;
}

/** Epoch milliseconds of a Stockholm wall time, resolving DST gaps and overlaps as {@link stockholmTime} says. */
function stockholmWallTimeMs({ year, month, day }: DateParts, { hour, minute, second }: LocalTime): number {
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Stockholm's offset changes at most once within a day either side of any wall time, so the offsets a day
  // before and a day after are the only candidates.
  const offsetBefore = stockholmOffsetMinutes(wallMs - MS_PER_DAY);
  const offsetAfter = stockholmOffsetMinutes(wallMs + MS_PER_DAY);
  const matching = [offsetBefore, offsetAfter]
    .map((offset) => wallMs - offset * MS_PER_MINUTE)
    .filter((utcMs) => utcMs + stockholmOffsetMinutes(utcMs) * MS_PER_MINUTE === wallMs);
  // Overlap: two matches, the earlier is the first occurrence. Gap: none; reading the wall time with the offset in
  // force before the gap moves it forward by the gap's length.
  return matching.length > 0 ? Math.min(...matching) : wallMs - offsetBefore * MS_PER_MINUTE;
}

/**
 * The UTC instant of wall-clock time `time` (`HH:MM` or `HH:MM:SS`) on `date` in Europe/Stockholm, as
 * `YYYY-MM-DDTHH:MM:SS.sssZ`.
 *
 * DST transitions follow the `compatible` disambiguation of RFC 9557 / TC39 Temporal (and java.time):
 * - a time skipped by the spring-forward gap (02:00–02:59 on the last Sunday of March) is moved forward by
 *   the length of the gap: 02:30 → 03:30 CEST (01:30Z);
 * - a time repeated in the autumn overlap (02:00–02:59 on the last Sunday of October) resolves to its
 *   first occurrence, in CEST: 02:30 → 00:30Z.
 */
export function stockholmTime(date: string, time: string): string {
  const parts = assertDate(date);
  return new Date(stockholmWallTimeMs(parts, assertLocalTime(time))).toISOString();
}

const BANKGIROT_CUTOFF: LocalTime = assertLocalTime(BANKGIROT_CUTOFF_TIME);

function assertBankingDate(date: string, what: string): void {
  if (!isBankingDayNumber(dayNumberOf(assertDate(date)))) {
    throw new CalendarInputError(`${what} ${date} is not a banking day`);
  }
}

/**
 * Bankgirot's cut-off for an autogiro payment debited on `debitDate`: 19:00 Europe/Stockholm on the banking day
 * before it, as a UTC instant (18:00Z in winter, 17:00Z in summer). `debitDate` must be a banking day.
 */
export function submissionDeadline(debitDate: string): string {
  assertBankingDate(debitDate, 'debit date');
  return stockholmTime(previousBankingDay(debitDate), BANKGIROT_CUTOFF_TIME);
}

/**
 * The first banking day D with `instant <= submissionDeadline(D)`: the debit date of an autogiro payment
 * submitted at `instant`. Submitted on a banking day up to 19:00:00.000 local → the next banking day; later,
 * or on a non-banking day → the banking day after the next banking day.
 */
export function earliestDebitDate(instant: string): string {
  const { epochMs, subMillisecond } = assertInstant(instant);
  const localDate = dateOfDayNumber(
    assertDayInRange(stockholmDayNumber(epochMs), () => `the Stockholm date of ${instant}`)
  );
  const cutoffDay = bankingDayOnOrAfter(localDate);
  const cutoffMs = stockholmWallTimeMs(assertDate(cutoffDay), BANKGIROT_CUTOFF);
  const beforeCutoff = epochMs < cutoffMs || (epochMs === cutoffMs && !subMillisecond);
  return nextBankingDay(beforeCutoff ? cutoffDay : nextBankingDay(cutoffDay));
}
