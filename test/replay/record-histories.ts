/**
 * Records workflow histories for the replay test (test/replay/replay.test.ts): real runs on the time-skipping server
 * against the sandbox, covering the paths most likely to be broken by a non-deterministic change.
 *
 * Recorded histories are the contract with running plans: a new set is recorded BESIDE the old ones (never over them),
 * in `histories/<set>/`, after changes guarded with patched() — so the replay test proves both that old executions
 * still replay and that new ones do:
 *   REPLAY_SET=2026-11-30 npx tsx test/replay/record-histories.ts
 * The first set (2026-11-21) lies directly in `histories/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { savingsCycleWorkflow, savingsPlanWorkflow } from '../../workflows';
import { addBankingDays, addPeriods, debitDate, stockholmTime } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId, rebalanceWorkflowId } from '../../shared/ids';
import { rebalanceNowSignal, cancelPlanSignal, cycleStatusQuery, orderEventsSignal } from '../../shared/messages';
import { SavingsPoliciesSchema } from '../../shared/plan';
import { routeOrder } from '../../workers/event-bridge';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

const SET = process.env.REPLAY_SET;
if (!SET || !/^[\w.-]+$/.test(SET)) throw new Error('REPLAY_SET must name the new set (e.g. 2026-11-30)');
const OUT = path.join(__dirname, 'histories', SET);

/** Every run of a workflow id (following continue-as-new), oldest first. */
async function saveAllRuns(
  client: Client,
  workflowId: string,
  firstRunId: string | undefined,
  name: string
): Promise<void> {
  let runId = firstRunId;
  for (let run = 1; runId; run++) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    writeFileSync(path.join(OUT, `${name}.run${run}.bin`), encode(history));
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
}

async function save(client: Client, workflowId: string, name: string): Promise<void> {
  writeFileSync(path.join(OUT, `${name}.bin`), encode(await client.workflow.getHandle(workflowId).fetchHistory()));
}

/** Histories are kept in Temporal's binary wire format (as the SDK's own replay tests keep theirs). */
function encode(history: temporal.api.history.v1.IHistory): Uint8Array {
  return temporal.api.history.v1.History.encode(history).finish();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const s: SavingsEnv = await createSavingsEnv({ name: 'record', encryption: false });
  try {
    const client = s.env.client;
    const fifty = [
      { instrument: FUND.norrsken, allocation: '50' },
      { instrument: FUND.kustlinje, allocation: '50' },
    ];

    // 1. A plan over two periods (continue-as-new between them); the first payment needs a renewed attempt and
    //    one fund is closed for a few banking days; the second period is invested directly.
    const a = await createTestAccount(s.api, 1, { allocation: fifty });
    const first = await s.upcomingPeriod();
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    await s.api.control('POST', '/payment-failures', { code: '1', clientRefPrefix: 'replay-plan:', count: 1 });
    await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: false });
    const planHandle = await s.run(async () => {
      const h = await client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId('replay-plan'),
        args: [
          testPlan({
            planId: 'replay-plan',
            accountId: a.accountId,
            firstPeriod: first,
            lastPeriod: addPeriods(first, 1),
            dayOfMonth: 10,
          }),
        ],
      });
      await s.sleepUntil(stockholmTime(debitDate(first, 10), '23:00'));
      await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: true });
      await h.result();
      return h;
    });
    await saveAllRuns(client, planWorkflowId('replay-plan'), planHandle.firstExecutionRunId, 'plan-two-periods');
    await save(client, cycleWorkflowId('replay-plan', first), 'cycle-renewed-payment-held-leg');

    // 2. A cycle blocked by KYC for two days, then cleared.
    const b = await createTestAccount(s.api, 2, { allocation: fifty, kycOrder: false });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    await s.run(async () => {
      const h = await client.workflow.start(savingsCycleWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: cycleWorkflowId('replay-kyc', period),
        args: [
          {
            planId: 'replay-kyc',
            clientId: 'c0000000-0000-4000-8000-000000000001',
            accountId: b.accountId,
            period,
            amount: '1000.00',
            scheduledDebitDate: debitDate(period, 10),
            allocation: { source: 'fondo' },
            policies: {
              belowMinimum: 'redistribute',
              blockedLeg: { deadlineBankingDays: 10, atDeadline: 'carry' },
              kyc: { deadlineDays: 30 },
              payment: { maxRenewedAttempts: 3 },
              submissionMarginMinutes: 120,
              lateSubmissionBankingDays: 3,
              maxConsecutiveFailedPeriods: 3,
            },
            carry: {},
            cashFlow: false,
            orderTurnOpen: true,
          },
        ],
      });
      await s.sleepUntil(stockholmTime(debitDate(period, 12), '12:00'));
      await s.api.control('PATCH', `/accounts/${b.accountId}`, { kyc: { order: true } });
      await h.result();
    });
    await save(client, cycleWorkflowId('replay-kyc', period), 'cycle-kyc-blocked-then-cleared');

    // 3. An admin rebalance: sells, then buys.
    const c = await createTestAccount(s.api, 3, {
      allocation: fifty,
      positions: [
        { instrument: FUND.norrsken, units: '100' },
        { instrument: FUND.kustlinje, units: '50' },
      ],
    });
    const far = await s.upcomingPeriod(6);
    await s.run(async () => {
      const h = await client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId('replay-rebalance'),
        args: [
          testPlan({
            planId: 'replay-rebalance',
            accountId: c.accountId,
            firstPeriod: far,
            rebalance: { cashFlow: false },
          }),
        ],
      });
      const date = new Date(await s.env.currentTimeMs()).toISOString().slice(0, 10);
      await h.signal(rebalanceNowSignal);
      const child = client.workflow.getHandle(rebalanceWorkflowId('replay-rebalance', date));
      for (let i = 0; i < 200; i++) {
        try {
          await child.describe();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await child.result();
      await save(client, rebalanceWorkflowId('replay-rebalance', date), 'rebalance-admin-sells-then-buys');
      await h.signal(cancelPlanSignal);
      await h.result();
    });
    // 4. The plan's books (issue 11): a 300 SEK plan into a fund with a 500 SEK minimum keeps the first deposit as
    //    free cash and invests both the next period; a fund closed at the split is held, then released and
    //    re-decided against its minimum; the allocation disappears after the pre-check of a later period (failure after
    //    the debit: the money stays in the plan).
    const d = await createTestAccount(s.api, 4, { allocation: [{ instrument: FUND.polarljus, allocation: '100' }] });
    const booksFirst = await s.upcomingPeriod();
    await s.sleepUntil(`${booksFirst}-01T08:00:00Z`);
    const books = await s.run(async () => {
      const h = await client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId('replay-books'),
        args: [
          testPlan({
            planId: 'replay-books',
            accountId: d.accountId,
            amount: '300.00',
            firstPeriod: booksFirst,
            lastPeriod: addPeriods(booksFirst, 1),
            dayOfMonth: 10,
          }),
        ],
      });
      await h.result();
      return h;
    });
    await saveAllRuns(client, planWorkflowId('replay-books'), books.firstExecutionRunId, 'plan-free-cash-invested');
    await save(client, cycleWorkflowId('replay-books', booksFirst), 'cycle-not-invested-below-minimum');

    const e = await createTestAccount(s.api, 5, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '40' },
        { instrument: FUND.kustlinje, allocation: '40' },
        { instrument: FUND.lodjur, allocation: '20' },
      ],
    });
    const released = await s.upcomingPeriod();
    await s.sleepUntil(`${released}-01T08:00:00Z`);
    await s.run(async () => {
      const h = await client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId('replay-released'),
        args: [
          testPlan({
            planId: 'replay-released',
            accountId: e.accountId,
            amount: '2000.00',
            firstPeriod: released,
            lastPeriod: released,
            dayOfMonth: 10,
          }),
        ],
      });
      await s.sleepUntil(stockholmTime(addBankingDays(debitDate(released, 10), 1), '12:00'));
      await s.api.control('PATCH', `/instruments/${FUND.lodjur}`, { isTradable: true });
      await h.result();
      await s.api.control('PATCH', `/instruments/${FUND.lodjur}`, { isTradable: false });
    });
    await save(client, cycleWorkflowId('replay-released', released), 'cycle-released-leg-redistributed');

    const f = await createTestAccount(s.api, 6, { allocation: [{ instrument: FUND.kustlinje, allocation: '100' }] });
    const failing = await s.upcomingPeriod();
    await s.sleepUntil(`${failing}-01T08:00:00Z`);
    await s.run(async () => {
      const h = await client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId('replay-failure'),
        args: [
          testPlan({
            planId: 'replay-failure',
            accountId: f.accountId,
            amount: '500.00',
            firstPeriod: failing,
            lastPeriod: failing,
            dayOfMonth: 10,
          }),
        ],
      });
      await s.sleepUntil(stockholmTime(debitDate(failing, 10), '05:00'));
      const plans = s.sandbox.engine.store.allocationPlans;
      const allocation = plans.get(f.allocationPlanId!)!;
      plans.delete(f.allocationPlanId!);
      await s.sleepUntil(stockholmTime(debitDate(failing, 10), '18:00'));
      plans.set(f.allocationPlanId!, allocation);
      await h.result();
    });
    await save(client, cycleWorkflowId('replay-failure', failing), 'cycle-failed-after-debit-keeps-money');

    // 7. Order events batched (issue 14): the cycle's three orders settle together and reach it in one orderEvents
    //    signal (with a malformed event, ignored), as the bridge sends them; recorded without the bridge.
    const g = await createTestAccount(s.api, 7, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '40' },
        { instrument: FUND.norrsken, allocation: '35' },
        { instrument: FUND.kustlinje, allocation: '25' },
      ],
    });
    s.followTemporalClock();
    // Fondo's clock may be ahead of Temporal's after the scenarios above: start from the later of the two.
    await s.sleepUntil(new Date(s.sandbox.engine.clock.now() + 3_600_000).toISOString());
    const batched = await s.upcomingPeriod();
    await s.sleepUntil(`${batched}-01T08:00:00Z`);
    await s.run(async () => {
      const h = await client.workflow.start(savingsCycleWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: cycleWorkflowId('replay-batch', batched),
        args: [
          {
            planId: 'replay-batch',
            clientId: CLIENT_1,
            accountId: g.accountId,
            period: batched,
            amount: '1500.00',
            scheduledDebitDate: debitDate(batched, 10),
            allocation: { source: 'fondo' },
            policies: SavingsPoliciesSchema.parse({}),
            carry: {},
            cashFlow: false,
            orderTurnOpen: true,
          },
        ],
      });
      const orders = () =>
        [...s.sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith('replay-batch:'));
      const status = () => h.query(cycleStatusQuery);
      for (let i = 0; i < 600 && !(await status()).payments[0]?.debitDate; i++)
        await new Promise((r) => setTimeout(r, 100));
      await s.sleepUntil(stockholmTime((await status()).payments[0]!.debitDate!, '08:00')); // the payment's first read
      for (let i = 0; i < 600 && (await status()).orders.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      const clock = s.sandbox.engine.clock;
      clock.setMode('manual');
      await s.env.sleep(5 * 60_000); // Fondo settles five minutes after placement, before the safety net's read
      for (let i = 0; i < 20 && !orders().every((o) => o.status === 'settled'); i++) clock.set(clock.nextDueAt()!);
      const events = [];
      for await (const o of s.fondo.iterateOrders(CLIENT_1, { modifiedFrom: new Date(0).toISOString() })) {
        const route = o.clientRef?.startsWith('replay-batch:') ? routeOrder(o) : undefined;
        if (route?.kind === 'order') events.push(route.payload);
      }
      await h.signal(orderEventsSignal.name, { events: [{ clientRef: 'replay-batch:x', orderId: 7 }, ...events] });
      await h.result();
      s.followTemporalClock();
    });
    await save(client, cycleWorkflowId('replay-batch', batched), 'cycle-order-events-batched');

    process.stdout.write(`histories written to ${OUT}\n`);
  } finally {
    await s.teardown();
  }
}

void main();
