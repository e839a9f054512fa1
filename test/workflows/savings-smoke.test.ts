import { savingsPlanWorkflow } from '../../workflows';
import { planWorkflowId } from '../../shared/ids';
import { planStatusQuery } from '../../shared/messages';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

describe('savings plan smoke', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'smoke' })), 60_000);
  afterAll(() => s?.teardown());

  it('runs two periods end to end', async () => {
    const { accountId } = await createTestAccount(s.api, 1, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '40' },
        { instrument: FUND.norrsken, allocation: '35' },
        { instrument: FUND.kustlinje, allocation: '25' },
      ],
    });
    await s.sleepUntil('2031-01-02T08:00:00Z');
    const planId = 'smoke-1';
    const result = await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod: '2031-01', lastPeriod: '2031-02' })],
      });
      const status = await handle.query(planStatusQuery);
      expect(status.nextDebitDate).toBe('2031-01-27');
      return handle.result();
    });
    expect(result.cycles.map((c) => c.outcome)).toEqual(['invested', 'invested']);
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  }, 120_000);
});
