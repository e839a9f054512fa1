import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { savingsPlanWorkflow } from '../../workflows';
import { addDays, debitDate, stockholmTime } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { planStatusQuery, retryNowSignal } from '../../shared/messages';
import { PlanStateKey } from '../../shared/search-attributes';
import { upsertedStates } from '../helpers/histories';
import { testDataConverter } from '../helpers/payload-keys';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Issue 14, fewer billable actions: a cycle signals its plan only the phase changes that can change the plan's
// PlanState, never 'completed' (patch `phase-signals-only-state-changes`). Before: 5 childPhase signals per happy
// cycle (waiting-payment, paid, investing, waiting-orders, completed).
describe('childPhase signals: only PlanState changes', () => {
  let s: SavingsEnv;
  let account = 1400;
  const codec = testDataConverter().payloadCodecs![0]!;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'phase-signals' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  type History = temporal.api.history.v1.IHistory;
  const historyOf = (workflowId: string) => s.env.client.workflow.getHandle(workflowId).fetchHistory();

  /** The phases a cycle reported to its plan, in order (decoded from its SignalExternal commands). */
  async function reportedPhases(history: History): Promise<string[]> {
    const phases: string[] = [];
    for (const e of history.events ?? []) {
      const a = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      if (!a || a.signalName !== 'childPhase') continue;
      const [payload] = await codec.decode(a.input?.payloads ?? []);
      phases.push(defaultPayloadConverter.fromPayload<{ phase: string }>(payload!).phase);
    }
    return phases;
  }

  it('a happy 3-fund cycle signals its plan once (paid); the plan still shows waiting-payment → investing', async () => {
    const planId = 'phase-happy';
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '50' },
        { instrument: FUND.norrsken, allocation: '30' },
        { instrument: FUND.kustlinje, allocation: '20' },
      ],
    });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const result = await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })],
      });
      return handle.result();
    });
    const cycle = result.cycles[0]!;
    expect(cycle.outcome).toBe('invested');
    expect(cycle.orders.map((o) => o.status)).toEqual(['settled', 'settled', 'settled']);

    const cycleHistory = await historyOf(cycleWorkflowId(planId, period));
    expect(await reportedPhases(cycleHistory)).toEqual(['paid']);
    const plan = await historyOf(planWorkflowId(planId));
    expect(upsertedStates(plan)).toEqual(['active', 'waiting-payment', 'investing', 'completed']);
    const planSignals = (plan.events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'childPhase'
    );
    expect(planSignals).toHaveLength(1);
  }, 120_000);

  it('KYC blocked after payment: paid, blocked-kyc, investing are reported and the plan shows blocked-kyc meanwhile', async () => {
    const planId = 'phase-kyc';
    const { accountId } = await createTestAccount(s.api, account++, {
      kycOrder: false,
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const period = await s.upcomingPeriod();
    const debit = debitDate(period, 10);
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const result = await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })],
      });
      await s.sleepUntil(stockholmTime(addDays(debit, 1), '12:00'));
      const blocked = await handle.query(planStatusQuery);
      expect(blocked.state).toBe('blocked-kyc');
      expect(blocked.activeCycles).toEqual([{ period, phase: 'blocked-kyc' }]);
      expect((await handle.describe()).typedSearchAttributes.get(PlanStateKey)).toBe('blocked-kyc');
      await s.api.control('PATCH', `/accounts/${accountId}`, { kyc: { order: true } });
      await handle.signal(retryNowSignal);
      return handle.result();
    });
    expect(result.cycles[0]!.outcome).toBe('invested');
    expect(await reportedPhases(await historyOf(cycleWorkflowId(planId, period)))).toEqual([
      'paid',
      'blocked-kyc',
      'investing',
    ]);
    expect(upsertedStates(await historyOf(planWorkflowId(planId)))).toEqual([
      'active',
      'waiting-payment',
      'investing',
      'blocked-kyc',
      'investing',
      'completed',
    ]);
  }, 120_000);
});
