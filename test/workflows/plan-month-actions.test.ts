import { WorkflowNotFoundError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { countActions, type ActionCounts } from '../../bench/billable-actions';
import { startPlan } from '../../cli/start-plan';
import { addPeriods } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { orderEventsSignal, paymentEventSignal, type OrderEvent } from '../../shared/messages';
import { PlanInputSchema } from '../../shared/plan';
import { routeCashTransaction, routeOrder, type BridgeSignal } from '../../workers/event-bridge';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

const MIN = 60_000;
const HOUR = 60 * MIN;

// Issue 14: billable actions per 3-fund plan-month on the happy path, with real pacing. The scale benchmark runs
// Fondo's clock 36 000 times faster than Temporal's, so no timer ever fires there and the safety net's reads during
// the orders' two-day settlement never show. Here Temporal's clock and Fondo's move together (time-skipping server,
// the sandbox following it), one Fondo step at a time, and the test delivers what the event bridge would, a minute
// after each step (order events of one workflow batched, as the bridge does). The second month of a three-month plan
// is the steady state: the run that continued as new from month 1, its cycle, ending in the continue-as-new that
// starts month 3.
describe('billable actions per plan-month, real pacing', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'plan-month' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  it('a 3-fund plan-month costs 16 actions: no read while the orders settle, one plan timer across wakes', async () => {
    const planId = 'plan-month';
    const { accountId } = await createTestAccount(s.api, 1700, {
      balance: '0.00',
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '40' },
        { instrument: FUND.norrsken, allocation: '35' },
        { instrument: FUND.kustlinje, allocation: '25' },
      ],
    });
    const first = await s.upcomingPeriod();
    const periods = [first, addPeriods(first, 1), addPeriods(first, 2)];
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    const workflowId = planWorkflowId(planId);
    const plan = PlanInputSchema.parse(
      testPlan({ planId, accountId, firstPeriod: periods[0]!, lastPeriod: periods[2]!, dayOfMonth: 10 })
    );
    const since = new Date(await s.env.currentTimeMs()).toISOString();
    const delivered = new Set<string>();

    /** What the bridge would signal for Fondo's records since the start, each once (its de-duplication key). */
    async function deliver(): Promise<void> {
      await s.sandbox.engine.clock.sync();
      const routes: (BridgeSignal | undefined)[] = [];
      for await (const tx of s.fondo.iterateCashTransactions(CLIENT_1, { modifiedFrom: since, reftype: 'payment' }))
        routes.push(routeCashTransaction(tx));
      for await (const o of s.fondo.iterateOrders(CLIENT_1, { modifiedFrom: since })) routes.push(routeOrder(o));
      const orderBatches = new Map<string, OrderEvent[]>();
      for (const r of routes) {
        if (!r || delivered.has(r.dedupeKey)) continue;
        delivered.add(r.dedupeKey);
        const handle = s.env.client.workflow.getHandle(r.workflowId);
        if (r.kind === 'payment') await handle.signal(paymentEventSignal, r.payload);
        else orderBatches.set(r.workflowId, [...(orderBatches.get(r.workflowId) ?? []), r.payload]);
      }
      for (const [id, events] of orderBatches)
        await s.env.client.workflow.getHandle(id).signal(orderEventsSignal, { events });
    }

    /** Real time, Temporal's clock locked: until the plan and its cycles have no activity or task in flight. */
    async function quiesce(): Promise<void> {
      const ids = [workflowId, ...periods.map((p) => cycleWorkflowId(planId, p))];
      for (let calm = 0, i = 0; calm < 2 && i < 600; i++) {
        let busy = false;
        for (const id of ids) {
          const d = await s.env.client.workflow
            .getHandle(id)
            .describe()
            .catch((err: unknown) => {
              if (err instanceof WorkflowNotFoundError) return undefined; // a cycle not started yet
              throw err;
            });
          if (d && d.status.name === 'RUNNING')
            busy ||= (d.raw.pendingActivities?.length ?? 0) > 0 || !!d.raw.pendingWorkflowTask;
        }
        calm = busy ? 0 : calm + 1;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    const done = async () => (await s.env.client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING';
    await s.run(async () => {
      await startPlan(s.env.client, { taskQueue: s.taskQueue, plan, nowMs: await s.env.currentTimeMs() });
      for (let step = 0; step < 2_000 && !(await done()); step++) {
        await quiesce();
        const now = await s.env.currentTimeMs();
        const next = s.sandbox.engine.clock.nextDueAt();
        // To Fondo's next step and a minute on (the bridge's delay); while Fondo has nothing scheduled, 6 hours.
        const target = next !== undefined && next + MIN > now ? Math.min(next + MIN, now + 6 * HOUR) : now + 6 * HOUR;
        await s.env.sleep(target - now);
        await quiesce();
        await deliver();
      }
    });
    const result = await s.env.client.workflow.getHandle(workflowId).result();
    expect(result.cycles.map((c: { outcome: string }) => c.outcome)).toEqual(['invested', 'invested', 'invested']);

    // Month 2: the second run of the plan and the second period's cycle.
    const month = countActions([
      (await planRuns(workflowId))[1]!,
      await s.env.client.workflow.getHandle(cycleWorkflowId(planId, periods[1]!)).fetchHistory(),
    ]);
    const expected: ActionCounts = {
      'workflow starts': 0,
      'continue-as-new': 1, // the run's own continue-as-new, which starts month 3 (month 2 began with month 1's)
      'child workflows': 1,
      activities: 5, // planCheckFacts, submitAutogiroPayment, paymentOutcomeThenSnapshot, placeSubscriptions, getOrderStates
      // The plan's sleep until the submission deadline and its wait for the next period while the cycle runs (one
      // timer across the cycle's phase signal and end; it was one per wake); the payment's 08:00 and the orders'
      // safety net, both cancelled by the events.
      timers: 4,
      signals: 3, // paymentEvent, childPhase `paid`, one orderEvents batch
      updates: 0,
      upserts: 2, // PlanState waiting-payment, investing (active is carried by the continue-as-new)
    };
    expect(month.actions).toEqual(expected);
    expect(month.total).toBe(16);
  }, 300_000);

  /** Every run of the plan, oldest first (back from the last run along continue-as-new). */
  async function planRuns(workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
    const runs: temporal.api.history.v1.IHistory[] = [];
    let runId: string | undefined = (await s.env.client.workflow.getHandle(workflowId).describe()).runId;
    while (runId) {
      const history = await s.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      runs.unshift(history);
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    }
    return runs;
  }
});
