/**
 * A plan run with real pacing (issue 14): Temporal's clock and Fondo's move together (time-skipping server, the
 * sandbox following it), one Fondo step at a time, and what the event bridge would signal is delivered a minute after
 * each step (order events of one workflow batched, as the bridge does). The fast-clock scale benchmark cannot show
 * what depends on time (timers that fire, safety-net reads while orders settle); this can. Used by
 * test/workflows/plan-month-actions.test.ts and bench/plan-month.bench.ts.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { countActions } from '../../bench/billable-actions';
import { startPlan } from '../../cli/start-plan';
import { addPeriods } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { orderEventsSignal, paymentEventSignal, type OrderEvent } from '../../shared/messages';
import { PlanInputSchema } from '../../shared/plan';
import type { savingsPlanWorkflow } from '../../workflows';
import { routeCashTransaction, routeOrder, type BridgeSignal } from '../../workers/event-bridge';
import { CLIENT_1, createTestAccount, FUND } from './sandbox';
import { testPlan, type SavingsEnv } from './savings-env';

const MIN = 60_000;
const HOUR = 60 * MIN;

type History = temporal.api.history.v1.IHistory;

export interface PlanMonths {
  periods: string[];
  outcomes: string[];
  /** Per month: the plan's run that handled it and that period's cycle. */
  months: { run: History; cycle: History }[];
}

/**
 * Runs a 3-fund plan over `months` periods (started by `startPlan`, as `savings create` does) to its end with real
 * pacing, and returns each month's histories. Account numbers from `accountNumber` on, one per call.
 */
export async function runPlanMonths(
  s: SavingsEnv,
  options: {
    planId: string;
    accountNumber: number;
    months: number;
    /** Called once the plan has started (after its preflight check). */
    onPlanStarted?: () => void;
  }
): Promise<PlanMonths> {
  const { planId } = options;
  const { accountId } = await createTestAccount(s.api, options.accountNumber, {
    balance: '0.00',
    allocation: [
      { instrument: FUND.fjallsjo, allocation: '40' },
      { instrument: FUND.norrsken, allocation: '35' },
      { instrument: FUND.kustlinje, allocation: '25' },
    ],
  });
  const first = await s.upcomingPeriod();
  const periods = Array.from({ length: options.months }, (_, i) => addPeriods(first, i));
  await s.sleepUntil(`${first}-01T08:00:00Z`);
  const workflowId = planWorkflowId(planId);
  const plan = PlanInputSchema.parse(
    testPlan({ planId, accountId, firstPeriod: periods[0]!, lastPeriod: periods.at(-1)!, dayOfMonth: 10 })
  );
  const since = new Date(await s.env.currentTimeMs()).toISOString();
  const delivered = new Set<string>();
  const client = s.env.client;

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
      if (r.kind === 'payment') await client.workflow.getHandle(r.workflowId).signal(paymentEventSignal, r.payload);
      else orderBatches.set(r.workflowId, [...(orderBatches.get(r.workflowId) ?? []), r.payload]);
    }
    for (const [id, events] of orderBatches) await client.workflow.getHandle(id).signal(orderEventsSignal, { events });
  }

  /** Real time, Temporal's clock locked: until the plan and its cycles have no activity or task in flight. */
  async function quiesce(): Promise<void> {
    const ids = [workflowId, ...periods.map((p) => cycleWorkflowId(planId, p))];
    for (let calm = 0, i = 0; calm < 2 && i < 600; i++) {
      let busy = false;
      for (const id of ids) {
        const d = await client.workflow
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

  const done = async () => (await client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING';
  await s.run(async () => {
    await startPlan(client, { taskQueue: s.taskQueue, plan, nowMs: await s.env.currentTimeMs() });
    options.onPlanStarted?.();
    for (let step = 0; step < 1_000 * options.months && !(await done()); step++) {
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
  const result = await client.workflow.getHandle<typeof savingsPlanWorkflow>(workflowId).result();
  const runs = await planRuns(s, workflowId);
  const months = [];
  for (const [i, period] of periods.entries())
    months.push({
      run: runs[i]!,
      cycle: await client.workflow.getHandle(cycleWorkflowId(planId, period)).fetchHistory(),
    });
  return { periods, outcomes: result.cycles.map((c) => c.outcome), months };
}

/** The billable actions of one month: the plan's run and its cycle. */
export function monthActions(month: { run: History; cycle: History }) {
  return countActions([month.run, month.cycle]);
}

/** Every run of a plan, oldest first (back from the last run along continue-as-new). */
async function planRuns(s: SavingsEnv, workflowId: string): Promise<History[]> {
  const runs: History[] = [];
  let runId: string | undefined = (await s.env.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await s.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return runs;
}
