import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { savingsPlanWorkflow } from '../../workflows';
import { addPeriods, debitDate, stockholmTime, submissionDeadline } from '../../shared/calendar';
import { planWorkflowId } from '../../shared/ids';
import {
  cancelPlanSignal,
  changeAllocationOverrideUpdate,
  changeAmountUpdate,
  changeDayOfMonthUpdate,
  pauseSignal,
  planStatusQuery,
  resumeSignal,
  skipNextPeriodSignal,
} from '../../shared/messages';
import type { PlanInput } from '../../shared/plan';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

describe('admin control of a plan', () => {
  let s: SavingsEnv;
  let account = 500;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'admin' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  const payments = (planId: string) =>
    [...s.sandbox.engine.store.payments.values()]
      .filter((p) => p.clientRef.startsWith(`${planId}:`))
      .map((p) => [p.clientRef, p.amount]);

  async function twoPeriodPlan(planId: string, overrides: Partial<PlanInput> = {}) {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    const plan = testPlan({
      planId,
      accountId,
      firstPeriod: first,
      lastPeriod: addPeriods(first, 1),
      dayOfMonth: 10,
      ...overrides,
    });
    const start = () =>
      s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [plan],
      });
    return { first, second: addPeriods(first, 1), start };
  }

  it('pause before the deadline: no payment for that period; resume: the next period runs', async () => {
    const { first, second, start } = await twoPeriodPlan('pause-resume');
    const result = await s.run(async () => {
      const handle = await start();
      await handle.signal(pauseSignal, { reason: 'customer on parental leave' });
      expect((await handle.query(planStatusQuery)).state).toBe('paused');
      await s.sleepUntil(new Date(Date.parse(submissionDeadline(debitDate(first, 10))) + 3600_000).toISOString());
      await handle.signal(resumeSignal);
      return handle.result();
    });
    expect(result.cycles.map((c) => [c.period, c.outcome])).toEqual([
      [first, 'skipped-paused'],
      [second, 'invested'],
    ]);
    expect(payments('pause-resume')).toEqual([[`pause-resume:${second}`, '1000.00']]);
  }, 90_000);

  it('skipNextPeriod skips exactly the next period not yet submitted', async () => {
    const { first, second, start } = await twoPeriodPlan('skip-one');
    const result = await s.run(async () => {
      const handle = await start();
      await handle.signal(skipNextPeriodSignal);
      await handle.signal(skipNextPeriodSignal); // at-least-once delivery: a repeat changes nothing
      return handle.result();
    });
    expect(result.cycles.map((c) => [c.period, c.outcome])).toEqual([
      [first, 'skipped'],
      [second, 'invested'],
    ]);
    expect(payments('skip-one')).toEqual([[`skip-one:${second}`, '1000.00']]);
  }, 90_000);

  it('cancelPlan during a cycle: the paid cycle finishes investing, no later period is submitted', async () => {
    const { first, start } = await twoPeriodPlan('cancel-mid');
    const result = await s.run(async () => {
      const handle = await start();
      await s.sleepUntil(stockholmTime(debitDate(first, 10), '09:00'));
      await handle.signal(cancelPlanSignal, { reason: 'account closing' });
      return handle.result();
    });
    expect(result.state).toBe('cancelled');
    expect(result.cycles.map((c) => [c.period, c.outcome])).toEqual([[first, 'invested']]);
    expect(payments('cancel-mid')).toEqual([[`cancel-mid:${first}`, '1000.00']]);
  }, 90_000);

  it('changeAmount mid-period applies from the next period not yet submitted', async () => {
    const { first, second, start } = await twoPeriodPlan('change-amount');
    const result = await s.run(async () => {
      const handle = await start();
      await s.sleepUntil(stockholmTime(debitDate(first, 10), '09:00')); // the first payment is already submitted
      const change = await handle.executeUpdate(changeAmountUpdate, { args: [{ amount: '1500.00' }] });
      expect(change).toEqual({ appliesFrom: second });
      expect((await handle.query(planStatusQuery)).amount).toBe('1500.00');
      return handle.result();
    });
    expect(payments('change-amount')).toEqual([
      [`change-amount:${first}`, '1000.00'],
      [`change-amount:${second}`, '1500.00'],
    ]);
    expect(result.cycles.map((c) => c.paidAmount)).toEqual(['1000.00', '1500.00']);
  }, 90_000);

  it('changeDayOfMonth moves the next debit date; bad updates are rejected with a specific message and change nothing', async () => {
    const { first, start } = await twoPeriodPlan('updates');
    await s.run(async () => {
      const handle = await start();
      const rejected = async (p: Promise<unknown>) => {
        const err = await p.then(
          () => undefined,
          (e: unknown) => e
        );
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        return (err as WorkflowUpdateFailedError).cause?.message;
      };
      expect(await rejected(handle.executeUpdate(changeAmountUpdate, { args: [{ amount: '-5' }] }))).toBe(
        'amount: must not be negative, got "-5"'
      );
      expect(await rejected(handle.executeUpdate(changeAmountUpdate, { args: [{ amount: '12.345' }] }))).toBe(
        'amount: must have at most 2 decimals, got "12.345"'
      );
      expect(await rejected(handle.executeUpdate(changeDayOfMonthUpdate, { args: [{ dayOfMonth: 31 }] }))).toMatch(
        /^dayOfMonth: /
      );
      expect(
        await rejected(
          handle.executeUpdate(changeAllocationOverrideUpdate, {
            args: [
              {
                weights: [
                  { instrument: FUND.kustlinje, percent: '60' },
                  { instrument: FUND.norrsken, percent: '39.99' },
                ],
              },
            ],
          })
        )
      ).toBe('weights: percentages sum to 99.99, expected exactly 100');
      expect(
        await rejected(
          handle.executeUpdate(changeAllocationOverrideUpdate, {
            args: [{ weights: [{ instrument: 'XX0000000000SEK', percent: '100' }] }],
          })
        )
      ).toBe("not in the client's instrument universe: XX0000000000SEK");
      const unchanged = await handle.query(planStatusQuery);
      expect([unchanged.amount, unchanged.dayOfMonth, unchanged.allocation]).toEqual([
        '1000.00',
        10,
        { source: 'fondo' },
      ]);

      const moved = await handle.executeUpdate(changeDayOfMonthUpdate, { args: [{ dayOfMonth: 'last' }] });
      expect(moved).toEqual({ appliesFrom: first, nextDebitDate: debitDate(first, 'last') });
      expect((await handle.query(planStatusQuery)).nextDebitDate).toBe(debitDate(first, 'last'));
      await handle.signal(cancelPlanSignal);
      await handle.result();
    });
  }, 90_000);

  it('an invalid plan fails fast with a specific, non-retryable error and starts nothing', async () => {
    const err = await s.run(async () => {
      const handle: WorkflowHandle<typeof savingsPlanWorkflow> = await s.env.client.workflow.start(
        savingsPlanWorkflow,
        {
          taskQueue: s.taskQueue,
          workflowId: planWorkflowId('bad-input'),
          args: [testPlan({ planId: 'bad-input', accountId: 'x', firstPeriod: '2040-13' })],
        }
      );
      return handle.result().then(
        () => undefined,
        (e: unknown) => e
      );
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidPlanInput');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(/^invalid savings plan: firstPeriod: /);
    expect(payments('bad-input')).toEqual([]);
  }, 60_000);
});
