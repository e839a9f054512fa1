import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { savingsPlanWorkflow } from '../../workflows';
import { periodOf, stockholmDate } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

const ROOT = path.resolve(__dirname, '../..');

// The real worker process (workers/worker.ts) is killed with SIGKILL in the middle of a cycle and a new one is
// started: the cycle resumes from Temporal's history and no payment or order is created twice.
describe('worker process killed mid-cycle (dev server)', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ kind: 'dev', bridge: true, name: 'crash' })), 60_000);
  afterAll(() => s?.teardown());

  function startWorkerProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/worker.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: s.env.address,
        TEMPORAL_TASK_QUEUE: s.taskQueue,
        FONDO_ENV: 'local',
        FONDO_BASE_URL: s.sandbox.url,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('"msg":"worker started"')) resolve(child);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${output.slice(-2000)}`)));
    });
  }

  const until = async (check: () => boolean | Promise<boolean>, what: string, step?: () => Promise<unknown>) => {
    for (let i = 0; i < 150; i++) {
      if (await check()) return;
      if (step) await step();
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const refs = (planId: string) => ({
    payments: [...s.sandbox.engine.store.payments.values()]
      .filter((p) => p.clientRef.startsWith(`${planId}:`))
      .map((p) => p.clientRef),
    orders: [...s.sandbox.engine.store.orders.values()]
      .filter((o) => o.clientRef?.startsWith(`${planId}:`))
      .map((o) => o.clientRef),
  });

  it('resumes after SIGKILL without a duplicate payment or order', async () => {
    const { accountId } = await createTestAccount(s.api, 950, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
    });
    const planId = 'crash-1';
    const period = periodOf(stockholmDate(new Date().toISOString()));
    await s.env.client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(planId),
      args: [testPlan({ planId, accountId, firstPeriod: period, startImmediately: true, dayOfMonth: 28 })],
    });

    const first = await startWorkerProcess();
    await until(() => refs(planId).payments.length === 1, 'the payment');
    // Bankgirot reports: the deposit event reaches the cycle through the bridge; it places both orders.
    await until(
      () => refs(planId).orders.length === 2,
      'the orders',
      () => s.api.control('POST', '/clock/next')
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    // While no worker runs, the orders go through their lifecycle; the bridge's signals wait in Temporal.
    for (let i = 0; i < 8; i++) await s.api.control('POST', '/clock/next');
    expect(
      [...s.sandbox.engine.store.orders.values()]
        .filter((o) => o.clientRef?.startsWith(`${planId}:`))
        .every((o) => o.status === 'settled')
    ).toBe(true);

    const second = await startWorkerProcess();
    try {
      const summary = await s.env.client.workflow
        .getHandle<(i: unknown) => Promise<{ outcome: string; orders: { status: string }[] }>>(
          cycleWorkflowId(planId, period)
        )
        .result();
      expect(summary.outcome).toBe('invested');
      expect(summary.orders.map((o) => o.status)).toEqual(['settled', 'settled']);
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }
    expect(refs(planId)).toEqual({
      payments: [`${planId}:${period}`],
      orders: [`${planId}:${period}:${FUND.norrsken}`, `${planId}:${period}:${FUND.kustlinje}`],
    });
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
    await s.env.client.workflow.getHandle(planWorkflowId(planId)).terminate('test done');
  }, 240_000);
});
