import type { Worker } from '@temporalio/worker';
import { savingsPlanWorkflow } from '../../workflows';
import { periodOf, stockholmDate } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { routeCashTransaction, routeOrder } from '../../workers/event-bridge';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// The event bridge on the real dev server: events missed while its WebSocket is down are replayed with
// modifiedFrom after the reconnect, so a cycle still completes without waiting for its polls.
describe('event bridge (dev server)', () => {
  let s: SavingsEnv;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    s = await createSavingsEnv({ kind: 'dev', bridge: true, name: 'bridge' });
    worker = await s.newWorker();
    running = worker.run();
  }, 60_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await s?.teardown();
  });

  it('routes by clientRef: payments and subscriptions to cycles, rebalance orders to runs, others nowhere', () => {
    const tx = {
      id: 't1',
      transactionType: 'deposit',
      clientRef: 'p-1:2027-01:a2',
      amount: '500.00',
      aborted: false,
    } as never;
    expect(routeCashTransaction(tx)).toMatchObject({ workflowId: 'savings-cycle:p-1:2027-01', kind: 'payment' });
    const order = (clientRef: string, status = 'settled') =>
      ({ id: 'o1', status, clientRef, instrument: 'X', modifiedDate: 'm' }) as never;
    expect(routeOrder(order('p-1:2027-01:SE0007100128SEK:2'))?.workflowId).toBe('savings-cycle:p-1:2027-01');
    expect(routeOrder(order('p-1:rb:2027-01-04:SE0007100128SEK:sell'))?.workflowId).toBe('rebalance:p-1:2027-01-04');
    expect(routeOrder(order('someone-elses-order'))).toBeUndefined();
    expect(routeOrder(order('p-1:2027-01'))).toBeUndefined(); // a payment reference is never an order's
    // Only final states wake a workflow (issue 14): intermediate statuses are not signalled.
    const cycleOrder = 'p-1:2027-01:SE0007100128SEK';
    for (const status of ['received', 'pending', 'sent', 'hold', 'confirmed', 'some-new-status'])
      expect(routeOrder(order(cycleOrder, status))).toBeUndefined();
    for (const status of ['settled', 'canceled', 'rejected'])
      expect(routeOrder(order(cycleOrder, status))?.payload.status).toBe(status);
    expect(routeCashTransaction({ ...(tx as object), transactionType: 'subscription' } as never)).toBeUndefined();
  });

  it('reconnects after the sandbox drops its WebSocket and reconciles the events it missed', async () => {
    const { accountId } = await createTestAccount(s.api, 960, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
    });
    const planId = 'bridge-gap';
    const period = periodOf(stockholmDate(new Date().toISOString()));
    await s.env.client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(planId),
      args: [testPlan({ planId, accountId, firstPeriod: period, startImmediately: true, dayOfMonth: 28 })],
    });
    const payments = () =>
      [...s.sandbox.engine.store.payments.values()].filter((p) => p.clientRef.startsWith(`${planId}:`));
    for (let i = 0; i < 100 && payments().length === 0; i++) await new Promise((r) => setTimeout(r, 100));

    // Drop the connection, then let Bankgirot report while nobody listens: the deposit event is lost on the wire.
    const reconnectsBefore = s.bridge!.stats.reconnects;
    await s.api.control('POST', '/ws/drop');
    while (payments()[0]!.status !== 'completed') await s.api.control('POST', '/clock/next');
    for (let i = 0; i < 100 && s.bridge!.stats.reconnects === reconnectsBefore; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(s.bridge!.stats.reconnects).toBeGreaterThan(reconnectsBefore);
    for (let i = 0; i < 50 && s.bridge!.stats.reconciled === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(s.bridge!.stats.reconciled).toBeGreaterThan(0);

    // The cycle learnt of the deposit from the reconciliation (its own poll would be hours away) and invests.
    const orders = () =>
      [...s.sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith(`${planId}:`));
    for (let i = 0; i < 100 && orders().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(orders()).toHaveLength(2);
    for (let i = 0; i < 10; i++) await s.api.control('POST', '/clock/next');
    const summary = await s.env.client.workflow
      .getHandle<(i: unknown) => Promise<{ outcome: string }>>(cycleWorkflowId(planId, period))
      .result();
    expect(summary.outcome).toBe('invested');
    await s.env.client.workflow.getHandle(planWorkflowId(planId)).terminate('test done');
  }, 120_000);
});
