import { savingsPlanWorkflow } from '../../workflows';
import { planWorkflowId } from '../../shared/ids';
import { submissionDeadline } from '../../shared/calendar';
import { dec, sum } from '../../shared/money';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Two plans run side by side through 2033. Expected debit dates written by hand from the 2033 calendar:
// Easter Monday 18 Apr, midsommarafton Fri 24 Jun, julafton Sat 24 Dec + annandag jul Mon 26 Dec.
const DAY_18 = [
  '2033-01-18',
  '2033-02-18',
  '2033-03-18',
  '2033-04-19', // 18 Apr is Easter Monday
  '2033-05-18',
  '2033-06-20', // Saturday
  '2033-07-18',
  '2033-08-18',
  '2033-09-19', // Sunday
  '2033-10-18',
  '2033-11-18',
  '2033-12-19', // Sunday
];
const DAY_24 = [
  '2033-01-24',
  '2033-02-24',
  '2033-03-24',
  '2033-04-25', // Sunday
  '2033-05-24',
  '2033-06-27', // midsommarafton, then the weekend
  '2033-07-25', // Sunday
  '2033-08-24',
  '2033-09-26', // Saturday
  '2033-10-24',
  '2033-11-24',
  '2033-12-27', // julafton (Sat), juldagen, annandag jul (Mon)
];

describe('a year of monthly savings on the Swedish banking calendar', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'calendar' })), 60_000);
  afterAll(() => s?.teardown());

  it('debits 12 periods on the exact banking days, submitting before each Bankgirot deadline, and invests every deposit', async () => {
    const allocation = [
      { instrument: FUND.fjallsjo, allocation: '50' },
      { instrument: FUND.kustlinje, allocation: '50' },
    ];
    const a = await createTestAccount(s.api, 18, { allocation });
    const b = await createTestAccount(s.api, 24, { allocation });
    await s.sleepUntil('2033-01-03T08:00:00Z');
    const [resultA, resultB] = await s.run(async () => {
      const start = (planId: string, accountId: string, dayOfMonth: number) =>
        s.env.client.workflow.start(savingsPlanWorkflow, {
          taskQueue: s.taskQueue,
          workflowId: planWorkflowId(planId),
          args: [
            testPlan({
              planId,
              accountId,
              dayOfMonth,
              amount: '500.00',
              firstPeriod: '2033-01',
              lastPeriod: '2033-12',
            }),
          ],
        });
      const handleA = await start('year-a', a.accountId, 18);
      const handleB = await start('year-b', b.accountId, 24);
      // Awaiting a result unlocks time skipping, which is global to the server: await one result at a time
      // (both plans progress meanwhile).
      const ra = await handleA.result();
      const rb = await handleB.result();
      return [ra, rb] as const;
    });

    expect(resultA.state).toBe('completed');
    expect(resultA.cycles.map((c) => c.period)).toEqual(DAY_18.map((d) => d.slice(0, 7)));
    expect(resultA.cycles.map((c) => c.debitDate)).toEqual(DAY_18);
    expect(resultB.cycles.map((c) => c.debitDate)).toEqual(DAY_24);
    for (const cycle of [...resultA.cycles, ...resultB.cycles]) {
      expect(cycle.outcome).toBe('invested');
      expect(cycle.paidAmount).toBe('500.00');
      expect(cycle.orders.map((o) => o.status)).toEqual(['settled', 'settled']);
    }

    // Each payment was submitted two hours before 19:00 Stockholm on the banking day before the debit.
    const submitted = (r: typeof resultA, period: string) =>
      r.cycles.find((c) => c.period === period)!.payments[0]!.submittedAt;
    expect(submitted(resultA, '2033-04')).toMatch(/^2033-04-14T15:00/); // Thu before Good Friday, CEST
    expect(submitted(resultB, '2033-06')).toMatch(/^2033-06-23T15:00/); // Thu before midsommarafton
    expect(submitted(resultB, '2033-12')).toMatch(/^2033-12-23T16:00/); // Fri before julafton, CET
    expect(submitted(resultA, '2033-01')).toMatch(/^2033-01-17T16:00/);
    for (const c of [...resultA.cycles, ...resultB.cycles]) {
      const deadline = Date.parse(submissionDeadline(c.debitDate!));
      expect(Date.parse(c.payments[0]!.submittedAt)).toBeLessThan(deadline);
    }

    // Every krona: 12 × 500 in, all of it in settled orders or the plan's free cash (unit-rounding remainders and
    // residual öre), which each next cycle's pool spends again (issue 11.3).
    const freeAtEnd = (r: typeof resultA) =>
      sum(
        r.cycles.map((c) =>
          dec(c.settlementRemainder)
            .plus(c.residual)
            .minus(c.freeCashIn ?? '0')
        )
      );
    for (const r of [resultA, resultB]) {
      const invested = sum(r.cycles.flatMap((c) => c.orders.map((o) => o.settledAmount!)));
      expect(invested.plus(freeAtEnd(r)).toFixed(2)).toBe('6000.00');
      expect(r.cycles.slice(1).every((c) => c.freeCashIn !== undefined)).toBe(true);
      expect(r.carry).toEqual({});
    }
    const ledger = s.sandbox.engine.ledger().accounts.find((x) => x.id === a.accountId)!;
    expect(dec(ledger.cash.balance).toFixed(2)).toBe(freeAtEnd(resultA).toFixed(2));
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  }, 180_000);
});
