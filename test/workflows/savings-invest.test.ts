import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { savingsPlanWorkflow } from '../../workflows';
import { addBankingDays, addDays, addPeriods, debitDate, stockholmTime } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { cycleStatusQuery, planStatusQuery, retryNowSignal } from '../../shared/messages';
import type { PlanInput } from '../../shared/plan';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Blocked states are first-class and bounded: KYC and closed funds hold the money as cash, buy what can be bought
// now, and the rest when the block clears — one order per fund, never lost, never twice.
describe('investing a deposit', () => {
  let s: SavingsEnv;
  let account = 400;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'invest' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  async function start(plan: PlanInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof savingsPlanWorkflow>> {
    return s.env.client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(plan.planId),
      args: [plan],
    });
  }
  const orders = (planId: string) =>
    [...s.sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith(`${planId}:`));

  it('KYC blocked for 10 days: the deposit waits as cash, then one order per fund after clearance', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      kycOrder: false,
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.kustlinje, allocation: '40' },
      ],
    });
    const period = await s.upcomingPeriod();
    const debit = debitDate(period, 10);
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const result = await s.run(async () => {
      const handle = await start(
        testPlan({ planId: 'kyc-wait', accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })
      );
      await s.sleepUntil(stockholmTime(debit, '12:00'));
      const blocked = await handle.query(planStatusQuery);
      expect(blocked.state).toBe('blocked-kyc');
      expect(blocked.blockedReasons).toEqual([`${period}: blocked-kyc`]);
      const cycle = s.env.client.workflow.getHandle(cycleWorkflowId('kyc-wait', period));
      expect((await cycle.query(cycleStatusQuery)).kycBlockedSince).not.toBeNull();
      expect(orders('kyc-wait')).toEqual([]);
      expect(
        (await s.api.get(`/v2/partner/client/c0000000-0000-4000-8000-000000000001/account/${accountId}`)).body.balance
      ).toBe('1000.00');

      await s.sleepUntil(stockholmTime(addDays(debit, 10), '12:00'));
      expect(orders('kyc-wait')).toEqual([]); // still nothing ordered after 10 days of backoff checks
      const clearedAt = s.sandbox.engine.clock.nowIso();
      await s.api.control('PATCH', `/accounts/${accountId}`, { kyc: { order: true } });
      await handle.signal(retryNowSignal); // an operator's nudge; the daily check would find it too
      const r = await handle.result();
      return { ...r, clearedAt };
    });
    const cycle = result.cycles[0]!;
    expect(cycle.outcome).toBe('invested');
    const placed = orders('kyc-wait');
    expect(placed.map((o) => o.clientRef).sort()).toEqual([
      `kyc-wait:${period}:${FUND.fjallsjo}`,
      `kyc-wait:${period}:${FUND.kustlinje}`,
    ]);
    for (const o of placed) expect(o.createdDate >= result.clearedAt).toBe(true);
    expect(cycle.orders.map((o) => [o.amount, o.status])).toEqual([
      ['600.00', 'settled'],
      ['400.00', 'settled'],
    ]);
    expect(cycle.explanation.join(' ')).toContain('KYC does not allow orders');
  }, 120_000);

  it('a fund closed for 3 banking days: the other fund is bought at once, the closed one when it reopens', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
    });
    const period = await s.upcomingPeriod();
    const debit = debitDate(period, 10);
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: false });
    const result = await s.run(async () => {
      const handle = await start(
        testPlan({ planId: 'closed-fund', accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })
      );
      await s.sleepUntil(stockholmTime(debit, '12:00'));
      expect((await handle.query(planStatusQuery)).state).toBe('blocked-instrument');
      expect(orders('closed-fund').map((o) => o.instrument)).toEqual([FUND.kustlinje]);
      await s.sleepUntil(stockholmTime(addBankingDays(debit, 3), '11:00'));
      expect(orders('closed-fund').map((o) => o.instrument)).toEqual([FUND.kustlinje]);
      await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: true });
      return handle.result();
    });
    const cycle = result.cycles[0]!;
    expect(cycle.outcome).toBe('invested');
    const placed = orders('closed-fund');
    expect(placed.map((o) => o.clientRef)).toEqual([
      `closed-fund:${period}:${FUND.kustlinje}`,
      `closed-fund:${period}:${FUND.norrsken}`,
    ]);
    // The held leg was ordered at the first daily re-check after it reopened (10:00 on the 4th banking day).
    expect(placed[1]!.createdDate.slice(0, 16)).toBe(stockholmTime(addBankingDays(debit, 4), '10:00').slice(0, 16));
    expect(cycle.orders.every((o) => o.status === 'settled')).toBe(true);
    expect(cycle.explanation.join(' ')).toMatch(/held \(not-tradable\)/);
  }, 120_000);

  it('a fund still closed at the blocked-leg deadline: its money is carried to the next cycle and invested there', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
    });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: false });
    const result = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId: 'deadline',
          accountId,
          firstPeriod: first,
          lastPeriod: addPeriods(first, 1),
          dayOfMonth: 10,
          policies: { blockedLeg: { deadlineBankingDays: 3 } },
          rebalance: { cashFlow: false }, // plain weights, so the carried money is visible as such
        })
      );
      await s.sleepUntil(stockholmTime(addBankingDays(debitDate(first, 10), 5), '12:00'));
      await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: true });
      return handle.result();
    });
    const [c1, c2] = result.cycles;
    expect(c1!.carryOut).toEqual({ [FUND.norrsken]: '500.00' });
    expect(c1!.carried[0]!.reason).toMatch(/still not-tradable at the deadline/);
    expect(c2!.carryIn).toEqual({ [FUND.norrsken]: '500.00' });
    expect(c2!.orders.map((o) => [o.instrument, o.amount])).toEqual([
      [FUND.norrsken, '1000.00'],
      [FUND.kustlinje, '500.00'],
    ]);
    expect(result.carry).toEqual({});
  }, 120_000);

  it('below-minimum legs are carried until the carried sum reaches the minimum, across continue-as-new', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '70' },
        { instrument: FUND.fjallsjo, allocation: '30' }, // 60 SEK of 200 is below Fjällsjö's 100 SEK minimum
      ],
    });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    const planId = 'carry-min';
    const { result, firstRun } = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId,
          accountId,
          amount: '200.00',
          firstPeriod: first,
          lastPeriod: addPeriods(first, 1),
          dayOfMonth: 10,
          policies: { belowMinimum: 'carry' },
          rebalance: { cashFlow: false },
        })
      );
      return { firstRun: handle.firstExecutionRunId, result: await handle.result() };
    });
    const [c1, c2] = result.cycles;
    expect(c1!.orders.map((o) => [o.instrument, o.amount])).toEqual([[FUND.norrsken, '140.00']]);
    expect(c1!.carryOut).toEqual({ [FUND.fjallsjo]: '60.00' });
    expect(c2!.carryIn).toEqual({ [FUND.fjallsjo]: '60.00' });
    expect(c2!.orders.map((o) => [o.instrument, o.amount])).toEqual([
      [FUND.norrsken, '140.00'],
      [FUND.fjallsjo, '120.00'],
    ]);
    expect(result.carry).toEqual({});
    // The carry crossed a continue-as-new: the first run ended by continuing, with the carry in its input.
    const history = await s.env.client.workflow.getHandle(planWorkflowId(planId), firstRun).fetchHistory();
    const last = history.events?.at(-1);
    expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  }, 120_000);

  it('an order canceled by the fund company is placed again under a new reference', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const period = await s.upcomingPeriod();
    const debit = debitDate(period, 10);
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const result = await s.run(async () => {
      const handle = await start(
        testPlan({ planId: 'recancel', accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })
      );
      await s.sleepUntil(stockholmTime(debit, '09:30'));
      const [order] = orders('recancel');
      expect(order?.status).toBe('received');
      await s.api.control('POST', `/orders/${order!.id}/cancel`, { reason: 'fund_suspended' });
      return handle.result();
    });
    const cycle = result.cycles[0]!;
    expect(cycle.orders.map((o) => [o.clientRef, o.status])).toEqual([
      [`recancel:${period}:${FUND.kustlinje}`, 'canceled'],
      [`recancel:${period}:${FUND.kustlinje}:2`, 'settled'],
    ]);
    expect(cycle.outcome).toBe('invested');
  }, 120_000);
});
