import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import type { PlanStatus } from '../../shared/status';
import { runCli, type CliResult } from '../helpers/cli';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';

// The admin CLI end to end on the real dev server: a worker, the Fondo sandbox (its clock stepped by the test) and
// the event bridge; workflows progress only through events, as in production between polls.
describe('savings CLI end to end (dev server, sandbox, event bridge)', () => {
  let s: SavingsEnv;
  let env: Record<string, string>;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    s = await createSavingsEnv({ kind: 'dev', bridge: true, name: 'cli-e2e' });
    env = { TEMPORAL_ADDRESS: s.env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: s.taskQueue };
    const worker = await s.newWorker();
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await s?.teardown();
  });

  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);
  const status = async (planId: string): Promise<PlanStatus> =>
    (await cli('--json', 'status', planId)).json as PlanStatus;

  /** Steps the sandbox's business clock from one scheduled lifecycle step to the next until `done` holds. */
  async function stepUntil(done: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      if (await done()) return;
      await s.api.control('POST', '/clock/next');
      await new Promise((r) => setTimeout(r, 400)); // events → bridge → signals → activities
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('creates a plan, runs its first cycle through to settled orders, and operates it', async () => {
    const { accountId } = await createTestAccount(s.api, 900, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.kustlinje, allocation: '40' },
      ],
    });

    // Bad input: a specific message, exit code 2, and nothing is created.
    const bad = await Promise.all([
      cli(
        'create',
        '--plan-id',
        'e2e-1',
        '--client',
        CLIENT_1,
        '--account',
        accountId,
        '--amount',
        '12.345',
        '--day',
        '15'
      ),
      cli(
        'create',
        '--plan-id',
        'e2e-1',
        '--client',
        CLIENT_1,
        '--account',
        accountId,
        '--amount',
        '1000',
        '--day',
        '31'
      ),
      cli(
        'create',
        '--plan-id',
        '198003141002',
        '--client',
        CLIENT_1,
        '--account',
        accountId,
        '--amount',
        '1000',
        '--day',
        '15'
      ),
      cli(
        'create',
        '--plan-id',
        'e2e-1',
        '--client',
        CLIENT_1,
        '--account',
        accountId,
        '--amount',
        '1000',
        '--day',
        '15',
        '--weights',
        `${FUND.fjallsjo}=60,${FUND.kustlinje}=30`
      ),
    ]);
    expect(bad.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(bad[0].stderr).toContain('amount: must have at most 2 decimals, got "12.345"');
    expect(bad[1].stderr).toContain('day of month must be 1–28 or "last", got "31"');
    expect(bad[2].stderr).toContain(
      'planId: must not contain 8 or more consecutive digits (it could be a personnummer)'
    );
    expect(bad[3].stderr).toContain('--weights: percentages sum to 90, expected exactly 100');
    await expect(s.env.client.workflow.getHandle(planWorkflowId('e2e-1')).describe()).rejects.toThrow();

    const created = await cli(
      '--json',
      'create',
      '--plan-id',
      'e2e-1',
      '--client',
      CLIENT_1,
      '--account',
      accountId,
      '--amount',
      '1000.00',
      '--day',
      '15',
      '--start-now'
    );
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ planId: 'e2e-1', workflowId: 'savings-plan:e2e-1' });
    const duplicate = await cli(
      'create',
      '--plan-id',
      'e2e-1',
      '--client',
      CLIENT_1,
      '--account',
      accountId,
      '--amount',
      '5',
      '--day',
      '1'
    );
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('a savings plan e2e-1 already exists');

    // The first period runs at once: autogiro → deposit event → orders → settled, driven by the sandbox clock.
    const period = (created.json as { firstPeriod: string }).firstPeriod;
    await stepUntil(async () => (await status('e2e-1')).cycles.length === 1, 'the first cycle');
    const first = (await status('e2e-1')).cycles[0]!;
    expect(first).toMatchObject({ period, outcome: 'invested', paidAmount: '1000.00' });
    expect(first.orders.map((o) => [o.clientRef, o.amount, o.status])).toEqual([
      [`e2e-1:${period}:${FUND.fjallsjo}`, '600.00', 'settled'],
      [`e2e-1:${period}:${FUND.kustlinje}`, '400.00', 'settled'],
    ]);
    expect(s.bridge!.stats.signals).toBeGreaterThan(0);

    // Human output and the visibility list (eventually consistent).
    const human = await cli('status', 'e2e-1');
    expect(human.stdout).toMatch(/state\s+active/);
    expect(human.stdout).toContain(`${period}  invested`);
    let listed: CliResult | undefined;
    for (let i = 0; i < 30; i++) {
      listed = await cli('--json', 'list', '--client', CLIENT_1);
      if ((listed.json as { planId: string }[]).some((r) => r.planId === 'e2e-1')) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(listed!.json).toContainEqual(
      expect.objectContaining({ planId: 'e2e-1', clientId: CLIENT_1, status: 'running' })
    );

    // Operations.
    expect((await cli('pause', 'e2e-1', '--reason', 'testing')).code).toBe(0);
    expect((await status('e2e-1')).paused?.reason).toBe('testing');
    expect((await cli('resume', 'e2e-1')).code).toBe(0);
    expect((await status('e2e-1')).paused).toBeNull();
    const next = (await status('e2e-1')).nextPeriod!;
    const amount = await cli('--json', 'change-amount', 'e2e-1', '1500.00');
    expect(amount).toMatchObject({ code: 0, json: { appliesFrom: next } });
    const day = await cli('--json', 'change-day', 'e2e-1', 'last');
    expect(day.code).toBe(0);
    expect((await status('e2e-1')).dayOfMonth).toBe('last');
    const refused = await cli('change-allocation', 'e2e-1', '--weights', 'XX0000000000SEK=100');
    expect(refused.code).toBe(2);
    // The shared preflight check refuses it before the update is sent (issue 12.2).
    expect(refused.stderr).toContain('refused: weights: fund XX0000000000SEK is unknown to Fondo');
    expect(
      (await cli('change-allocation', 'e2e-1', '--weights', `${FUND.fjallsjo}=50,${FUND.kustlinje}=50`)).code
    ).toBe(0);
    expect((await status('e2e-1')).allocation).toEqual({
      source: 'override',
      weights: [
        { instrument: FUND.fjallsjo, percent: '50' },
        { instrument: FUND.kustlinje, percent: '50' },
      ],
    });
    expect((await cli('skip', 'e2e-1')).code).toBe(0);
    expect((await cli('status', 'no-such-plan')).stderr).toContain('no savings plan no-such-plan');

    // Rebalancing from the CLI: a policy, then an admin run (sells, then buys) in the status.
    const policy = await cli(
      '--json',
      'set-rebalance-policy',
      'e2e-1',
      '--rebalance-band-abs',
      '3',
      '--cooldown-days',
      '10'
    );
    expect(policy).toMatchObject({
      code: 0,
      json: { policy: { enabled: true, band: { absolutePp: '3' }, cooldownDays: 10 } },
    });
    await s.api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '700.00' });
    expect((await cli('rebalance-now', 'e2e-1')).code).toBe(0);
    await stepUntil(async () => (await status('e2e-1')).rebalance.runs.length === 1, 'the rebalance run');
    const run = (await status('e2e-1')).rebalance.runs[0]!;
    expect(run).toMatchObject({ trigger: 'admin', outcome: 'completed' });
    expect(run.orders.map((o) => [o.side, o.instrument, o.status])).toEqual([
      ['sell', FUND.fjallsjo, 'settled'],
      ['buy', FUND.kustlinje, 'settled'],
    ]);
    expect((await cli('status', 'e2e-1')).stdout).toMatch(/admin\s+completed/);

    // Cancel: the plan completes; its status stays readable.
    expect((await cli('cancel', 'e2e-1', '--reason', 'e2e done')).code).toBe(0);
    await s.env.client.workflow.getHandle(planWorkflowId('e2e-1')).result();
    expect((await cli('pause', 'e2e-1')).stderr).toContain('plan e2e-1 is not running (completed)');
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
    await s.api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '412.37' });
    // The cycle workflow of the first period is findable by its readable id.
    expect((await s.env.client.workflow.getHandle(cycleWorkflowId('e2e-1', period)).describe()).status.name).toBe(
      'COMPLETED'
    );
  }, 240_000);

  it('check runs the connectivity workflow through the worker to Fondo', async () => {
    const check = await cli('--json', 'check');
    expect(check.code).toBe(0);
    expect(check.json).toMatchObject({ workflowId: expect.stringMatching(/^connectivity-check:/) });
  }, 60_000);
});
