import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { startPlan } from '../../cli/start-plan';
import { planWorkflowId } from '../../shared/ids';
import { PlanInputSchema } from '../../shared/plan';
import { FondoClientIdKey, PlanStateKey, SavingsPlanIdKey } from '../../shared/search-attributes';
import { savingsPlanWorkflow } from '../../workflows';
import { testDataConverter } from '../helpers/payload-keys';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';

const ROOT = path.resolve(__dirname, '../..');

/** The installed bin as a process (what `npx savings` runs): stdout must be exactly the CLI's output. */
function bin(
  args: string[],
  env: Record<string, string>
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'cli/bin.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Issue 13.4 on the real dev server: `list` shows one row per plan (its latest run), `--state` refuses unknown
// states naming the valid ones, and the bin's `--json` output is clean JSON.
describe('savings list (dev server)', () => {
  let s: SavingsEnv;
  let env: Record<string, string>;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    s = await createSavingsEnv({ kind: 'dev', name: 'cli-list' });
    env = { TEMPORAL_ADDRESS: s.env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: s.taskQueue };
    worker = await s.newWorker();
    running = worker.run();
  }, 90_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await s?.teardown();
  });

  it('shows a plan with two runs once, by its latest run; --json is clean JSON', async () => {
    const client = new Client({ connection: s.env.connection, dataConverter: testDataConverter() });
    const { accountId } = await createTestAccount(s.api, 7201, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const plan = PlanInputSchema.parse({
      planId: 'list-two-runs',
      clientId: CLIENT_1,
      accountId,
      amount: '1000.00',
      dayOfMonth: 25,
      firstPeriod: await s.upcomingPeriod(2),
    });
    await startPlan(client, { taskQueue: s.taskQueue, plan });
    // A second run of the same workflow id (as continue-as-new or an operator's restart leaves in visibility).
    await client.workflow.getHandle(planWorkflowId(plan.planId)).terminate('test: second run');
    await client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(plan.planId),
      args: [plan],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: SavingsPlanIdKey, value: plan.planId },
        { key: FondoClientIdKey, value: plan.clientId },
        { key: PlanStateKey, value: 'active' },
      ],
    });

    let rows: { planId: string; status: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const listed = await s.env.client.workflow.count(`WorkflowId = '${planWorkflowId(plan.planId)}'`);
      if (listed.count >= 2) break;
      await new Promise((r) => setTimeout(r, 250)); // visibility is eventually consistent
    }
    const r = await bin(['--json', 'list', '--all', '--client', CLIENT_1], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    rows = JSON.parse(r.stdout) as typeof rows; // the whole stdout is JSON: no npm or tsx banner
    expect(rows.filter((row) => row.planId === plan.planId)).toEqual([
      expect.objectContaining({ planId: plan.planId, status: 'running' }),
    ]);
  }, 120_000);

  it('--state refuses an unknown state, naming the valid ones, and sends nothing', async () => {
    const r = await bin(['--json', 'list', '--state', 'blocked'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      '--state: not a plan state; valid states are active, paused, waiting-payment, blocked-kyc, blocked-instrument, investing, rebalancing, needs-attention, cancelled, completed'
    );
  }, 60_000);
});
