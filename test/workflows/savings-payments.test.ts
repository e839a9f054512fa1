import { savingsPlanWorkflow } from '../../workflows';
import { addPeriods, debitDate, nextBankingDay, submissionDeadline } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { paymentEventSignal, planStatusQuery } from '../../shared/messages';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Bankgirot result codes: 1 (insufficient funds) → renewed attempts on the next banking days, at most 3; 9 (renewed
// coverage check) → the bank checks the same payment again, which the cycle follows with no new payment; 2 (no mandate) and 4 (mandate pending) → no retry, needs-attention; 3 failed periods in a row
// → the plan pauses itself. Tests run one after another on one time-skipping server, each in its own months.
describe('autogiro payment outcomes', () => {
  let s: SavingsEnv;
  let account = 300;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'payments' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  /** Runs a plan over `months` periods starting next month, with a scheduled payment failure rule. */
  async function runPlan(planId: string, months: number, failure?: { code: string; count: number }) {
    const firstPeriod = await s.upcomingPeriod();
    const lastPeriod = addPeriods(firstPeriod, months - 1);
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    if (failure)
      await s.api.control('POST', '/payment-failures', {
        code: failure.code,
        clientRefPrefix: `${planId}:`,
        count: failure.count,
      });
    await s.sleepUntil(`${firstPeriod}-01T08:00:00Z`);
    return s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod, lastPeriod, dayOfMonth: 10 })],
      });
      const result = await handle.result();
      return { result, status: await handle.query(planStatusQuery) };
    });
  }

  it('code 9 twice: the bank re-checks the same payment on the next two banking days; no second payment, invested', async () => {
    const { result } = await runPlan('renew-9', 1, { code: '9', count: 2 });
    const cycle = result.cycles[0]!;
    const period = cycle.period;
    expect(cycle.outcome).toBe('invested');
    // One payment, followed through the bank's renewed coverage checks, completed on the second renewed check.
    expect(cycle.payments.map((p) => [p.clientRef, p.status, p.reasonCode])).toEqual([
      [`renew-9:${period}`, 'completed', null],
    ]);
    const d1 = debitDate(period, 10);
    expect(cycle.debitDate).toBe(nextBankingDay(nextBankingDay(d1)));
    expect(cycle.paidAmount).toBe('1000.00');
    expect(cycle.explanation.filter((e) => e.includes('checks coverage again'))).toHaveLength(2);
    const refs = [...s.sandbox.engine.store.payments.values()].filter((p) => p.clientRef.startsWith('renew-9:'));
    expect(refs.map((p) => p.clientRef)).toEqual([`renew-9:${period}`]);
  }, 60_000);

  it('a forged payment event is only a hint: the cycle books what the custodian says (issue 11, repro 7)', async () => {
    const planId = 'forged-event';
    const firstPeriod = await s.upcomingPeriod();
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    // The real payment fails with code 2 (no mandate); a forged event claims 999 999,00 kr arrived.
    await s.api.control('POST', '/payment-failures', { code: '2', clientRefPrefix: `${planId}:`, count: 1 });
    await s.sleepUntil(`${firstPeriod}-01T08:00:00Z`);
    const result = await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod, lastPeriod: firstPeriod, dayOfMonth: 10 })],
      });
      await s.sleepUntil(submissionDeadline(debitDate(firstPeriod, 10))); // the payment is submitted, not yet due
      await s.env.client.workflow.getHandle(cycleWorkflowId(planId, firstPeriod)).signal(paymentEventSignal, {
        clientRef: `${planId}:${firstPeriod}`,
        status: 'completed',
        amount: '999999.00',
        transactionId: 'forged',
      });
      return handle.result();
    });
    const cycle = result.cycles[0]!;
    expect(cycle.paidAmount).toBe('0.00');
    expect(cycle.orders).toEqual([]);
    expect(cycle.payments.map((p) => [p.status, p.reasonCode])).toEqual([['failed', '2']]);
    expect(cycle.outcome).not.toBe('invested');
  }, 60_000);

  it.each(['1'])(
    'code %s twice: renewed attempts on the next two banking days, then invested',
    async (code) => {
      const { result } = await runPlan(`renew-${code}`, 1, { code, count: 2 });
      const cycle = result.cycles[0]!;
      const period = cycle.period;
      expect(cycle.outcome).toBe('invested');
      expect(cycle.payments.map((p) => [p.clientRef, p.status, p.reasonCode])).toEqual([
        [`renew-${code}:${period}`, 'failed', code],
        [`renew-${code}:${period}:a2`, 'failed', code],
        [`renew-${code}:${period}:a3`, 'completed', null],
      ]);
      // Each renewed attempt is debited on the banking day after the previous one.
      const [d1, d2, d3] = cycle.payments.map((p) => p.debitDate!);
      expect(d1).toBe(debitDate(period, 10));
      expect(d2).toBe(nextBankingDay(d1!));
      expect(d3).toBe(nextBankingDay(d2!));
      expect(cycle.paidAmount).toBe('1000.00');
      expect(cycle.debitDate).toBe(d3);
    },
    60_000
  );

  it('code 1 on every attempt: four attempts (1 + 3 renewed), then the period fails and nothing is ordered', async () => {
    const { result, status } = await runPlan('exhaust', 1, { code: '1', count: 4 });
    const cycle = result.cycles[0]!;
    expect(cycle.outcome).toBe('payment-failed');
    expect(cycle.payments).toHaveLength(4);
    expect(cycle.orders).toEqual([]);
    expect(cycle.paidAmount).toBe('0.00');
    expect(status.consecutiveFailedPeriods).toBe(1);
  }, 60_000);

  it.each([
    ['2', 'no autogiro mandate'],
    ['4', 'mandate pending'],
  ])(
    'code %s: no renewed attempt, the plan needs attention',
    async (code, words) => {
      const { result, status } = await runPlan(`noretry-${code}`, 1, { code, count: 1 });
      const cycle = result.cycles[0]!;
      expect(cycle.outcome).toBe('payment-failed');
      expect(cycle.payments.map((p) => p.reasonCode)).toEqual([code]);
      expect(cycle.attention).toContain(words);
      expect(status.state).toBe('needs-attention');
      expect(status.attention.map((a) => a.reason).join(' ')).toContain(`code ${code}`);
    },
    60_000
  );

  it('three failed periods in a row pause the plan; the fourth period is skipped, nothing debited', async () => {
    const { result, status } = await runPlan('three-strikes', 4, { code: '2', count: 3 });
    expect(result.cycles.map((c) => c.outcome)).toEqual([
      'payment-failed',
      'payment-failed',
      'payment-failed',
      'skipped-paused',
    ]);
    expect(status.paused?.reason).toBe('3 failed periods in a row');
    expect(status.consecutiveFailedPeriods).toBe(3);
    const payments = [...s.sandbox.engine.store.payments.values()].filter((p) =>
      p.clientRef.startsWith('three-strikes:')
    );
    expect(payments.map((p) => p.clientRef)).toEqual(result.cycles.slice(0, 3).map((c) => `three-strikes:${c.period}`));
  }, 90_000);
});
