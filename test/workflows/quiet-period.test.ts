import type { WorkflowHandle } from '@temporalio/client';
import { savingsCycleWorkflow } from '../../workflows';
import {
  addBankingDays,
  addDays,
  addPeriods,
  debitDate,
  earliestDebitDate,
  stockholmTime,
} from '../../shared/calendar';
import { FINAL_ORDER_STATES } from '../../shared/custodian';
import { orderStateOfFondo } from '../../shared/fondo-custodian';
import { usualFinalAt } from '../../shared/order-timeline';
import { cycleWorkflowId } from '../../shared/ids';
import { cycleStatusQuery, orderEventsSignal, paymentEventSignal } from '../../shared/messages';
import { SavingsPoliciesSchema } from '../../shared/plan';
import { routeCashTransaction, routeOrder } from '../../workers/event-bridge';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';

const MIN = 60_000;
const HOUR = 60 * MIN;

type Cycle = WorkflowHandle<typeof savingsCycleWorkflow>;

// Issue 16 item 3: the in-workflow safety net for lost events. Time-skipping; the event bridge is replaced by the
// test itself, which either delivers exactly what the bridge would signal (routeOrder / routeCashTransaction over
// Fondo's records after each step of the sandbox's business clock) or nothing at all.
describe('quiet-period safety net', () => {
  let s: SavingsEnv;
  let account = 1600;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'quiet-period' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => {
    s.followTemporalClock(); // tests that drive Fondo by hand stop following
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  });

  /**
   * The first upcoming period shaped like the one the baseline was measured on (2026-12): the 1st a Tuesday, so the
   * payment is debited on Wednesday and the orders traded that day settle on Friday, with no weekend or bank
   * holiday in between. The timer and read counts depend on that shape (a weekend adds 12-hour reads).
   */
  async function periodLikeBaseline(): Promise<string> {
    const first = await s.upcomingPeriod();
    for (let ahead = 0; ahead < 60; ahead++) {
      const period = addPeriods(first, ahead);
      const day1 = `${period}-01`;
      const debit = earliestDebitDate(stockholmTime(day1, '09:00'));
      const settle = addBankingDays(debit, 2);
      if (new Date(`${day1}T12:00:00Z`).getUTCDay() === 2 && debit === addDays(day1, 1) && settle === addDays(debit, 2))
        return period;
    }
    throw new Error('no period shaped like the baseline in five years');
  }

  /** Starts one period's cycle at 09:00 Stockholm on the 1st of an upcoming month (3 funds, 1 500 SEK). */
  async function startCycle(planId: string, chosen?: string): Promise<{ handle: Cycle; period: string }> {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '40' },
        { instrument: FUND.norrsken, allocation: '35' },
        { instrument: FUND.kustlinje, allocation: '25' },
      ],
    });
    const period = chosen ?? (await s.upcomingPeriod());
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const handle = await s.env.client.workflow.start(savingsCycleWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: cycleWorkflowId(planId, period),
      args: [
        {
          planId,
          clientId: CLIENT_1,
          accountId,
          period,
          amount: '1500.00',
          scheduledDebitDate: debitDate(period, 10),
          allocation: { source: 'fondo' },
          policies: SavingsPoliciesSchema.parse({}),
          carry: {},
          cashFlow: false,
          orderTurnOpen: true,
        },
      ],
    });
    return { handle, period };
  }

  /** Real-time wait (Temporal's clock does not skip meanwhile) until the cycle's status satisfies `ok`. */
  async function until(handle: Cycle, ok: (st: Awaited<ReturnType<typeof status>>) => boolean, what: string) {
    for (let i = 0; i < 300; i++) {
      const st = await status(handle);
      if (ok(st)) return st;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const status = (handle: Cycle) => handle.query(cycleStatusQuery);

  /** What the history holds: timers started, and Fondo reads of order states / payment outcomes. */
  async function costs(handle: Cycle) {
    const { events } = await handle.fetchHistory();
    const activities = (name: string) =>
      events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
    return {
      timers: events!.filter((e) => e.timerStartedEventAttributes).length,
      orderReads: activities('getOrderStates'),
      // A payment read is either activity: the one that also takes the split's snapshot when it is paid (issue 14).
      paymentReads: activities('getPaymentOutcome') + activities('paymentOutcomeThenSnapshot'),
      snapshots: activities('investmentSnapshot'),
      placements: activities('placeSubscriptions'),
      singlePlacements: activities('placeSubscription'),
    };
  }

  it(
    'happy path: events delivered as the bridge signals them; no read while the orders wait for their usual settlement',
    () =>
      s.run(async () => {
        const { handle } = await startCycle('quiet-happy', await periodLikeBaseline());
        const signalled = new Set<string>();
        const since = new Date((await s.env.currentTimeMs()) - HOUR).toISOString();
        /** Signals what the bridge would for this cycle's records, each once (its de-duplication key). */
        const deliver = async () => {
          await s.sandbox.engine.clock.sync();
          const routes = [];
          for await (const tx of s.fondo.iterateCashTransactions(CLIENT_1, { modifiedFrom: since, reftype: 'payment' }))
            routes.push(routeCashTransaction(tx));
          for await (const o of s.fondo.iterateOrders(CLIENT_1, { modifiedFrom: since })) routes.push(routeOrder(o));
          // The bridge batches a workflow's order events that arrive together into one orderEvents signal.
          const orderBatch = [];
          for (const r of routes) {
            if (!r || r.workflowId !== handle.workflowId || signalled.has(r.dedupeKey)) continue;
            signalled.add(r.dedupeKey);
            if (r.kind === 'payment') await handle.signal(paymentEventSignal, r.payload);
            else orderBatch.push(r.payload);
          }
          if (orderBatch.length) await handle.signal(orderEventsSignal, { events: orderBatch });
        };
        const orders = () =>
          [...s.sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith('quiet-happy:'));
        const settledAll = () =>
          orders().length === 3 &&
          orders().every((o) => (FINAL_ORDER_STATES as readonly string[]).includes(orderStateOfFondo(o.status)));

        await until(handle, (x) => (x.payments[0]?.instructionId ?? null) !== null, 'the payment submitted');
        // Step the business clock from one scheduled Fondo step to the next, delivering events a minute after each.
        while (!settledAll()) {
          const next = s.sandbox.engine.clock.nextDueAt();
          if (next === undefined) throw new Error('the sandbox has nothing scheduled but the orders are not final');
          await s.sleepUntil(new Date(next + MIN).toISOString());
          await deliver();
          const paid = [...signalled].some((k) => k.startsWith('cash|'));
          if (!paid || orders().length === 3) continue;
          // After the payment event: the cycle reads the payment and places its orders before the clock moves on.
          await until(handle, (x) => x.orders.length === 3, 'three orders placed');
          await deliver(); // the orders' create events
        }
        const summary = await handle.result();
        expect(summary.outcome).toBe('invested');
        expect(summary.orders.map((o) => o.status)).toEqual(['settled', 'settled', 'settled']);
        const c = await costs(handle);
        // Before the safety net (commit 9a687b8: a `condition(fn, 12 h)` per wake, every order status signalled), the
        // same run cost 13 signals, 9 timers started, 12 order reads and 1 payment read. With the net counting from
        // the orders' placement (issue 16), 8 timers and 8 order reads: it read 7 times while the orders waited two
        // banking days for settlement, as they normally do. Counting from the usual settlement (issue 14): the
        // payment's 08:00 timer and one net timer, cancelled by the settled orders' events; one read, the events'.
        expect(signalled.size).toBe(4); // the deposit and the three settled orders; no intermediate status
        expect(c.timers).toBe(2);
        expect(c.orderReads).toBe(1);
        expect(c.paymentReads).toBe(1);
        expect(c.snapshots).toBe(0); // taken with the payment read
        // The three buys in one activity (issue 14: it was one activity per fund).
        expect([c.placements, c.singlePlacements]).toEqual([1, 0]);
      }),
    180_000
  );

  /**
   * No events at all (the bridge is down): the cycle reads the payment at its debit date's 08:00 and places the
   * orders; then Fondo stops following Temporal's clock and the test settles the orders at `settleAt(placedAt)`
   * (Temporal's clock). Returns the placement and settlement instants (Temporal's clock) and the cycle's summary.
   */
  async function settleWithoutEvents(
    planId: string,
    settleAt: (placedAt: number) => number,
    afterSettled?: (h: Cycle) => Promise<void>
  ) {
    const { handle } = await startCycle(planId);
    const submitted = await until(handle, (x) => (x.payments[0]?.debitDate ?? null) !== null, 'the payment submitted');
    await s.sleepUntil(stockholmTime(submitted.payments[0]!.debitDate!, '08:00')); // the payment's first read
    await until(handle, (x) => x.orders.length === 3, 'three orders placed');
    const placedAt = await s.env.currentTimeMs();
    const clock = s.sandbox.engine.clock;
    clock.setMode('manual'); // Fondo moves only when the test says so
    await s.sleepUntil(new Date(settleAt(placedAt)).toISOString());
    const orders = () =>
      [...s.sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith(`${planId}:`));
    // Fondo's steps, one after the other: cut-off (sent), next banking day (confirmed), T+2 (settled); no event.
    for (let i = 0; i < 20 && !orders().every((o) => o.status === 'settled'); i++) clock.set(clock.nextDueAt()!);
    expect(orders().map((o) => o.status)).toEqual(['settled', 'settled', 'settled']);
    const settledAt = await s.env.currentTimeMs();
    await afterSettled?.(handle);
    const summary = await handle.result();
    return { handle, placedAt, settledAt, summary, completedAt: Date.parse(summary.timings.completedAt) };
  }

  it(
    'no events: Fondo settles at the usual time (T+2 09:00) → the cycle completes at the quiet-period read 15 min later, not the 12-hour poll',
    () =>
      s.run(async () => {
        let usual = 0;
        const r = await settleWithoutEvents('quiet-lost', (placedAt) => (usual = usualFinalAt(placedAt)));
        expect(r.summary.outcome).toBe('invested');
        expect(r.summary.orders.map((o) => o.status)).toEqual(['settled', 'settled', 'settled']);
        // One read, 15 minutes after the orders should have settled (the activity itself takes real seconds); none
        // while they waited for their usual settlement.
        expect(r.completedAt - usual).toBeGreaterThanOrEqual(15 * MIN - 30_000);
        expect(r.completedAt - usual).toBeLessThan(16 * MIN);
        expect(r.completedAt - r.settledAt).toBeLessThan(16 * MIN);
        const c = await costs(r.handle);
        // One safety-net read found all three settled with their cash: no second read for the settled amounts.
        expect(c.orderReads).toBe(1);
        expect(r.summary.orders.every((o) => o.settledAmount !== null)).toBe(true);
      }),
    120_000
  );

  it(
    "one orderEvents batch (as the bridge sends a cycle's orders final together) with a malformed event: the valid ones are read at once, in one read",
    () =>
      s.run(async () => {
        const planId = 'quiet-batch';
        const r = await settleWithoutEvents(
          planId,
          (placedAt) => placedAt + 5 * MIN,
          async (handle) => {
            const events = [];
            for await (const o of s.fondo.iterateOrders(CLIENT_1, { modifiedFrom: new Date(0).toISOString() })) {
              const route = o.clientRef?.startsWith(`${planId}:`) ? routeOrder(o) : undefined;
              if (route?.kind === 'order') events.push(route.payload);
            }
            expect(events).toHaveLength(3);
            const malformed = { clientRef: `${planId}:x`, orderId: 7, status: 'settled' };
            await handle.signal(orderEventsSignal.name, { events: [malformed, ...events] });
          }
        );
        expect(r.summary.outcome).toBe('invested');
        expect(r.summary.orders.map((o) => o.status)).toEqual(['settled', 'settled', 'settled']);
        // Woken by the batch right after settlement, not by the safety net's read 15 minutes after placement.
        expect(r.completedAt - r.settledAt).toBeLessThan(2 * MIN);
        expect(r.completedAt - r.placedAt).toBeLessThan(15 * MIN - 30_000);
        expect((await costs(r.handle)).orderReads).toBe(1); // three orders, one read
        expect(r.summary.orders.every((o) => o.settledAmount !== null)).toBe(true);
      }),
    120_000
  );

  it(
    'no events: Fondo settles 2 hours later than usual → reads at 15 min, 1 h 15 and 5 h 15 after the usual settlement (backing off), completes at the third',
    () =>
      s.run(async () => {
        let usual = 0;
        const r = await settleWithoutEvents('quiet-backoff', (placedAt) => (usual = usualFinalAt(placedAt)) + 2 * HOUR);
        expect(r.summary.outcome).toBe('invested');
        expect(r.completedAt - usual).toBeGreaterThanOrEqual(5 * HOUR + 15 * MIN - 30_000);
        expect(r.completedAt - usual).toBeLessThan(5 * HOUR + 16 * MIN);
        expect((await costs(r.handle)).orderReads).toBe(3);
      }),
    120_000
  );

  it(
    'no event for a payment Fondo reports late: read at 08:00, 08:15, then 08:45 — not 14:00',
    () =>
      s.run(async () => {
        const { handle } = await startCycle('quiet-late-payment');
        const submitted = await until(
          handle,
          (x) => (x.payments[0]?.debitDate ?? null) !== null,
          'the payment submitted'
        );
        const debit = submitted.payments[0]!.debitDate!;
        const clock = s.sandbox.engine.clock;
        clock.setMode('manual'); // Bankgirot's 06:00 report has not reached Fondo yet
        await s.sleepUntil(stockholmTime(debit, '08:30'));
        expect((await status(handle)).payments[0]!.status).toBe('submitted'); // read at 08:00 and 08:15: pending
        clock.set(Date.parse(stockholmTime(debit, '06:00')) + MIN); // the report arrives (at Temporal's 08:30)
        await s.sleepUntil(stockholmTime(debit, '08:50'));
        const paid = await until(handle, (x) => x.payments[0]!.status === 'completed', 'the payment completed');
        const resolvedAt = Date.parse(paid.payments[0]!.resolvedAt!);
        expect(resolvedAt).toBeGreaterThanOrEqual(Date.parse(stockholmTime(debit, '08:45')));
        expect(resolvedAt).toBeLessThan(Date.parse(stockholmTime(debit, '08:46')));
        expect((await costs(handle)).paymentReads).toBe(3);
        await handle.terminate('test done: the payment was the point');
      }),
    120_000
  );
});
