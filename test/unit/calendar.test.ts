import {
  addBankingDays,
  addDays,
  addPeriods,
  bankHolidays,
  bankingDayOnOrAfter,
  bankingDayOnOrBefore,
  CalendarInputError,
  comparePeriods,
  DayOfMonthSchema,
  debitDate,
  earliestDebitDate,
  IsoDateSchema,
  isBankingDay,
  lastDayOfMonth,
  nextBankingDay,
  periodOf,
  PeriodSchema,
  previousBankingDay,
  stockholmDate,
  stockholmTime,
  submissionDeadline,
  UtcInstantSchema,
} from '../../shared/calendar';

// Written by hand, NOT generated with date-holidays: every public holiday or bank-free eve of the year that falls
// on Monday–Friday. Easter Sundays as given; Good Friday = Easter − 2, Easter Monday = Easter + 1, Ascension =
// Easter + 39; midsommarafton = the Friday 19–25 June. Fixed dates listed only when they fall on a weekday.
const WEEKDAY_BANK_HOLIDAYS: Record<number, readonly string[]> = {
  // Easter 2024-03-31. 01-06 Sat, midsommardagen 06-22 Sat, alla helgons dag 11-02 Sat.
  2024: ['01-01', '03-29', '04-01', '05-01', '05-09', '06-06', '06-21', '12-24', '12-25', '12-26', '12-31'],
  // Easter 2025-04-20. 06-21 Sat, 11-01 Sat.
  2025: ['01-01', '01-06', '04-18', '04-21', '05-01', '05-29', '06-06', '06-20', '12-24', '12-25', '12-26', '12-31'],
  // Easter 2026-04-05. 06-06 Sat, 06-20 Sat, 10-31 Sat, 12-26 Sat.
  2026: ['01-01', '01-06', '04-03', '04-06', '05-01', '05-14', '06-19', '12-24', '12-25', '12-31'],
  // Easter 2027-03-28. 05-01 Sat, 06-06 Sun, 06-26 Sat, 11-06 Sat, 12-25 Sat, 12-26 Sun.
  2027: ['01-01', '01-06', '03-26', '03-29', '05-06', '06-25', '12-24', '12-31'],
  // Easter 2028-04-16. 01-01 Sat, 06-24 Sat, 11-04 Sat, 12-24 Sun, 12-31 Sun.
  2028: ['01-06', '04-14', '04-17', '05-01', '05-25', '06-06', '06-23', '12-25', '12-26'],
  // Easter 2029-04-01. 01-06 Sat, 06-23 Sat, 11-03 Sat.
  2029: ['01-01', '03-30', '04-02', '05-01', '05-10', '06-06', '06-22', '12-24', '12-25', '12-26', '12-31'],
  // Easter 2030-04-21. 01-06 Sun, 06-22 Sat, 11-02 Sat.
  2030: ['01-01', '04-19', '04-22', '05-01', '05-30', '06-06', '06-21', '12-24', '12-25', '12-26', '12-31'],
};

function utcWeekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function everyDateOf(year: number): string[] {
  const dates: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t <= Date.UTC(year, 11, 31); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

describe('banking days 2024–2030 against a hand-written table', () => {
  it.each(Object.entries(WEEKDAY_BANK_HOLIDAYS))('%s: every table entry is a weekday', (year, days) => {
    const onWeekends = days.filter((day) => [0, 6].includes(utcWeekday(`${year}-${day}`)));
    expect(onWeekends).toEqual([]);
  });

  it.each(Object.entries(WEEKDAY_BANK_HOLIDAYS))(
    '%s: a date is a banking day iff it is a weekday not in the table',
    (year, days) => {
      const holidays = new Set(days.map((day) => `${year}-${day}`));
      const mismatches = everyDateOf(Number(year)).filter((date) => {
        const weekday = utcWeekday(date);
        const expected = weekday !== 0 && weekday !== 6 && !holidays.has(date);
        return isBankingDay(date) !== expected;
      });
      expect(mismatches).toEqual([]);
    }
  );

  it('bankHolidays lists weekend holidays too, with Swedish names', () => {
    expect(bankHolidays(2026)).toContainEqual({ date: '2026-06-06', name: 'nationaldagen' });
    expect(bankHolidays(2026)).toContainEqual({ date: '2026-06-20', name: 'midsommardagen' });
    expect(bankHolidays(2026)).toContainEqual({ date: '2026-10-31', name: 'alla helgons dag' });
    expect(bankHolidays(2026)).toContainEqual({ date: '2026-12-24', name: 'julafton' });
    const dates = bankHolidays(2026).map((h) => h.date);
    expect(dates).toEqual([...dates].sort());
  });
});

describe('historical years and the correction layer', () => {
  it.each([
    // Annandag pingst was a public holiday until 2004 (date-holidays says observance).
    ['2004-05-31', false, 'annandag pingst 2004'],
    ['1952-06-02', false, 'annandag pingst 1952'],
    ['2005-05-16', true, 'Whit Monday 2005, no longer a holiday'],
    // Nationaldagen became a public holiday in 2005.
    ['2005-06-06', false, 'nationaldagen 2005 (Monday)'],
    ['2004-06-07', true, 'Monday after nationaldagen 2004'],
    ['1983-06-06', true, 'nationaldagen 1983 (Monday), a flag day only'],
    // Första maj is a holiday from 1939.
    ['1936-05-01', true, 'första maj 1936 (Friday)'],
    ['1939-05-01', false, 'första maj 1939 (Monday)'],
    // Before 1953: midsummer fixed on 23/24 June, 25 March a holiday.
    ['1952-06-23', false, 'midsommarafton 1952 (Monday, fixed date)'],
    ['1952-06-24', false, 'midsommardagen 1952 (Tuesday, fixed date)'],
    ['1952-06-20', true, 'Friday 20 June 1952, midsummer not yet moved'],
    ['1952-03-25', false, 'Marie bebådelsedag 1952 (Tuesday)'],
    ['1953-03-25', true, '25 March 1953 (Wednesday), no longer a holiday'],
    ['1953-06-19', false, 'midsommarafton 1953 (Friday 19–25 June)'],
    ['1953-06-23', true, '23 June 1953 (Tuesday)'],
    // Easter-based days in other centuries (Easter 1900-04-15, 1940-03-24, 2100-03-28).
    ['1900-04-13', false, 'långfredagen 1900'],
    ['1900-04-16', false, 'annandag påsk 1900'],
    ['1900-05-24', false, 'Kristi himmelsfärdsdag 1900'],
    ['1940-03-25', false, 'annandag påsk 1940 (also 25 March)'],
    ['2100-03-26', false, 'långfredagen 2100'],
    ['2100-03-29', false, 'annandag påsk 2100'],
    ['2100-05-06', false, 'Kristi himmelsfärdsdag 2100'],
  ])('%s banking day: %s (%s)', (date, expected) => {
    expect(isBankingDay(date)).toBe(expected);
  });

  it('lists the pre-1953 holidays and drops the ones the reform introduced', () => {
    const dates1952 = bankHolidays(1952).map((h) => h.date);
    expect(dates1952).toEqual(expect.arrayContaining(['1952-03-25', '1952-06-23', '1952-06-24']));
    expect(dates1952).not.toContain('1952-06-20');
    expect(dates1952).not.toContain('1952-06-21');
    expect(dates1952).not.toContain('1952-11-01');
    expect(bankHolidays(1953).map((h) => h.date)).toContain('1953-10-31');
    expect(bankHolidays(1938).map((h) => h.date)).not.toContain('1938-05-01');
    expect(bankHolidays(1940)).toContainEqual({ date: '1940-03-25', name: 'annandag påsk / Marie bebådelsedag' });
  });

  it('covers the 1900 and 2100 boundaries', () => {
    expect(isBankingDay('1900-01-01')).toBe(false); // Monday, nyårsdagen
    expect(bankingDayOnOrAfter('1900-01-01')).toBe('1900-01-02');
    expect(isBankingDay('2100-12-31')).toBe(false); // Friday, nyårsafton
    expect(bankingDayOnOrBefore('2100-12-31')).toBe('2100-12-30');
    expect(debitDate('2100-12', 'last')).toBe('2100-12-30');
    expect(() => nextBankingDay('2100-12-30')).toThrow(CalendarInputError);
    expect(() => previousBankingDay('1900-01-02')).toThrow(/outside the supported years 1900–2100/);
    expect(() => submissionDeadline('1900-01-02')).toThrow(CalendarInputError);
    expect(() => addBankingDays('2100-12-20', 10)).toThrow(CalendarInputError);
  });
});

describe('banking-day navigation', () => {
  it('steps over weekends and holiday runs', () => {
    expect(nextBankingDay('2026-12-23')).toBe('2026-12-28');
    expect(nextBankingDay('2026-12-30')).toBe('2027-01-04');
    expect(previousBankingDay('2027-01-04')).toBe('2026-12-30');
    expect(previousBankingDay('2026-04-07')).toBe('2026-04-02');
    expect(nextBankingDay('2026-04-02')).toBe('2026-04-07');
    expect(nextBankingDay('2026-11-23')).toBe('2026-11-24');
  });

  it('on-or-after and on-or-before keep a banking day and move off others', () => {
    expect(bankingDayOnOrAfter('2026-11-24')).toBe('2026-11-24');
    expect(bankingDayOnOrBefore('2026-11-24')).toBe('2026-11-24');
    expect(bankingDayOnOrAfter('2026-06-19')).toBe('2026-06-22');
    expect(bankingDayOnOrBefore('2026-06-19')).toBe('2026-06-18');
  });

  it('addBankingDays counts banking days only; n = 0 rolls forward', () => {
    expect(addBankingDays('2026-12-22', 1)).toBe('2026-12-23');
    expect(addBankingDays('2026-12-22', 2)).toBe('2026-12-28');
    expect(addBankingDays('2026-12-22', 5)).toBe('2027-01-04');
    expect(addBankingDays('2027-01-04', -3)).toBe('2026-12-28');
    expect(addBankingDays('2026-12-24', 0)).toBe('2026-12-28');
    expect(addBankingDays('2026-12-23', 0)).toBe('2026-12-23');
    expect(addBankingDays('2026-12-26', -1)).toBe('2026-12-23');
    // Bankgirot's D+3 renewed-coverage window after a Thursday debit before Easter.
    expect(addBankingDays('2026-04-02', 3)).toBe('2026-04-09');
  });
});

describe('calendar days and periods', () => {
  it('addDays crosses months, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-29', 0)).toBe('2026-03-29');
    expect(() => addDays('2100-12-31', 1)).toThrow(CalendarInputError);
  });

  it('periodOf, addPeriods, comparePeriods, lastDayOfMonth', () => {
    expect(periodOf('2026-02-28')).toBe('2026-02');
    expect(addPeriods('2026-11', 2)).toBe('2027-01');
    expect(addPeriods('2026-01', -1)).toBe('2025-12');
    expect(addPeriods('2026-05', -17)).toBe('2024-12');
    expect(addPeriods('2026-05', 0)).toBe('2026-05');
    expect(comparePeriods('2026-09', '2026-10')).toBe(-1);
    expect(comparePeriods('2027-01', '2026-12')).toBe(1);
    expect(comparePeriods('2026-10', '2026-10')).toBe(0);
    expect(lastDayOfMonth('2024-02')).toBe('2024-02-29');
    expect(lastDayOfMonth('2026-02')).toBe('2026-02-28');
    expect(lastDayOfMonth('1900-02')).toBe('1900-02-28'); // 1900 is not a leap year
    expect(lastDayOfMonth('2000-02')).toBe('2000-02-29');
    expect(lastDayOfMonth('2026-04')).toBe('2026-04-30');
    expect(lastDayOfMonth('2026-12')).toBe('2026-12-31');
    expect(() => addPeriods('2100-12', 1)).toThrow(CalendarInputError);
    expect(() => addPeriods('1900-01', -1)).toThrow(CalendarInputError);
  });
});

describe('debitDate', () => {
  const cases: [period: string, day: number | 'last', expected: string, why: string][] = [
    ['2026-11', 24, '2026-11-24', 'a banking day stays'],
    ['2026-11', 28, '2026-11-30', 'Saturday → Monday'],
    ['2026-02', 28, '2026-03-02', '28 February on a Saturday crosses into March'],
    ['2027-02', 28, '2027-03-01', '28 February on a Sunday crosses into March'],
    ['2026-01', 1, '2026-01-02', 'nyårsdagen'],
    ['2026-01', 6, '2026-01-07', 'trettondedag jul'],
    ['2026-04', 3, '2026-04-07', 'långfredagen → over Easter to Tuesday'],
    ['2026-04', 6, '2026-04-07', 'annandag påsk'],
    ['2026-05', 14, '2026-05-15', 'Kristi himmelsfärdsdag'],
    ['2026-06', 19, '2026-06-22', 'midsommarafton'],
    ['2025-12', 24, '2025-12-29', 'julafton to annandag jul and a weekend'],
    ['2026-12', 'last', '2026-12-30', 'nyårsafton on Thursday'],
    ['2027-12', 'last', '2027-12-30', 'nyårsafton on Friday'],
    ['2028-12', 'last', '2028-12-29', 'nyårsafton on Sunday'],
    ['2026-05', 'last', '2026-05-29', 'month ending on a Sunday'],
    ['2026-10', 'last', '2026-10-30', 'month ending on a Saturday'],
    ['2026-02', 'last', '2026-02-27', 'February ending on a Saturday'],
    ['2024-02', 'last', '2024-02-29', 'leap day on a Thursday'],
    ['2026-03', 'last', '2026-03-31', 'month ending on a banking day'],
  ];
  it.each(cases)('%s day %s → %s (%s)', (period, day, expected) => {
    expect(debitDate(period, day)).toBe(expected);
  });
});

describe('Europe/Stockholm time', () => {
  it('stockholmTime converts wall time in winter and summer', () => {
    expect(stockholmTime('2026-12-22', '19:00')).toBe('2026-12-22T18:00:00.000Z');
    expect(stockholmTime('2026-06-18', '19:00')).toBe('2026-06-18T17:00:00.000Z');
    expect(stockholmTime('2026-06-18', '00:00:30')).toBe('2026-06-17T22:00:30.000Z');
  });

  it('spring-forward gap: non-existent times move forward by the gap', () => {
    expect(stockholmTime('2026-03-29', '01:59:59')).toBe('2026-03-29T00:59:59.000Z');
    expect(stockholmTime('2026-03-29', '02:00')).toBe('2026-03-29T01:00:00.000Z');
    expect(stockholmTime('2026-03-29', '02:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(stockholmTime('2026-03-29', '03:00')).toBe('2026-03-29T01:00:00.000Z');
    expect(stockholmTime('2026-03-29', '03:30')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('autumn overlap: repeated times resolve to their first occurrence (CEST)', () => {
    expect(stockholmTime('2026-10-25', '01:59')).toBe('2026-10-24T23:59:00.000Z');
    expect(stockholmTime('2026-10-25', '02:00')).toBe('2026-10-25T00:00:00.000Z');
    expect(stockholmTime('2026-10-25', '02:30')).toBe('2026-10-25T00:30:00.000Z');
    expect(stockholmTime('2026-10-25', '03:00')).toBe('2026-10-25T02:00:00.000Z');
  });

  it('stockholmDate is the local calendar date', () => {
    expect(stockholmDate('2026-06-30T21:59:59.999Z')).toBe('2026-06-30');
    expect(stockholmDate('2026-06-30T22:00:00.000Z')).toBe('2026-07-01');
    expect(stockholmDate('2026-12-31T22:59:59Z')).toBe('2026-12-31');
    expect(stockholmDate('2026-12-31T23:00:00Z')).toBe('2027-01-01');
    expect(() => stockholmDate('2100-12-31T23:30:00Z')).toThrow(/outside the supported years/);
  });
});

describe('submissionDeadline (19:00 Stockholm on the banking day before)', () => {
  it.each([
    ['2026-11-24', '2026-11-23T18:00:00.000Z', 'ordinary Tuesday, CET'],
    ['2026-11-30', '2026-11-27T18:00:00.000Z', 'Monday → the Friday before'],
    ['2026-03-30', '2026-03-27T18:00:00.000Z', 'Monday after spring-forward → Friday in CET'],
    ['2026-03-31', '2026-03-30T17:00:00.000Z', 'first full CEST day'],
    ['2026-10-26', '2026-10-23T17:00:00.000Z', 'Monday after fall-back → Friday in CEST'],
    ['2026-10-27', '2026-10-26T18:00:00.000Z', 'first full CET day'],
    ['2026-04-07', '2026-04-02T17:00:00.000Z', 'first debit after Easter → skärtorsdagen'],
    ['2027-03-30', '2027-03-25T18:00:00.000Z', 'Easter on the DST Sunday: deadline still in CET'],
    ['2026-06-22', '2026-06-18T17:00:00.000Z', 'Monday after midsommar → Thursday'],
    ['2026-12-28', '2026-12-23T18:00:00.000Z', 'after Christmas → 23 December'],
    ['2027-01-04', '2026-12-30T18:00:00.000Z', 'after New Year → 30 December'],
    ['2026-12-30', '2026-12-29T18:00:00.000Z', 'last banking day of 2026'],
  ])('debit %s → %s (%s)', (debit, deadline) => {
    expect(submissionDeadline(debit)).toBe(deadline);
  });

  it('rejects a debit date that is not a banking day', () => {
    expect(() => submissionDeadline('2026-11-28')).toThrow(
      new CalendarInputError('debit date 2026-11-28 is not a banking day')
    );
    expect(() => submissionDeadline('2026-12-24')).toThrow(CalendarInputError);
  });
});

describe('earliestDebitDate', () => {
  it.each([
    ['2026-11-23T09:00:00.000Z', '2026-11-24', 'Monday 10:00 local'],
    ['2026-11-23T17:59:59.999Z', '2026-11-24', 'Monday 18:59:59.999 local'],
    ['2026-11-23T18:00:00.000Z', '2026-11-24', 'Monday 19:00:00.000 exactly: still in time'],
    ['2026-11-23T18:00:00Z', '2026-11-24', 'same, without a fraction'],
    ['2026-11-23T18:00:00.000000001Z', '2026-11-25', 'one nanosecond late'],
    ['2026-11-23T18:00:00.001Z', '2026-11-25', 'one millisecond late'],
    ['2026-11-23T18:00:01.000Z', '2026-11-25', 'Monday 19:00:01 local'],
    ['2026-11-22T23:30:00.000Z', '2026-11-24', 'Sunday in UTC, already Monday 00:30 in Stockholm'],
    ['2026-11-27T10:00:00.000Z', '2026-11-30', 'Friday before the cut-off'],
    ['2026-11-27T18:30:00.000Z', '2026-12-01', 'Friday after the cut-off'],
    ['2026-11-28T12:00:00.000Z', '2026-12-01', 'Saturday'],
    ['2026-11-29T22:59:59.000Z', '2026-12-01', 'Sunday 23:59:59 local'],
    ['2026-06-18T16:59:59.000Z', '2026-06-22', 'Thursday before midsommar, in time (CEST)'],
    ['2026-06-18T17:00:01.000Z', '2026-06-23', 'Thursday before midsommar, late'],
    ['2026-06-19T08:00:00.000Z', '2026-06-23', 'on midsommarafton'],
    ['2026-12-23T17:00:00.000Z', '2026-12-28', '23 December 18:00 local'],
    ['2026-12-23T18:30:00.000Z', '2026-12-29', '23 December 19:30 local'],
    ['2026-12-24T10:00:00.000Z', '2026-12-29', 'julafton'],
    ['2026-12-30T18:00:00.000Z', '2027-01-04', '30 December at the cut-off'],
    ['2026-12-30T18:00:00.001Z', '2027-01-05', '30 December just after the cut-off'],
    ['2026-03-27T17:59:59.000Z', '2026-03-30', 'Friday before spring-forward, 18:59:59 CET'],
    ['2026-03-30T17:00:00.000Z', '2026-03-31', 'Monday 19:00 CEST exactly'],
    ['2026-03-30T17:00:01.000Z', '2026-04-01', 'Monday 19:00:01 CEST'],
    ['2026-03-30T17:30:00.000Z', '2026-04-01', '18:30Z would be before 19:00 CET but it is CEST now'],
    ['2026-04-02T16:59:00.000Z', '2026-04-07', 'skärtorsdagen in time'],
    ['2026-04-02T17:01:00.000Z', '2026-04-08', 'skärtorsdagen late → Tuesday cut-off'],
  ])('%s → %s (%s)', (instant, expected) => {
    expect(earliestDebitDate(instant)).toBe(expected);
  });
});

describe('input validation', () => {
  const badDates = ['2026-02-30', '2026-13-01', '2026-00-10', '26-01-01', '2026-1-01', '2026-01-01T00:00:00Z', ''];
  const outOfRangeDates = ['1899-12-31', '2101-01-01'];

  it.each([...badDates, ...outOfRangeDates])('date functions reject %j naming it', (bad) => {
    const calls: (() => unknown)[] = [
      () => isBankingDay(bad),
      () => nextBankingDay(bad),
      () => previousBankingDay(bad),
      () => addBankingDays(bad, 1),
      () => bankingDayOnOrAfter(bad),
      () => bankingDayOnOrBefore(bad),
      () => submissionDeadline(bad),
      () => stockholmTime(bad, '19:00'),
      () => addDays(bad, 1),
      () => periodOf(bad),
    ];
    for (const call of calls) {
      expect(call).toThrow(CalendarInputError);
      expect(call).toThrow(JSON.stringify(bad));
    }
  });

  it('date messages say what is wrong', () => {
    expect(() => isBankingDay('2026-02-30')).toThrow('date must be a real calendar date, got "2026-02-30"');
    expect(() => isBankingDay('26-01-01')).toThrow('date must be YYYY-MM-DD, got "26-01-01"');
    expect(() => isBankingDay('2101-01-01')).toThrow('year must be within 1900–2100, got "2101-01-01"');
    expect(() => isBankingDay(20260101 as unknown as string)).toThrow('date must be YYYY-MM-DD, got 20260101');
  });

  it.each(['2026-13', '2026-00', '26-01', '2026-1', '2026-01-01', '1899-12', '2101-01', ''])(
    'period functions reject %j naming it',
    (bad) => {
      const calls: (() => unknown)[] = [
        () => debitDate(bad, 1),
        () => debitDate(bad, 'last'),
        () => addPeriods(bad, 1),
        () => comparePeriods(bad, '2026-01'),
        () => comparePeriods('2026-01', bad),
        () => lastDayOfMonth(bad),
      ];
      for (const call of calls) {
        expect(call).toThrow(CalendarInputError);
        expect(call).toThrow(JSON.stringify(bad));
      }
    }
  );

  it.each([0, 29, 31, -1, 1.5, Number.NaN, '1', 'first', 'LAST', null])('debitDate rejects dayOfMonth %p', (bad) => {
    expect(() => debitDate('2026-01', bad as number)).toThrow(CalendarInputError);
    expect(() => debitDate('2026-01', bad as number)).toThrow(/dayOfMonth must be an integer 1–28 or 'last'/);
  });

  it.each([
    '2026-11-23',
    '2026-11-23T18:00:00',
    '2026-11-23T18:00Z',
    '2026-11-23T18:00:00+01:00',
    '2026-11-23 18:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T18:60:00Z',
    '2026-11-23T18:00:60Z',
    '2026-02-30T12:00:00Z',
    '2026-11-23T18:00:00.Z',
    '2026-11-23T18:00:00.0000000001Z',
    '2026-11-23t18:00:00z',
    '1899-12-31T23:00:00Z',
  ])('instant functions reject %j', (bad) => {
    expect(() => earliestDebitDate(bad)).toThrow(CalendarInputError);
    expect(() => stockholmDate(bad)).toThrow(CalendarInputError);
    expect(() => stockholmDate(bad)).toThrow(/instant/);
  });

  it.each(['24:00', '19:60', '19:00:60', '7:00', '19', '19:00:00.000', '', 'noon'])(
    'stockholmTime rejects %j',
    (bad) => {
      expect(() => stockholmTime('2026-11-23', bad)).toThrow(
        new CalendarInputError(`time must be HH:MM or HH:MM:SS between 00:00 and 23:59:59, got ${JSON.stringify(bad)}`)
      );
    }
  );

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, '1'])('counts must be integers: %p', (bad) => {
    expect(() => addBankingDays('2026-11-23', bad as number)).toThrow(CalendarInputError);
    expect(() => addDays('2026-11-23', bad as number)).toThrow(CalendarInputError);
    expect(() => addPeriods('2026-11', bad as number)).toThrow(CalendarInputError);
  });

  it('bankHolidays rejects years outside 1900–2100', () => {
    expect(() => bankHolidays(1899)).toThrow(CalendarInputError);
    expect(() => bankHolidays(2101)).toThrow(CalendarInputError);
    expect(() => bankHolidays(2026.5)).toThrow(CalendarInputError);
  });
});

describe('zod schemas', () => {
  it('IsoDateSchema accepts real dates in range and names the problem otherwise', () => {
    expect(IsoDateSchema.safeParse('2024-02-29').success).toBe(true);
    expect(IsoDateSchema.safeParse('2026-02-29').error?.issues[0]?.message).toBe(
      'date must be a real calendar date, got "2026-02-29"'
    );
    expect(IsoDateSchema.safeParse('2101-01-01').success).toBe(false);
    expect(IsoDateSchema.safeParse(20260101).success).toBe(false);
  });

  it('PeriodSchema', () => {
    expect(PeriodSchema.safeParse('2026-12').success).toBe(true);
    expect(PeriodSchema.safeParse('2026-13').error?.issues[0]?.message).toBe(
      'period month must be 01–12, got "2026-13"'
    );
    expect(PeriodSchema.safeParse('2026-1').success).toBe(false);
  });

  it('DayOfMonthSchema', () => {
    expect(DayOfMonthSchema.safeParse(1).success).toBe(true);
    expect(DayOfMonthSchema.safeParse(28).success).toBe(true);
    expect(DayOfMonthSchema.safeParse('last').success).toBe(true);
    expect(DayOfMonthSchema.safeParse(29).success).toBe(false);
    expect(DayOfMonthSchema.safeParse(0).success).toBe(false);
    expect(DayOfMonthSchema.safeParse(2.5).success).toBe(false);
    expect(DayOfMonthSchema.safeParse('15').success).toBe(false);
  });

  it('UtcInstantSchema', () => {
    expect(UtcInstantSchema.safeParse('2026-12-22T18:00:00.000Z').success).toBe(true);
    expect(UtcInstantSchema.safeParse('2026-12-22T18:00:00Z').success).toBe(true);
    expect(UtcInstantSchema.safeParse('2026-12-22T19:00:00+01:00').success).toBe(false);
  });
});
