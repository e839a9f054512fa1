import { WorkflowNotFoundError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { type rebalanceWorkflow, savingsPlanWorkflow } from '../../workflows';
import { addPeriods, debitDate, stockholmDate, stockholmTime } from '../../shared/calendar';
import { planWorkflowId, rebalanceWorkflowId } from '../../shared/ids';
import { cancelPlanSignal, planStatusQuery, rebalanceNowSignal } from '../../shared/messages';
import { dec } from '../../shared/money';
import type { PlanInput } from '../../shared/plan';
import type { RebalanceRunRecord } from '../../shared/status';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

const FIFTY_FIFTY = [
  { instrument: FUND.fjallsjo, allocation: '50' }, // NAV 412.37, 4 unit decimals
  { instrument: FUND.kustlinje, allocation: '50' }, // NAV 108.42, 6 unit decimals, no minimum
];

describe('rebalancing', () => {
  let s: SavingsEnv;
  let account = 700;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'rebalance' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(async () => {
    await s.api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '412.37' });
    await s.api.control('PATCH', `/instruments/${FUND.kustlinje}`, { closePrice: '108.42' });
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  });

  const start = (plan: PlanInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof savingsPlanWorkflow>> =>
    s.env.client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(plan.planId),
      args: [plan],
    });
  const ordersOf = (planId: string) =>
    [...s.sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith(`${planId}:`));
  const today = async () => stockholmDate(new Date(await s.env.currentTimeMs()).toISOString());

  /** Starts a plan whose first period is months away, so only the rebalance acts. */
  async function idlePlan(
    planId: string,
    positions: { instrument: string; units: string }[],
    rebalance: PlanInput['rebalance'],
    balance = '0.00'
  ) {
    const { accountId } = await createTestAccount(s.api, account++, { allocation: FIFTY_FIFTY, positions, balance });
    const far = await s.upcomingPeriod(6);
    return { accountId, handle: await start(testPlan({ planId, accountId, firstPeriod: far, rebalance })) };
  }

  /**
   * Waits until the plan has started the run of `date` and returns its record (the run workflow's result). Awaiting
   * a result is what lets the time-skipping server skip ahead (to the run's order polls).
   */
  async function awaitRun(planId: string, date: string): Promise<RebalanceRunRecord> {
    const child = s.env.client.workflow.getHandle<typeof rebalanceWorkflow>(rebalanceWorkflowId(planId, date));
    for (let i = 0; i < 200; i++) {
      try {
        await child.describe();
        return await child.result();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`the plan never started the rebalance of ${date}`);
  }

  /** Runs an admin rebalance to completion and returns its record. */
  async function rebalanceNow(
    planId: string,
    handle: WorkflowHandleWithFirstExecutionRunId<typeof savingsPlanWorkflow>
  ): Promise<RebalanceRunRecord> {
    const date = await today();
    await handle.signal(rebalanceNowSignal);
    return awaitRun(planId, date);
  }

  it('NAV moves push drift beyond an absolute band after a cycle: one full rebalance, sells then buys, drift after within band', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: FIFTY_FIFTY,
      positions: [
        { instrument: FUND.fjallsjo, units: '50' },
        { instrument: FUND.kustlinje, units: '190' },
      ], // 20 618.50 / 20 599.80
    });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    await s.api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '520.00' }); // Fjällsjö now ~55.8 %
    const planId = 'drift-abs';
    const status = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId,
          accountId,
          firstPeriod: period,
          lastPeriod: period,
          dayOfMonth: 10,
          rebalance: { enabled: true, band: { absolutePp: '5' }, cashFlow: false },
        })
      );
      await handle.result();
      return handle.query(planStatusQuery);
    });
    expect(status.rebalance.runs).toHaveLength(1);
    const run = status.rebalance.runs[0]!;
    expect(run).toMatchObject({ trigger: 'drift', outcome: 'completed' });
    expect(dec(run.driftBefore!.maxAbsolutePp).greaterThan(5)).toBe(true);
    expect(dec(run.driftAfter!.maxAbsolutePp).lessThan(1)).toBe(true);
    expect(run.orders.map((o) => [o.side, o.instrument, o.status])).toEqual([
      ['sell', FUND.fjallsjo, 'settled'],
      ['buy', FUND.kustlinje, 'settled'],
    ]);
    // Sells settled before any buy was placed; every reference is the documented one.
    const [sell, buy] = ordersOf(planId).filter((o) => o.clientRef!.includes(':rb:'));
    expect(sell!.clientRef).toBe(`${planId}:rb:${run.date}:${FUND.fjallsjo}:sell`);
    expect(buy!.clientRef).toBe(`${planId}:rb:${run.date}:${FUND.kustlinje}:buy`);
    expect(sell!.settlementDate! <= buy!.createdDate).toBe(true);
    // The savings cycle settled before the rebalance placed anything (they never trade at the same time).
    const cycleOrders = ordersOf(planId).filter((o) => !o.clientRef!.includes(':rb:'));
    expect(cycleOrders.every((o) => o.settlementDate! <= sell!.createdDate)).toBe(true);
  }, 120_000);

  it('a relative band triggers where an absolute one of the same size would not', async () => {
    // Targets 80/20: a 20 % relative band is ±4 pp for the 20 % fund. Kustlinje at ~24.6 % breaches it.
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '80' },
        { instrument: FUND.kustlinje, allocation: '20' },
      ],
      positions: [
        { instrument: FUND.fjallsjo, units: '100' },
        { instrument: FUND.kustlinje, units: '125' },
      ], // 41 237 / 13 552.50
    });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const status = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId: 'drift-rel',
          accountId,
          firstPeriod: period,
          lastPeriod: period,
          dayOfMonth: 10,
          rebalance: { enabled: true, band: { relativePct: '20' }, cashFlow: false },
        })
      );
      await handle.result();
      return handle.query(planStatusQuery);
    });
    expect(status.rebalance.runs.map((r) => [r.trigger, r.outcome])).toEqual([['drift', 'completed']]);
    expect(status.rebalance.runs[0]!.orders.map((o) => [o.side, o.instrument])).toEqual([
      ['sell', FUND.kustlinje],
      ['buy', FUND.fjallsjo],
    ]);
  }, 120_000);

  it('calendar quarterly on the 1st: runs on the first banking day of January, after the year-end holidays', async () => {
    const planId = 'quarterly';
    const now = new Date(await s.env.currentTimeMs());
    const year = now.getUTCMonth() === 11 && now.getUTCDate() >= 20 ? now.getUTCFullYear() + 1 : now.getUTCFullYear();
    await s.sleepUntil(`${year}-12-20T08:00:00Z`);
    // 1 January is nyårsdagen and 6 January trettondedag jul: the first banking day is the first weekday of 2–5 Jan.
    const firstBankingDay = [2, 3, 4, 5]
      .map((d) => new Date(Date.UTC(year + 1, 0, d)))
      .find((d) => d.getUTCDay() !== 0 && d.getUTCDay() !== 6)!;
    const expected = firstBankingDay.toISOString().slice(0, 10);
    const { handle } = await idlePlan(
      planId,
      [
        { instrument: FUND.fjallsjo, units: '60' },
        { instrument: FUND.kustlinje, units: '150' },
      ],
      { enabled: true, calendar: { frequency: 'quarterly', day: 1, month: 1 }, cashFlow: false }
    );
    const run = await s.run(async () => {
      expect((await handle.query(planStatusQuery)).rebalance.nextCalendarDate).toBe(expected);
      await s.sleepUntil(stockholmTime(expected, '10:30'));
      const r = await awaitRun(planId, expected);
      await handle.signal(cancelPlanSignal);
      await handle.result();
      return r;
    });
    expect(run).toMatchObject({ date: expected, trigger: 'calendar', outcome: 'completed' });
    expect(run.orders.map((o) => o.side)).toEqual(['sell', 'buy']);
    const refs = ordersOf(planId).map((o) => o.clientRef!);
    expect(refs.every((r) => r.includes(`:rb:${expected}:`))).toBe(true); // nothing ran in December
  }, 120_000);

  it('cooldown suppresses a second drift trigger a month later', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: FIFTY_FIFTY,
      positions: [
        { instrument: FUND.fjallsjo, units: '50' },
        { instrument: FUND.kustlinje, units: '190' },
      ],
    });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    await s.api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '520.00' });
    const planId = 'cooldown';
    const status = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId,
          accountId,
          firstPeriod: first,
          lastPeriod: addPeriods(first, 1),
          dayOfMonth: 10,
          rebalance: { enabled: true, band: { absolutePp: '5' }, cashFlow: false, cooldownDays: 45 },
        })
      );
      // After the first rebalance, the NAV jumps again before the second period's cycle settles.
      await s.sleepUntil(stockholmTime(debitDate(addPeriods(first, 1), 10), '07:00'));
      await s.api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '700.00' });
      await handle.result();
      return handle.query(planStatusQuery);
    });
    expect(status.cycles.map((c) => c.outcome)).toEqual(['invested', 'invested']);
    expect(status.rebalance.runs.map((r) => r.trigger)).toEqual(['drift']); // the second breach fell inside the cooldown
  }, 120_000);

  it('cash-flow cycles reduce drift without ever selling', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: FIFTY_FIFTY,
      positions: [
        { instrument: FUND.fjallsjo, units: '30' },
        { instrument: FUND.kustlinje, units: '60' },
      ], // 12 371.10 / 6 505.20
    });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    const planId = 'cashflow';
    const result = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId,
          accountId,
          amount: '2000.00',
          firstPeriod: first,
          lastPeriod: addPeriods(first, 2),
          dayOfMonth: 10,
          rebalance: { cashFlow: true },
        })
      );
      return handle.result();
    });
    expect(ordersOf(planId).every((o) => o.orderType === 'subscription')).toBe(true);
    // Every deposit went (mostly) to the underweight fund.
    for (const cycle of result.cycles) {
      const toKustlinje = cycle.orders.filter((o) => o.instrument === FUND.kustlinje).map((o) => dec(o.amount));
      expect(toKustlinje.reduce((a, b) => a.plus(b), dec('0')).greaterThan(1000)).toBe(true);
      expect(cycle.explanation).toContain(
        'Cash-flow rebalancing: the deposit goes to the most underweight funds first.'
      );
    }
    const value = (id: string) => {
      const p = s.sandbox.engine.store.accounts.get(accountId)!.positions.find((x) => x.instrument === id)!;
      return dec(p.units).times(s.sandbox.engine.store.instruments.get(id)!.closePrice);
    };
    const share = value(FUND.fjallsjo)
      .div(value(FUND.fjallsjo).plus(value(FUND.kustlinje)))
      .times(100);
    expect(share.lessThan('55')).toBe(true); // from 65.5 % towards 50 % without a single sell
  }, 120_000);

  it('an unsellable overweight fund is skipped with its reason; the run still trades what it can', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.klippan, allocation: '50' }, // not sellable
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
      positions: [
        { instrument: FUND.klippan, units: '10' },
        { instrument: FUND.kustlinje, units: '40' },
      ], // 19 990 / 4 336.80
      balance: '5000.00',
    });
    const planId = 'unsellable';
    const far = await s.upcomingPeriod(6);
    const run = await s.run(async () => {
      const handle = await start(testPlan({ planId, accountId, firstPeriod: far, allocation: { source: 'fondo' } }));
      const r = await rebalanceNow(planId, handle);
      await handle.signal(cancelPlanSignal);
      const final = await handle.result();
      expect(final.state).toBe('cancelled');
      return r;
    });
    expect(run.skipped).toContainEqual({ instrument: FUND.klippan, side: 'sell', reason: 'not-sellable' });
    // The account's 5 000 SEK is not the plan's money (no cycle of the plan left it): a run spends only the plan's
    // free cash and what its own sells raise (issue 11.6), so with the only sell impossible it buys nothing.
    expect(run.orders).toEqual([]);
    expect(ordersOf(planId)).toEqual([]);
    expect(s.sandbox.engine.store.accounts.get(accountId)!.balance).toBe('5000.00');
  }, 120_000);

  it('a sell canceled mid-run: the buys are resized to the cash actually raised', async () => {
    const planId = 'sell-canceled';
    const { accountId, handle } = await idlePlan(
      planId,
      [
        { instrument: FUND.fjallsjo, units: '60' },
        { instrument: FUND.kustlinje, units: '150' },
      ], // 24 742.20 / 16 263.00
      { enabled: false, cashFlow: false } /* admin runs need no automatic triggers */,
      '1000.00'
    );
    const run = await s.run(async () => {
      await s.sleepUntil(stockholmTime(nextWeekdayDate(await today()), '09:00'));
      const date = await today();
      await handle.signal(rebalanceNowSignal);
      // Wait (in business time) until the sell is placed, then the fund company cancels it before the cut-off.
      for (let i = 0; i < 100 && !ordersOf(planId).some((o) => o.orderType === 'redemption'); i++)
        await s.env.sleep('1 minute');
      const sell = ordersOf(planId).find((o) => o.orderType === 'redemption')!;
      await s.api.control('POST', `/orders/${sell.id}/cancel`, { reason: 'fund_suspended' });
      const r = await awaitRun(planId, date);
      await handle.signal(cancelPlanSignal);
      await handle.result();
      return r;
    });
    // The plan wanted to sell ~4 240 SEK and buy as much; the sell raised nothing, and the account's 1 000 SEK is not
    // the plan's money (issue 11.6: a run spends the plan's free cash and its own proceeds), so nothing is bought.
    expect(run.orders.map((o) => [o.side, o.status])).toEqual([['sell', 'canceled']]);
    expect(run.skipped).toContainEqual(
      expect.objectContaining({ instrument: FUND.fjallsjo, side: 'sell', reason: 'canceled (fund_suspended)' })
    );
    expect(s.sandbox.engine.store.accounts.get(accountId)!.balance).toBe('1000.00');
  }, 120_000);

  it('rebalanceNow during a savings cycle waits until the cycle has finished', async () => {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: FIFTY_FIFTY,
      positions: [
        { instrument: FUND.fjallsjo, units: '60' },
        { instrument: FUND.kustlinje, units: '150' },
      ],
    });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const planId = 'now-waits';
    const status = await s.run(async () => {
      const handle = await start(
        testPlan({
          planId,
          accountId,
          firstPeriod: period,
          lastPeriod: period,
          dayOfMonth: 10,
          rebalance: { cashFlow: false },
        })
      );
      await s.sleepUntil(stockholmTime(debitDate(period, 10), '09:00')); // the cycle is investing
      await handle.signal(rebalanceNowSignal);
      const waiting = await handle.query(planStatusQuery);
      expect(waiting.activeCycles).toHaveLength(1);
      expect(waiting.rebalance.pending?.trigger).toBe('admin');
      expect(waiting.rebalance.running).toBeNull();
      await handle.result();
      return handle.query(planStatusQuery);
    });
    const cycle = status.cycles[0]!;
    const run = status.rebalance.runs[0]!;
    expect(run).toMatchObject({ trigger: 'admin', outcome: 'completed' });
    expect(run.timings.startedAt >= cycle.timings.completedAt).toBe(true);
    const rebalanceOrders = ordersOf(planId).filter((o) => o.clientRef!.includes(':rb:'));
    const cycleOrders = ordersOf(planId).filter((o) => !o.clientRef!.includes(':rb:'));
    const firstRebalanceOrder = rebalanceOrders.map((o) => o.createdDate).sort()[0]!;
    expect(cycleOrders.every((o) => o.settlementDate! <= firstRebalanceOrder)).toBe(true);
  }, 120_000);

  it('a worker restart mid-run resumes from what Fondo booked: no duplicate orders', async () => {
    const planId = 'rb-restart';
    const { handle } = await idlePlan(
      planId,
      [
        { instrument: FUND.fjallsjo, units: '60' },
        { instrument: FUND.kustlinje, units: '150' },
      ],
      { enabled: false, cashFlow: false } /* admin runs need no automatic triggers */
    );
    await s.api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/order',
      kind: 'latency',
      latencyMs: 3000,
      count: 1,
    });
    const date = await today();
    const first = await s.newWorker({ maxCachedWorkflows: 0 });
    await first.runUntil(async () => {
      await handle.signal(rebalanceNowSignal);
      const inFlight = async () => ((await s.api.control('GET', '/faults')).body as unknown[]).length === 0;
      for (let i = 0; i < 500 && !(await inFlight()); i++) await new Promise((r) => setTimeout(r, 10));
    });
    await new Promise((r) => setTimeout(r, 3500)); // the sell create commits after the worker is gone
    const run = await s.run(async () => {
      const r = await awaitRun(planId, date);
      await handle.signal(cancelPlanSignal);
      await handle.result();
      return r;
    });
    expect(run.outcome).toBe('completed');
    const refs = ordersOf(planId).map((o) => o.clientRef);
    expect(refs).toEqual([`${planId}:rb:${date}:${FUND.fjallsjo}:sell`, `${planId}:rb:${date}:${FUND.kustlinje}:buy`]);
    expect(run.explanation.join(' ')).toContain('found (placed by an earlier attempt)');
  }, 120_000);
});

/** The next Monday–Friday date after `date` (a day with a fund cut-off still ahead at 09:00). */
function nextWeekdayDate(date: string): string {
  let d = new Date(`${date}T12:00:00Z`);
  do d = new Date(d.getTime() + 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return d.toISOString().slice(0, 10);
}
