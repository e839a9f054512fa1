import { nextSubmission, pendingSkipsFrom } from '../../shared/next-submission';

const due = { period: '2027-01', debitDate: '2027-01-25', deadline: '2027-01-22T18:00:00.000Z' };

describe('the next period submitted, past requested skips', () => {
  it('is the due period itself when it is not skipped, with the due dates (an immediate start keeps its own)', () => {
    expect(
      nextSubmission(
        { ...due, debitDate: '2027-01-04', deadline: '2027-01-01T18:00:00.000Z' },
        { skipPeriods: [], day: 25 }
      )
    ).toEqual({
      period: '2027-01',
      debitDate: '2027-01-04',
      submissionDeadline: '2027-01-01T18:00:00.000Z',
    });
  });

  it('is the first period after the skipped ones, on the schedule’s banking day and Bankgirot deadline', () => {
    expect(nextSubmission(due, { skipPeriods: ['2027-01'], day: 25 })).toEqual({
      period: '2027-02',
      debitDate: '2027-02-25',
      submissionDeadline: '2027-02-24T18:00:00.000Z',
    });
    expect(nextSubmission(due, { skipPeriods: ['2027-02', '2027-01'], day: 25 })?.period).toBe('2027-03');
  });

  it('follows a pending day change from the period it starts with', () => {
    const pendingDayChange = { day: 'last' as const, from: '2027-03' };
    expect(nextSubmission(due, { skipPeriods: ['2027-01', '2027-02'], day: 10, pendingDayChange })).toEqual({
      period: '2027-03',
      debitDate: '2027-03-31',
      submissionDeadline: '2027-03-30T17:00:00.000Z', // CEST from 28 March: 19:00 Stockholm is 17:00 UTC
    });
    expect(nextSubmission(due, { skipPeriods: ['2027-01'], day: 10, pendingDayChange })?.debitDate).toBe('2027-02-10');
  });

  it('is null when nothing is due, or every period up to the last one is skipped', () => {
    expect(nextSubmission(undefined, { skipPeriods: [], day: 25 })).toBeNull();
    expect(nextSubmission(due, { skipPeriods: ['2027-01'], day: 25, lastPeriod: '2027-01' })).toBeNull();
    expect(nextSubmission(due, { skipPeriods: ['2027-01'], day: 25, lastPeriod: '2027-02' })?.period).toBe('2027-02');
  });

  it('pending skips are those from the next period on, oldest first (a stale earlier one is not pending)', () => {
    expect(pendingSkipsFrom('2027-01', ['2027-02', '2026-12', '2027-01'])).toEqual(['2027-01', '2027-02']);
    expect(pendingSkipsFrom('2027-01', [])).toEqual([]);
  });
});
