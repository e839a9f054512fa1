/**
 * The sample the bundle probe evaluates, and how it evaluates one case. Pure and deterministic: the test runs it in
 * Node and the probe workflow runs the same code inside the workflow bundle, so the two lists line up by index.
 */
import Holidays from 'date-holidays';
import {
  addDays,
  debitDate,
  earliestDebitDate,
  isBankingDay,
  stockholmTime,
  submissionDeadline,
} from '../../../shared/calendar';

export type ProbeFunction =
  'isBankingDay' | 'debitDate' | 'submissionDeadline' | 'earliestDebitDate' | 'stockholmTime' | 'holidayEngine';

export interface ProbeCase {
  fn: ProbeFunction;
  args: readonly (string | number)[];
}

/** Years before and at the edge of the modern rules: the pre-1953 midsummer, annandag pingst, the last year. */
export const HISTORICAL_YEARS: readonly number[] = [1950, 2004, 2100];
/** Every day of these years goes through isBankingDay. */
export const BANKING_DAY_YEARS: readonly number[] = [2024, 2025, 2026, 2027, 2028, 2029, 2030, ...HISTORICAL_YEARS];
/** Every period × day of month of these years goes through debitDate. */
export const DEBIT_DATE_YEARS: readonly number[] = [2025, 2026, 2027, ...HISTORICAL_YEARS];
/** The DST transitions of these years anchor the time-zone cases. */
export const DST_YEARS: readonly number[] = [2024, 2025, 2026, 2027, 2028, 2029, 2030, ...HISTORICAL_YEARS];

/**
 * Rules added to a raw `new Holidays('SE')` so the holiday engine also exercises what the bundle trims: moment-timezone
 * zones (the start/end of every holiday are Europe/Stockholm instants; a solstice without a zone is in GMT) and
 * the astronomia sub-modules behind equinox, solstice, Julian and Chinese dates.
 */
const EXTRA_HOLIDAY_RULES: readonly string[] = [
  'march equinox in Europe/Stockholm',
  'june solstice in Europe/Stockholm',
  'december solstice',
  'julian 12-25',
  'chinese 01-0-01',
];

const pad = (n: number): string => String(n).padStart(2, '0');

function datesOf(year: number): string[] {
  const dates: string[] = [];
  for (let date = `${year}-01-01`; date.startsWith(String(year)); date = nextDate(date)) dates.push(date);
  return dates;
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The last Sunday of a month: EU summer time starts on the last Sunday of March and ends on that of October. */
function lastSunday(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month, 0));
  return new Date(Date.UTC(year, month - 1, last.getUTCDate() - last.getUTCDay())).toISOString().slice(0, 10);
}

/** The 15 dates centred on each DST transition of the DST years. */
function dstWindows(): { transition: string; dates: string[] }[] {
  return DST_YEARS.flatMap((year) =>
    [3, 10].map((month) => {
      const transition = lastSunday(year, month);
      const dates: string[] = [];
      for (let offset = -7; offset <= 7; offset++) dates.push(addDays(transition, offset));
      return { transition, dates };
    })
  );
}

/** Wall times on a transition day: every quarter hour through the gap/overlap, its edges, noon, the cut-off. */
const TRANSITION_DAY_TIMES: readonly string[] = [
  ...Array.from({ length: 20 }, (_, i) => `${pad(Math.floor(i / 4))}:${pad((i % 4) * 15)}`),
  '01:59:59',
  '02:30:30',
  '02:59:59',
  '12:00',
  '19:00',
  '23:59:59',
];
/** UTC times of day around local midnight, the DST hour and the 19:00 cut-off (17:00Z in summer, 18:00Z in winter). */
const INSTANT_TIMES: readonly string[] = [
  '00:00:00.000',
  '00:30:00.000',
  '01:30:00.000',
  '16:59:59.999',
  '17:00:00.000',
  '17:00:00.001',
  '17:00:00.000000001',
  '17:59:59.999',
  '18:00:00.000',
  '18:00:00.001',
  '22:59:59.999',
  '23:30:00.000',
];

/** The whole sample, in a fixed order. */
export function probeCases(): ProbeCase[] {
  const cases: ProbeCase[] = [];
  const add = (fn: ProbeFunction, ...args: (string | number)[]): void => {
    cases.push({ fn, args });
  };

  for (const year of BANKING_DAY_YEARS) for (const date of datesOf(year)) add('isBankingDay', date);
  for (const bad of ['2024-02-30', '1899-12-31', '2101-01-01', '2024-1-01']) add('isBankingDay', bad);

  for (const year of DEBIT_DATE_YEARS) {
    for (let month = 1; month <= 12; month++) {
      for (let day = 1; day <= 28; day++) add('debitDate', `${year}-${pad(month)}`, day);
      add('debitDate', `${year}-${pad(month)}`, 'last');
    }
  }
  add('debitDate', '2025-13', 1);
  add('debitDate', '2025-01', 29);
  add('debitDate', '2025-01', 0);

  const windows = dstWindows();
  const christmas = datesOf(2025)
    .filter((date) => date >= '2025-12-15')
    .concat(datesOf(2026).slice(0, 14));
  for (const date of [...windows.flatMap((w) => w.dates), ...christmas]) add('submissionDeadline', date);

  for (const date of [...windows.flatMap((w) => w.dates), ...christmas]) {
    for (const time of INSTANT_TIMES) add('earliestDebitDate', `${date}T${time}Z`);
  }
  add('earliestDebitDate', '2100-12-30T12:00:00.000Z');
  add('earliestDebitDate', '2025-06-01T12:00:00+02:00');

  for (const { transition, dates } of windows) {
    for (const time of TRANSITION_DAY_TIMES) add('stockholmTime', transition, time);
    for (const date of dates)
      if (date !== transition) for (const time of ['02:30', '19:00']) add('stockholmTime', date, time);
  }
  add('stockholmTime', '2025-03-30', '24:00');
  add('stockholmTime', '2025-03-30', '2:30');

  for (const year of [...DST_YEARS, 1900]) add('holidayEngine', year);
  return cases;
}

let holidayEngine: Holidays | undefined;

function evaluateCase({ fn, args }: ProbeCase): unknown {
  const [a, b] = args as [string & number, string & number];
  switch (fn) {
    case 'isBankingDay':
      return isBankingDay(a);
    case 'debitDate':
      return debitDate(a, b);
    case 'submissionDeadline':
      return submissionDeadline(a);
    case 'earliestDebitDate':
      return earliestDebitDate(a);
    case 'stockholmTime':
      return stockholmTime(a, b);
    case 'holidayEngine': {
      if (!holidayEngine) {
        holidayEngine = new Holidays('SE', { languages: ['sv'] });
        for (const rule of EXTRA_HOLIDAY_RULES) {
          if (!holidayEngine.setHoliday(rule, { name: { sv: rule }, type: 'observance' })) {
            throw new Error(`date-holidays rejected the probe rule "${rule}"`);
          }
        }
      }
      return holidayEngine.getHolidays(a);
    }
  }
}

/** One case's result as a string: the JSON of its value, or the error it throws. */
export function evaluate(probe: ProbeCase): string {
  try {
    return JSON.stringify(evaluateCase(probe));
  } catch (err) {
    return err instanceof Error ? `throws ${err.name}: ${err.message}` : `throws ${String(err)}`;
  }
}
