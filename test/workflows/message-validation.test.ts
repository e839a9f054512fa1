import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { type rebalanceWorkflow, savingsPlanWorkflow } from '../../workflows';
import { addPeriods, debitDate, stockholmDate, submissionDeadline } from '../../shared/calendar';
import { cycleWorkflowId, paymentClientRef, planWorkflowId, rebalanceWorkflowId } from '../../shared/ids';
import {
  cancelPlanSignal,
  changeAllocationOverrideUpdate,
  changeAmountUpdate,
  changeDayOfMonthUpdate,
  changeRebalancePolicyUpdate,
  childPhaseSignal,
  cycleStatusQuery,
  orderEventSignal,
  orderTurnSignal,
  pauseSignal,
  paymentEventSignal,
  planStatusQuery,
  rebalanceNowSignal,
  resumeSignal,
  retryNowSignal,
  skipNextPeriodSignal,
} from '../../shared/messages';
import type { PlanInput } from '../../shared/plan';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Issue 12 item 1: every message is validated where it lands. A malformed signal is ignored (and logged without
// its payload); a malformed update is rejected by its validator; nothing a caller sends can stop a plan from
// debiting and investing its next period (the state carried into continue-as-new is checked before the call).
describe('malformed messages never stop a plan', () => {
  let s: SavingsEnv;
  let account = 900;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'messages' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  const payments = (planId: string) =>
    [...s.sandbox.engine.store.payments.values()]
      .filter((p) => p.clientRef.startsWith(`${planId}:`))
      .map((p) => [p.clientRef, p.amount]);

  async function twoPeriodPlan(planId: string) {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    const plan: PlanInput = testPlan({
      planId,
      accountId,
      firstPeriod: first,
      lastPeriod: addPeriods(first, 1),
      dayOfMonth: 10,
    });
    const start = () =>
      s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [plan],
      });
    return { first, second: addPeriods(first, 1), start };
  }

  /** Sends a signal by its wire name with any payload (as a foreign integration could). */
  const rawSignal = (handle: WorkflowHandle, name: string, ...args: unknown[]) => handle.signal(name, ...args);

  it('reproduction: pause({ reason: 12345 }) is ignored; the plan still debits and invests both periods', async () => {
    const { first, second, start } = await twoPeriodPlan('bad-pause');
    const result = await s.run(async () => {
      const handle = await start();
      await rawSignal(handle, pauseSignal.name, { reason: 12345 });
      expect((await handle.query(planStatusQuery)).paused).toBeNull();
      return handle.result();
    });
    expect(result.state).toBe('completed');
    expect(result.cycles.map((c) => [c.period, c.outcome, c.paidAmount])).toEqual([
      [first, 'invested', '1000.00'],
      [second, 'invested', '1000.00'],
    ]);
    expect(payments('bad-pause')).toEqual([
      [`bad-pause:${first}`, '1000.00'],
      [`bad-pause:${second}`, '1000.00'],
    ]);
  }, 120_000);

  const planSignals: [string, unknown[]][] = [
    [pauseSignal.name, [{ reason: 12345 }]],
    [pauseSignal.name, ['on leave']],
    [pauseSignal.name, [{ reason: 'x'.repeat(10_000) }]],
    [pauseSignal.name, [{ reason: 'ok', extra: true }]],
    [cancelPlanSignal.name, [{ reason: { nested: 'object' } }]],
    [cancelPlanSignal.name, [42]],
    [resumeSignal.name, ['now']],
    [skipNextPeriodSignal.name, [{ period: '2020-01' }]],
    [skipNextPeriodSignal.name, [7]],
    [rebalanceNowSignal.name, [{ force: true }]],
    [retryNowSignal.name, [[1, 2]]],
    [childPhaseSignal.name, [{ workflowId: 42, phase: 'investing' }]],
    [childPhaseSignal.name, [{ workflowId: 'savings-cycle:x:2030-01', phase: 'paused' }]],
    [childPhaseSignal.name, [null]],
  ];
  const planUpdates: [string, unknown[]][] = [
    [changeAmountUpdate.name, [{ amount: 1500 }]],
    [changeAmountUpdate.name, [{ amount: '-5' }]],
    [changeAmountUpdate.name, ['1500.00']],
    [changeAmountUpdate.name, [{ amount: '1500.00', currency: 'EUR' }]],
    [changeDayOfMonthUpdate.name, [{ dayOfMonth: 0 }]],
    [changeDayOfMonthUpdate.name, [{ dayOfMonth: '10' }]],
    [changeDayOfMonthUpdate.name, [null]],
    [changeAllocationOverrideUpdate.name, [{ weights: 'SE0007120068SEK=100' }]],
    [changeAllocationOverrideUpdate.name, [{ weights: [] }]],
    [changeAllocationOverrideUpdate.name, [{}]],
    [changeRebalancePolicyUpdate.name, [{ policy: 'on' }]],
    [changeRebalancePolicyUpdate.name, [{ policy: { cooldownDays: -1 } }]],
    [changeRebalancePolicyUpdate.name, [{ policy: { enabled: true } }]],
    [changeRebalancePolicyUpdate.name, [undefined]],
  ];

  it('every plan and cycle message with a malformed payload: signals ignored, updates rejected, both periods debited and invested', async () => {
    const planId = 'bad-messages';
    const { first, second, start } = await twoPeriodPlan(planId);
    const result = await s.run(async () => {
      const handle = await start();
      for (const [name, args] of planSignals) await rawSignal(handle, name, ...args);
      for (const [name, args] of planUpdates) {
        const err = await handle.executeUpdate(name, { args: args as [unknown] }).then(
          () => undefined,
          (e: unknown) => e
        );
        expect([name, err]).toEqual([name, expect.any(WorkflowUpdateFailedError)]);
      }
      const status = await handle.query(planStatusQuery);
      expect([status.state, status.paused, status.cancelled, status.amount, status.dayOfMonth]).toEqual([
        'active',
        null,
        null,
        '1000.00',
        10,
      ]);
      expect(status.rebalance.pending).toBeNull();

      // The first period's cycle, waiting for its payment: malformed events and turns are ignored.
      await s.sleepUntil(submissionDeadline(debitDate(first, 10)));
      const cycle = s.env.client.workflow.getHandle(cycleWorkflowId(planId, first));
      const ref = paymentClientRef(planId, first, 1);
      const cycleSignals: [string, unknown[]][] = [
        [paymentEventSignal.name, [{ clientRef: ref, status: 'completed', amount: 'lots', transactionId: 't1' }]],
        [paymentEventSignal.name, [{ clientRef: ref, status: 'completed', amount: '-1000.00', transactionId: 't1' }]],
        [paymentEventSignal.name, [{ clientRef: ref, status: 'failed', amount: '1000.00', transactionId: 't1' }]],
        [paymentEventSignal.name, [{ clientRef: ref, status: 'completed', amount: '1000.00' }]],
        [paymentEventSignal.name, ['completed']],
        [orderEventSignal.name, [{ clientRef: `${planId}:${first}:${FUND.kustlinje}`, orderId: 7, status: 'settled' }]],
        [
          orderEventSignal.name,
          [
            {
              clientRef: `${planId}:${first}:${FUND.kustlinje}`,
              orderId: 'o1',
              status: 'settled',
              amount: 'NaN',
              units: null,
              price: null,
            },
          ],
        ],
        [orderTurnSignal.name, [{ open: 'yes' }]],
        [orderTurnSignal.name, [false]],
        [retryNowSignal.name, ['please']],
      ];
      for (const [name, args] of cycleSignals) await rawSignal(cycle, name, ...args);
      const cycleStatus = await cycle.query(cycleStatusQuery);
      expect(cycleStatus.phase).toBe('waiting-payment');
      expect(cycleStatus.payments.map((p) => p.status)).toEqual(['submitted']);
      return handle.result();
    });
    expect(result.state).toBe('completed');
    expect(result.cycles.map((c) => [c.period, c.outcome, c.paidAmount])).toEqual([
      [first, 'invested', '1000.00'],
      [second, 'invested', '1000.00'],
    ]);
    expect(result.cycles.every((c) => c.orders.every((o) => o.status === 'settled'))).toBe(true);
    expect(payments(planId)).toEqual([
      [`${planId}:${first}`, '1000.00'],
      [`${planId}:${second}`, '1000.00'],
    ]);
  }, 180_000);

  it('a rebalance run ignores malformed events and retries: it still sells, buys and settles', async () => {
    const planId = 'bad-rb-messages';
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
      positions: [
        { instrument: FUND.fjallsjo, units: '60' },
        { instrument: FUND.kustlinje, units: '150' },
      ],
    });
    const far = await s.upcomingPeriod(6);
    const handle: WorkflowHandleWithFirstExecutionRunId<typeof savingsPlanWorkflow> = await s.env.client.workflow.start(
      savingsPlanWorkflow,
      {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod: far, rebalance: { enabled: false, cashFlow: false } })],
      }
    );
    const date = stockholmDate(new Date(await s.env.currentTimeMs()).toISOString());
    const run = await s.run(async () => {
      await handle.signal(rebalanceNowSignal);
      const child = s.env.client.workflow.getHandle<typeof rebalanceWorkflow>(rebalanceWorkflowId(planId, date));
      for (let i = 0; ; i++) {
        try {
          await child.describe();
          break;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError) || i > 200) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const sellRef = `${planId}:rb:${date}:${FUND.fjallsjo}:sell`;
      await rawSignal(child, orderEventSignal.name, { clientRef: sellRef, orderId: 1, status: 'settled' });
      await rawSignal(child, orderEventSignal.name, {
        clientRef: sellRef,
        orderId: 'o-1',
        status: 'settled',
        amount: '1,000',
        units: null,
        price: null,
      });
      await rawSignal(child, orderEventSignal.name, 'settled');
      await rawSignal(child, retryNowSignal.name, { now: true });
      const record = await child.result();
      await handle.signal(cancelPlanSignal);
      await handle.result();
      return record;
    });
    expect(run.outcome).toBe('completed');
    expect(run.orders.map((o) => [o.side, o.instrument, o.status])).toEqual([
      ['sell', FUND.fjallsjo, 'settled'],
      ['buy', FUND.kustlinje, 'settled'],
    ]);
  }, 120_000);
});
