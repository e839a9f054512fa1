import fc from 'fast-check';
import { addBankingDays, addPeriods, debitDate, earliestDebitDate, submissionDeadline } from '../../shared/calendar';
import {
  actAt,
  advance,
  allPeriodsDone,
  dayChange,
  dayFor,
  duePeriod,
  firstDuePeriod,
  periodAction,
  type ScheduleFacts,
} from '../../shared/plan-schedule';

const facts = (over: Partial<ScheduleFacts> = {}): ScheduleFacts => ({
  nextPeriod: '2031-03',
  firstPeriod: '2031-03',
  day: 25,
  startImmediately: false,
  anyCycleRecorded: false,
  submissionMarginMinutes: 120,
  cancelled: false,
  nowMs: Date.parse('2031-03-01T08:00:00Z'),
  ...over,
});

describe('plan schedule', () => {
  it('the due period: debit date on the calendar, Bankgirot deadline, wake time margin minutes before it', () => {
    const due = duePeriod(facts())!;
    expect(due.period).toBe('2031-03');
    expect(due.debitDate).toBe(debitDate('2031-03', 25));
    expect(due.deadline).toBe(submissionDeadline(due.debitDate));
    expect(due.wakeAt).toBe(Date.parse(due.deadline) - 120 * 60_000);
    expect(due.immediate).toBe(false);
  });

  it('startImmediately: the very first period is due now, debited the earliest banking day', () => {
    const now = Date.parse('2031-03-10T09:00:00Z');
    const due = duePeriod(facts({ startImmediately: true, nowMs: now }))!;
    expect(due).toMatchObject({
      immediate: true,
      wakeAt: now,
      debitDate: earliestDebitDate(new Date(now).toISOString()),
    });
    expect(duePeriod(facts({ startImmediately: true, anyCycleRecorded: true, nowMs: now }))!.immediate).toBe(false);
  });

  it("a new plan's first due period is the one its first run computes (shown at start, not upserted)", () => {
    const plan = { firstPeriod: '2031-03', dayOfMonth: 25 as const, policies: { submissionMarginMinutes: 120 } };
    const now = Date.parse('2031-03-10T09:00:00Z');
    expect(firstDuePeriod({ ...plan, startImmediately: false }, now)).toEqual(duePeriod(facts({ nowMs: now })));
    expect(firstDuePeriod({ ...plan, startImmediately: true }, now)).toEqual(
      duePeriod(facts({ startImmediately: true, nowMs: now }))
    );
    expect(firstDuePeriod({ ...plan, startImmediately: false, lastPeriod: '2031-02' }, now)).toBeUndefined();
  });

  it('nothing is due when cancelled or after the last period', () => {
    expect(duePeriod(facts({ cancelled: true }))).toBeUndefined();
    expect(duePeriod(facts({ nextPeriod: '2031-05', lastPeriod: '2031-04' }))).toBeUndefined();
    expect(allPeriodsDone('2031-04', '2031-04')).toBe(false);
    expect(allPeriodsDone('2031-04', undefined)).toBe(false);
  });

  it('a pending day change governs its first period and later ones only', () => {
    const pending = { day: 'last' as const, from: '2031-04' };
    expect(dayFor('2031-03', 25, pending)).toBe(25);
    expect(dayFor('2031-04', 25, pending)).toBe('last');
    expect(duePeriod(facts({ nextPeriod: '2031-04', pendingDayChange: pending }))!.debitDate).toBe(
      debitDate('2031-04', 'last')
    );
  });

  it('a paused plan acts on a due period at its deadline, otherwise at its wake time', () => {
    const due = duePeriod(facts())!;
    expect(actAt(due, false)).toBe(due.wakeAt);
    expect(actAt(due, true)).toBe(Date.parse(due.deadline));
  });

  describe('what happens to a due period', () => {
    const due = duePeriod(facts())!;
    const at = (nowMs: number, over: Partial<Parameters<typeof periodAction>[1]> = {}) =>
      periodAction(due, { skipPeriods: [], pausedReason: null, lateSubmissionBankingDays: 3, nowMs, ...over });

    it('on time → submitted with its scheduled debit date', () => {
      expect(at(due.wakeAt)).toEqual({ kind: 'submit', debitDate: due.debitDate, late: false });
    });
    it('skipped by the operator → skipped (before anything else)', () => {
      expect(at(due.wakeAt, { skipPeriods: ['2031-03'], pausedReason: 'x' }).kind).toBe('skipped');
    });
    it('paused at the deadline → skipped-paused, with the reason', () => {
      expect(at(Date.parse(due.deadline), { pausedReason: 'parental leave' })).toEqual({
        kind: 'skipped-paused',
        why: 'plan paused (parental leave) at the submission deadline',
      });
    });
    it('late within lateSubmissionBankingDays → submitted late for the earliest debit date', () => {
      const now = Date.parse(due.deadline) + 3_600_000;
      const action = at(now);
      expect(action).toEqual({ kind: 'submit', debitDate: earliestDebitDate(new Date(now).toISOString()), late: true });
    });
    it('later than that → missed, with an attention item', () => {
      const now = Date.parse(`${addBankingDays(due.debitDate, 6)}T12:00:00Z`);
      const action = at(now);
      expect(action.kind).toBe('missed');
      expect(action.kind === 'missed' && action.attention).toBe(
        'period 2031-03 missed: the plan was not running at its submission deadline'
      );
    });
    it('an immediate period is never late', () => {
      const now = Date.parse('2031-03-28T12:00:00Z');
      const immediate = duePeriod(facts({ startImmediately: true, nowMs: now }))!;
      expect(
        periodAction(immediate, { skipPeriods: [], pausedReason: null, lateSubmissionBankingDays: 0, nowMs: now }).kind
      ).toBe('submit');
    });
  });

  it('advancing folds a day change into the plan once its first period has been handled', () => {
    const pending = { day: 5 as const, from: '2031-04' };
    expect(advance('2031-03', 25, pending)).toEqual({ nextPeriod: '2031-04', day: 25, pendingDayChange: pending });
    expect(advance('2031-04', 25, pending)).toEqual({ nextPeriod: '2031-05', day: 5, pendingDayChange: undefined });
    expect(advance('2031-12', 25, undefined).nextPeriod).toBe('2032-01');
  });

  it('a day change applies to the next period unless its new deadline has passed', () => {
    const now = Date.parse('2031-03-20T12:00:00Z');
    expect(dayChange('2031-03', 25, now)).toEqual({
      change: { day: 25, from: '2031-03' },
      nextDebitDate: debitDate('2031-03', 25),
    });
    expect(dayChange('2031-03', 5, now)).toEqual({
      change: { day: 5, from: '2031-04' },
      nextDebitDate: debitDate('2031-04', 5),
    });
  });

  it('property: the wake time is before the deadline, and the deadline before the debit date', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2027, max: 2090 }),
        fc.integer({ min: 1, max: 12 }),
        fc.oneof(fc.integer({ min: 1, max: 28 }), fc.constant('last' as const)),
        fc.integer({ min: 5, max: 1440 }),
        (year, month, day, margin) => {
          const period = `${year}-${String(month).padStart(2, '0')}`;
          const due = duePeriod(
            facts({ nextPeriod: period, firstPeriod: period, day, submissionMarginMinutes: margin })
          )!;
          expect(due.wakeAt).toBeLessThan(Date.parse(due.deadline));
          expect(Date.parse(due.deadline)).toBeLessThan(Date.parse(`${due.debitDate}T00:00:00Z`) + 86_400_000);
          expect(due.debitDate >= `${period}-01`).toBe(true);
          expect(due.debitDate.slice(0, 7) <= addPeriods(period, 1)).toBe(true);
        }
      )
    );
  });

  it('property: a due period is submitted on time exactly until its deadline', () => {
    const due = duePeriod(facts())!;
    fc.assert(
      fc.property(fc.integer({ min: -5 * 86_400_000, max: 0 }), (offset) => {
        const action = periodAction(due, {
          skipPeriods: [],
          pausedReason: null,
          lateSubmissionBankingDays: 3,
          nowMs: Date.parse(due.deadline) + offset,
        });
        expect(action).toEqual({ kind: 'submit', debitDate: due.debitDate, late: false });
      })
    );
  });
});
