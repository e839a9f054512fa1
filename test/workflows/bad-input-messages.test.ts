import { Client, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { planWorkflowId } from '../../shared/ids';
import {
  cancelPlanSignal,
  changeAllocationOverrideUpdate,
  changeAmountUpdate,
  changeDayOfMonthUpdate,
  changeRebalancePolicyUpdate,
  childPhaseSignal,
  pauseSignal,
  planStatusQuery,
} from '../../shared/messages';
import type { PlanStatus } from '../../shared/status';
import { savingsPlanWorkflow } from '../../workflows';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { testDataConverter } from '../helpers/payload-keys';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Bad-input corpus (issue 12.6), updates and signals sent straight with the Temporal client (no CLI in between):
// each malformed update is rejected by its validator with the field at fault and changes nothing; each malformed
// signal leaves the plan healthy (running, not paused or cancelled by garbage). The signal cases depend on issue
// 12.1 (handlers parse their payloads with shared/messages.ts schemas), owned by the workflow engineer.
type Send = (h: WorkflowHandle<typeof savingsPlanWorkflow>) => Promise<unknown>;
const u = (name: string, fn: Send, message: string): [string, Send, string] => [name, fn, message];
const bad = (value: unknown): any => value;

const UPDATE_CASES: [string, Send, string][] = [
  u(
    'changeAmount with 3 decimals',
    (h) => h.executeUpdate(changeAmountUpdate, { args: [{ amount: '12.345' }] }),
    'amount: must have at most 2 decimals'
  ),
  u(
    'changeAmount of zero',
    (h) => h.executeUpdate(changeAmountUpdate, { args: [{ amount: '0' }] }),
    'amount: must be greater than zero'
  ),
  u(
    'changeAmount negative',
    (h) => h.executeUpdate(changeAmountUpdate, { args: [{ amount: '-5.00' }] }),
    'amount: must not be negative'
  ),
  u(
    'changeAmount as a number',
    (h) => h.executeUpdate(changeAmountUpdate, { args: [bad({ amount: 1500 })] }),
    'amount: '
  ),
  u(
    'changeAmount above the maximum',
    (h) => h.executeUpdate(changeAmountUpdate, { args: [{ amount: '2000000.00' }] }),
    'amount: must be at most 1000000.00 SEK'
  ),
  u('changeAmount without amount', (h) => h.executeUpdate(changeAmountUpdate, { args: [bad({})] }), 'amount: '),
  u(
    'changeDayOfMonth 31',
    (h) => h.executeUpdate(changeDayOfMonthUpdate, { args: [{ dayOfMonth: 31 }] }),
    'dayOfMonth: '
  ),
  u(
    'changeDayOfMonth 0',
    (h) => h.executeUpdate(changeDayOfMonthUpdate, { args: [{ dayOfMonth: 0 }] }),
    'dayOfMonth: '
  ),
  u(
    'changeDayOfMonth as a string',
    (h) => h.executeUpdate(changeDayOfMonthUpdate, { args: [bad({ dayOfMonth: '15' })] }),
    'dayOfMonth: '
  ),
  u(
    'changeDayOfMonth first',
    (h) => h.executeUpdate(changeDayOfMonthUpdate, { args: [bad({ dayOfMonth: 'first' })] }),
    'dayOfMonth: '
  ),
  u(
    'changeAllocationOverride empty',
    (h) => h.executeUpdate(changeAllocationOverrideUpdate, { args: [{ weights: [] }] }),
    'weights: must contain at least one fund'
  ),
  u(
    'changeAllocationOverride summing to 50',
    (h) =>
      h.executeUpdate(changeAllocationOverrideUpdate, {
        args: [{ weights: [{ instrument: FUND.fjallsjo, percent: '50' }] }],
      }),
    'weights: percentages sum to 50, expected exactly 100'
  ),
  u(
    'changeAllocationOverride as a string',
    (h) => h.executeUpdate(changeAllocationOverrideUpdate, { args: [bad({ weights: 'all' })] }),
    'weights: '
  ),
  u(
    'changeAllocationOverride with an empty fund id',
    (h) =>
      h.executeUpdate(changeAllocationOverrideUpdate, { args: [{ weights: [{ instrument: '', percent: '100' }] }] }),
    'weights[0].instrument: must not be empty'
  ),
  u(
    'changeRebalancePolicy enabled without trigger',
    (h) => h.executeUpdate(changeRebalancePolicyUpdate, { args: [{ policy: { enabled: true } }] }),
    'policy: an enabled rebalance policy needs a drift band and/or a calendar'
  ),
  u(
    'changeRebalancePolicy negative cooldown',
    (h) => h.executeUpdate(changeRebalancePolicyUpdate, { args: [{ policy: { cooldownDays: -1 } }] }),
    'policy.cooldownDays: '
  ),
  u(
    'changeRebalancePolicy as a string',
    (h) => h.executeUpdate(changeRebalancePolicyUpdate, { args: [{ policy: 'on' }] }),
    'policy: '
  ),
  u(
    'changeRebalancePolicy min trade with 3 decimals',
    (h) => h.executeUpdate(changeRebalancePolicyUpdate, { args: [{ policy: { minTradeAmount: '1.001' } }] }),
    'policy.minTradeAmount: must have at most 2 decimals'
  ),
];

const SIGNAL_CASES: [string, Send][] = [
  ['pause with a numeric reason', (h) => h.signal(pauseSignal, bad({ reason: 12345 }))],
  ['pause with an object reason', (h) => h.signal(pauseSignal, bad({ reason: { text: 'x' } }))],
  ['pause with a string payload', (h) => h.signal(pauseSignal, bad('now'))],
  ['cancelPlan with a numeric reason', (h) => h.signal(cancelPlanSignal, bad({ reason: 42 }))],
  ['cancelPlan with a list payload', (h) => h.signal(cancelPlanSignal, bad([1, 2]))],
  [
    'childPhase from a stranger with a bogus phase',
    (h) => h.signal(childPhaseSignal, bad({ workflowId: 5, phase: 'exploded' })),
  ],
];

describe('bad-input corpus: updates and signals sent directly', () => {
  let s: SavingsEnv;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let accountId: string;
  let n = 0;

  beforeAll(async () => {
    s = await createSavingsEnv({ name: 'bad-input-messages' });
    worker = await s.newWorker();
    running = worker.run();
    client = new Client({ connection: s.env.connection, dataConverter: testDataConverter() });
    ({ accountId } = await createTestAccount(s.api, 7101, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    }));
  }, 90_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await s?.teardown();
  });

  async function newPlan(): Promise<WorkflowHandle<typeof savingsPlanWorkflow>> {
    const planId = `bad-msg-${++n}`;
    return client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(planId),
      args: [testPlan({ planId, accountId, firstPeriod: await s.upcomingPeriod(2) })],
    });
  }
  const essentials = (st: PlanStatus) => ({
    state: st.state,
    amount: st.amount,
    dayOfMonth: st.dayOfMonth,
    allocation: st.allocation,
    policy: st.rebalance.policy,
    paused: st.paused,
    cancelled: st.cancelled,
  });

  let shared: WorkflowHandle<typeof savingsPlanWorkflow>;
  beforeAll(async () => {
    shared = await newPlan();
  });

  it.each(UPDATE_CASES)(
    'update %s: rejected naming the field, plan unchanged',
    async (_name, send, message) => {
      const before = essentials(await shared.query(planStatusQuery));
      const error = await send(shared).then(
        () => undefined,
        (err: unknown) => err
      );
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((error as WorkflowUpdateFailedError).cause?.message).toContain(message);
      expect(essentials(await shared.query(planStatusQuery))).toEqual(before);
      expect((await shared.describe()).status.name).toBe('RUNNING');
    },
    30_000
  );

  it.each(SIGNAL_CASES)(
    'signal %s: ignored, the plan stays healthy',
    async (_name, send) => {
      const handle = await newPlan();
      const before = essentials(await handle.query(planStatusQuery));
      await send(handle);
      await new Promise((r) => setTimeout(r, 300)); // let the signal's workflow task run
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(essentials(await handle.query(planStatusQuery))).toEqual(before);
    },
    30_000
  );
});
