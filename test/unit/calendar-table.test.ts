import { readFileSync } from 'node:fs';
import {
  GENERATED_FILE,
  libraryBankHolidays,
  renderBankingDaysModule,
  TABLE_FIRST_YEAR as GENERATOR_FIRST_YEAR,
  TABLE_LAST_YEAR as GENERATOR_LAST_YEAR,
} from '../../scripts/generate-banking-days';
import { HOLIDAYS_BY_YEAR, TABLE_FIRST_YEAR, TABLE_LAST_YEAR } from '../../shared/banking-days.generated';
import { bankHolidays, isBankingDay, MAX_YEAR, MIN_YEAR } from '../../shared/calendar';

// The calendar reads holidays from a generated table instead of running date-holidays (which would sit in every
// workflow's copy of the bundle). Here the table is checked against date-holidays plus the corrections, for every
// date the calendar accepts.
describe('the generated banking-day table (shared/banking-days.generated.ts)', () => {
  const years = Array.from({ length: MAX_YEAR - MIN_YEAR + 1 }, (_, i) => MIN_YEAR + i);
  let library: Map<number, { date: string; name: string }[]>;
  beforeAll(() => {
    library = new Map(years.map((year) => [year, libraryBankHolidays(year)]));
  }, 60_000);

  it('covers exactly the calendar years', () => {
    expect([TABLE_FIRST_YEAR, TABLE_LAST_YEAR]).toEqual([MIN_YEAR, MAX_YEAR]);
    expect([GENERATOR_FIRST_YEAR, GENERATOR_LAST_YEAR]).toEqual([MIN_YEAR, MAX_YEAR]);
    expect(HOLIDAYS_BY_YEAR).toHaveLength(MAX_YEAR - MIN_YEAR + 1);
  });

  it('lists, for every year 1900–2100, the holidays date-holidays plus the corrections give, names included', () => {
    let count = 0;
    for (const year of years) {
      expect({ year, holidays: bankHolidays(year) }).toEqual({ year, holidays: library.get(year) });
      count += bankHolidays(year).length;
    }
    // 15–17 a year: the sample is not empty.
    expect(count).toBeGreaterThan(15 * years.length);
  });

  it('answers isBankingDay for every date 1900-01-01 … 2100-12-31 as date-holidays does', () => {
    const holidays = new Set([...library.values()].flat().map((h) => h.date));
    const mismatches: string[] = [];
    let dates = 0;
    let bankingDays = 0;
    for (let ms = Date.UTC(MIN_YEAR, 0, 1); ms <= Date.UTC(MAX_YEAR, 11, 31); ms += 86_400_000) {
      const day = new Date(ms);
      const date = day.toISOString().slice(0, 10);
      const weekday = day.getUTCDay() !== 0 && day.getUTCDay() !== 6;
      const expected = weekday && !holidays.has(date);
      if (isBankingDay(date) !== expected) mismatches.push(date);
      dates++;
      if (expected) bankingDays++;
    }
    expect(mismatches).toEqual([]);
    expect(dates).toBe(73_414);
    expect(bankingDays).toBeGreaterThan(dates * 0.65);
    expect(bankingDays).toBeLessThan(dates * 0.7);
  });

  it('is the table the generator writes today (re-run scripts/generate-banking-days.ts when this fails)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderBankingDaysModule());
  }, 60_000);
});
