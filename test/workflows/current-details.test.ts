import { workflowMetadataQuery } from '@temporalio/workflow';
import { savingsPlanWorkflow } from '../../workflows';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// The Temporal UI shows a workflow's "current details" from the SDK's metadata query (`__temporal_workflow_metadata`,
// the same query the UI runs): plans and cycles keep it up to date as a short Markdown view, without personal data.
describe('current details in the Temporal UI (workflow metadata)', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'details' })), 60_000);
  afterAll(() => s?.teardown());

  it('a plan shows its state, next action and money; its cycle shows its phase; no client or account id', async () => {
    const { accountId } = await createTestAccount(s.api, 7301, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const firstPeriod = await s.upcomingPeriod();
    await s.sleepUntil(`${firstPeriod}-01T08:00:00Z`);
    const planId = 'details-1';
    await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod, lastPeriod: firstPeriod, dayOfMonth: 10 })],
      });
      let details = '';
      for (let i = 0; i < 50 && !details; i++) {
        details = (await handle.query(workflowMetadataQuery)).currentDetails ?? '';
        if (!details) await new Promise((r) => setTimeout(r, 100));
      }
      expect(details).toContain(`**Plan ${planId}** — state **active**, 1\u00a0000,00\u00a0kr a month`);
      expect(details).toMatch(
        /- Next: submit 1\u00a0000,00\u00a0kr by \d{4}-\d{2}-\d{2} 19:00 Stockholm time for debit on/
      );
      const result = await handle.result();
      expect(result.cycles.map((c) => c.outcome)).toEqual(['invested']);
      const cycle = await s.env.client.workflow
        .getHandle(cycleWorkflowId(planId, firstPeriod))
        .query(workflowMetadataQuery);
      expect(cycle.currentDetails).toContain(`**Period ${firstPeriod}** of plan ${planId}`);
      expect(cycle.currentDetails).toContain(`- Payment ${planId}:${firstPeriod}: completed`);
      for (const text of [details, cycle.currentDetails ?? '']) {
        expect(text).not.toContain(accountId);
        expect(text).not.toContain(CLIENT_1);
      }
    });
  }, 120_000);
});
