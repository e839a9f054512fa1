import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { startPlan } from '../../cli/start-plan';
import { PlanInputSchema } from '../../shared/plan';
import { savingsPlanWorkflow } from '../../workflows';
import { addPeriods, debitDate } from '../../shared/calendar';
import { planWorkflowId } from '../../shared/ids';
import { NextDebitDateKey, PlanStateKey } from '../../shared/search-attributes';
import { upsertedStates } from '../helpers/histories';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Issue 14, fewer billable actions: a plan continues as new with the PlanState and NextDebitDate its next run shows
// first, so the next run does not upsert them again (each upsert is a billable action; attributes carried by the
// continue-as-new command are not). Before: every run's first loop upserted `active` (3 upserts per plan-month).
describe('continue-as-new carries the plan state the next run shows', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'can-state' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  const decode = (p: temporal.api.common.v1.IPayload | null | undefined) =>
    p ? defaultPayloadConverter.fromPayload<string | null>(p) : undefined;

  it('a monthly plan upserts only waiting-payment and investing in the runs after the first', async () => {
    const planId = 'can-state';
    const { accountId } = await createTestAccount(s.api, 1500, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.norrsken, allocation: '40' },
      ],
    });
    const period = await s.upcomingPeriod();
    const next = addPeriods(period, 1);
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const workflowId = planWorkflowId(planId);
    const { result, firstRunId } = await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId,
        args: [testPlan({ planId, accountId, firstPeriod: period, lastPeriod: next, dayOfMonth: 10 })],
        typedSearchAttributes: [{ key: PlanStateKey, value: 'active' }],
      });
      return { result: await handle.result(), firstRunId: handle.firstExecutionRunId };
    });
    expect(result.cycles.map((c) => c.outcome)).toEqual(['invested', 'invested']);

    const first = await s.env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
    expect(upsertedStates(first)).toEqual(['active', 'waiting-payment', 'investing']);
    const can = first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    expect(can).toBeTruthy();
    // The next run starts showing what its first loop shows: active, debiting on the next period's date.
    const carried = can!.searchAttributes?.indexedFields ?? {};
    expect(decode(carried[PlanStateKey.name])).toBe('active');
    expect(decode(carried[NextDebitDateKey.name])).toBe(debitDate(next, 10));

    const last = await s.env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(upsertedStates(last)).toEqual(['waiting-payment', 'investing', 'completed']);
  }, 180_000);

  it('a plan started by startPlan starts showing active and its first debit date: its first upsert is waiting-payment', async () => {
    const planId = 'can-state-new';
    const { accountId } = await createTestAccount(s.api, 1501, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const plan = PlanInputSchema.parse(
      testPlan({ planId, accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })
    );
    const workflowId = planWorkflowId(planId);
    const result = await s.run(async () => {
      const nowMs = await s.env.currentTimeMs();
      await startPlan(s.env.client, { taskQueue: s.taskQueue, plan, nowMs });
      const handle = s.env.client.workflow.getHandle<typeof savingsPlanWorkflow>(workflowId);
      const started = (await handle.describe()).typedSearchAttributes;
      expect(started.get(PlanStateKey)).toBe('active');
      expect(started.get(NextDebitDateKey)).toBe(debitDate(period, 10));
      return handle.result();
    });
    expect(result.cycles.map((c) => c.outcome)).toEqual(['invested']);
    const history = await s.env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(upsertedStates(history)).toEqual(['waiting-payment', 'investing', 'completed']);
  }, 180_000);
});
