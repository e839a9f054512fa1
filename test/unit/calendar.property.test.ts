import fc from 'fast-check';
import {
  addBankingDays,
  addDays,
  bankingDayOnOrAfter,
  debitDate,
  earliestDebitDate,
  isBankingDay,
  lastDayOfMonth,
  nextBankingDay,
  periodOf,
  previousBankingDay,
  stockholmDate,
  stockholmTime,
  submissionDeadline,
} from '../../shared/calendar';

const MS_PER_DAY = 86_400_000;

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
}

/** Dates between `from` and `to` inclusive, uniformly over days. */
function dateBetween(from: string, to: string): fc.Arbitrary<string> {
  return fc
    .integer({ min: dayNumber(from), max: dayNumber(to) })
    .map((day) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10));
}

/** Dates from `from` up to `to`, both inclusive. */
function datesFromTo(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    dates.push(d);
    if (d === to) break;
  }
  return dates;
}

/** Dates strictly between `a` and `b`. */
function datesStrictlyBetween(a: string, b: string): string[] {
  return datesFromTo(a, b).slice(1, -1);
}

// Away from the 1900/2100 edges, where the neighbouring banking day would leave the supported years.
const anyDate = dateBetween('1900-01-10', '2100-12-20');
// Far enough from the edges for steps of up to 40 banking days.
const middleDate = dateBetween('1900-04-01', '2100-10-01');
const period = fc
  .record({ year: fc.integer({ min: 1900, max: 2100 }), month: fc.integer({ min: 1, max: 12 }) })
  .map(({ year, month }) => `${year}-${String(month).padStart(2, '0')}`);

describe('banking-day properties over 1900–2100', () => {
  it('nextBankingDay is a banking day strictly after, with no banking day in between', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const next = nextBankingDay(date);
        expect(isBankingDay(next)).toBe(true);
        expect(next > date).toBe(true);
        expect(datesStrictlyBetween(date, next).filter(isBankingDay)).toEqual([]);
      }),
      { numRuns: 500 }
    );
  });

  it('previousBankingDay is a banking day strictly before, with no banking day in between', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const previous = previousBankingDay(date);
        expect(isBankingDay(previous)).toBe(true);
        expect(previous < date).toBe(true);
        expect(datesStrictlyBetween(previous, date).filter(isBankingDay)).toEqual([]);
      }),
      { numRuns: 500 }
    );
  });

  it('addBankingDays(d, n) then (…, −n) returns to d for banking days', () => {
    fc.assert(
      fc.property(middleDate, fc.integer({ min: -40, max: 40 }), (date, n) => {
        const start = bankingDayOnOrAfter(date);
        expect(addBankingDays(addBankingDays(start, n), -n)).toBe(start);
      }),
      { numRuns: 300 }
    );
  });

  it('stepping back first and then forward returns to bankingDayOnOrAfter(d) for any day', () => {
    fc.assert(
      fc.property(middleDate, fc.integer({ min: 1, max: 40 }), (date, n) => {
        expect(addBankingDays(addBankingDays(date, -n), n)).toBe(bankingDayOnOrAfter(date));
        expect(addBankingDays(date, 0)).toBe(bankingDayOnOrAfter(date));
      }),
      { numRuns: 300 }
    );
  });

  it('addBankingDays(d, n) for n > 0 is n repeated nextBankingDay steps', () => {
    fc.assert(
      fc.property(middleDate, fc.integer({ min: 1, max: 15 }), (date, n) => {
        let expected = date;
        for (let i = 0; i < n; i++) expected = nextBankingDay(expected);
        expect(addBankingDays(date, n)).toBe(expected);
      })
    );
  });
});

describe('debitDate properties', () => {
  it('a numeric day gives the first banking day on or after the nominal date', () => {
    fc.assert(
      fc.property(period, fc.integer({ min: 1, max: 28 }), (p, day) => {
        const nominal = `${p}-${String(day).padStart(2, '0')}`;
        const debit = debitDate(p, day);
        expect(isBankingDay(debit)).toBe(true);
        expect(debit >= nominal).toBe(true);
        expect(datesFromTo(nominal, debit).slice(0, -1).filter(isBankingDay)).toEqual([]);
      }),
      { numRuns: 500 }
    );
  });

  it("'last' is the last banking day inside the month", () => {
    fc.assert(
      fc.property(period, (p) => {
        const debit = debitDate(p, 'last');
        expect(isBankingDay(debit)).toBe(true);
        expect(periodOf(debit)).toBe(p);
        expect(datesFromTo(debit, lastDayOfMonth(p)).slice(1).filter(isBankingDay)).toEqual([]);
      }),
      { numRuns: 300 }
    );
  });
});

describe('time-zone and cut-off properties', () => {
  const wallTime = fc
    .record({
      h: fc.integer({ min: 0, max: 23 }),
      m: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
    })
    .map(({ h, m, s }) => [h, m, s].map((n) => String(n).padStart(2, '0')).join(':'));

  it('stockholmTime lands on the same Stockholm date', () => {
    fc.assert(
      fc.property(anyDate, wallTime, (date, time) => {
        expect(stockholmDate(stockholmTime(date, time))).toBe(date);
      }),
      { numRuns: 500 }
    );
  });

  it('submissionDeadline is a whole minute on the previous banking day', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const debit = bankingDayOnOrAfter(date);
        const deadline = submissionDeadline(debit);
        expect(stockholmDate(deadline)).toBe(previousBankingDay(debit));
        expect(deadline).toMatch(/T\d{2}:00:00\.000Z$/);
      }),
      { numRuns: 300 }
    );
  });

  it('earliestDebitDate is the first banking day whose deadline the instant meets', () => {
    const instant = fc
      .integer({ min: Date.parse('1900-01-10T00:00:00Z'), max: Date.parse('2100-12-15T00:00:00Z') })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(instant, (at) => {
        const debit = earliestDebitDate(at);
        expect(isBankingDay(debit)).toBe(true);
        expect(Date.parse(at)).toBeLessThanOrEqual(Date.parse(submissionDeadline(debit)));
        // D is the first such day: the cut-off for the banking day before D has already passed.
        expect(Date.parse(at)).toBeGreaterThan(Date.parse(submissionDeadline(previousBankingDay(debit))));
      }),
      { numRuns: 500 }
    );
  });

  it('earliestDebitDate around the cut-off of a random banking day', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -2000, max: 2000 }), (date, deltaMs) => {
        const debit = nextBankingDay(bankingDayOnOrAfter(date));
        const deadlineMs = Date.parse(submissionDeadline(debit));
        const at = new Date(deadlineMs + deltaMs).toISOString();
        expect(earliestDebitDate(at)).toBe(deltaMs <= 0 ? debit : nextBankingDay(debit));
      }),
      { numRuns: 300 }
    );
  });
});
