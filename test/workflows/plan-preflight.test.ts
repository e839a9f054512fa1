import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { PlanRefusedError, startPlan } from '../../cli/start-plan';
import { createDemoPlans, DEMO_PLANS } from '../../scripts/demo-plans';
import { planWorkflowId } from '../../shared/ids';
import { PlanInputSchema } from '../../shared/plan';
import type { PlanStatus } from '../../shared/status';
import { runCliInProcess } from '../helpers/cli-in-process';
import { ACCOUNT, CLIENT_1, CLIENT_2, createTestAccount, FUND } from '../helpers/sandbox';
import { testDataConverter } from '../helpers/payload-keys';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';

// Issue 12.2: a plan is checked against Fondo (inside Temporal, by planPreflightWorkflow with the worker's Fondo
// client) before it exists; create and the three plan changes share that one check. Time-skipping server + sandbox.
const BOOLEAN_FLAGS = new Set(['--accept-carry', '--start-now']);

describe('plan preflight: a plan is checked before it exists or changes', () => {
  let s: SavingsEnv;
  let env: Record<string, string>;
  let worker: Worker;
  let running: Promise<void>;
  let accountId: string;
  let closedAccountId: string;
  /** A plain client: waiting on the preflight's result must not let the time-skipping server jump ahead. */
  let client: Client;

  beforeAll(async () => {
    s = await createSavingsEnv({ name: 'plan-preflight' });
    env = { TEMPORAL_ADDRESS: s.env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: s.taskQueue };
    worker = await s.newWorker();
    running = worker.run();
    client = new Client({ connection: s.env.connection, dataConverter: testDataConverter() });
    ({ accountId } = await createTestAccount(s.api, 7001, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.kustlinje, allocation: '40' },
      ],
    }));
    ({ accountId: closedAccountId } = await createTestAccount(s.api, 7002, { status: 'rejected' }));
  }, 90_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await s?.teardown();
  });

  const cli = (...argv: string[]) => runCliInProcess(argv, env);
  const moneyMoved = async (): Promise<number> => {
    const ledger = (await s.api.control('GET', '/ledger')).body;
    return ledger.payments.length + ledger.orders.length;
  };
  const exists = async (planId: string): Promise<boolean> => {
    try {
      await s.env.client.workflow.getHandle(planWorkflowId(planId)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  const create = (planId: string, ...extra: string[]) => {
    const flags: Record<string, string> = {
      '--client': CLIENT_1,
      '--account': accountId,
      '--amount': '1500.00',
      '--day': '25',
    };
    for (let i = 0; i < extra.length; i += 2) flags[extra[i]!] = extra[i + 1]!;
    const args = Object.entries(flags).flatMap(([k, v]) => (BOOLEAN_FLAGS.has(k) ? [k] : [k, v]));
    return cli('create', '--plan-id', planId, ...args);
  };

  const refusals: [string, string[], string][] = [
    [
      'an unknown fund (ISIN shape)',
      ['--weights', 'SE0000000000SEK=100'],
      'weights: fund SE0000000000SEK is unknown to Fondo',
    ],
    ['an unknown fund (foo)', ['--weights', 'foo=100'], 'weights: fund foo is unknown to Fondo'],
    [
      "a fund outside the client's universe",
      ['--client', CLIENT_2, '--account', ACCOUNT(8), '--weights', `${FUND.polarljusNotInClient2}=100`],
      `weights: fund ${FUND.polarljusNotInClient2} is not in the client's instrument universe`,
    ],
    [
      'a fund that is not buyable',
      ['--weights', `${FUND.renhjord}=100`],
      `weights: fund ${FUND.renhjord} is not buyable`,
    ],
    [
      'an account that does not exist',
      ['--account', 'e0000000-0000-4000-8000-000000999999'],
      'accountId: no such account for this client',
    ],
    [
      "client 1's account under client 2",
      ['--client', CLIENT_2, '--account', ACCOUNT(1)],
      'accountId: no such account for this client',
    ],
    ['a closed (rejected) account', ['--account', 'CLOSED'], 'accountId: the account is rejected, not active'],
    ['a first period in the past', ['--first-period', '2020-01'], 'firstPeriod: 2020-01 is in the past'],
    [
      'a cash buffer the engine rejects',
      ['--rebalance-band-abs', '5', '--cash-buffer', '150'],
      'cashBufferPct: must be at most 100',
    ],
    [
      'an amount below every minimum',
      ['--amount', '500.00', '--weights', `${FUND.vinterviken}=100`],
      'amount: 500.00 SEK buys no fund at its minimum',
    ],
    [
      'an amount below every minimum, carried',
      ['--amount', '500.00', '--weights', `${FUND.vinterviken}=100`, '--below-minimum', 'carry'],
      'amount: 500.00 SEK buys no fund at its minimum (it would be carried every period)',
    ],
  ];

  it.each(refusals)(
    'refuses %s: exit 2 naming the field, nothing started, nothing debited',
    async (_n, flags, msg) => {
      const planId = `pf-${Math.random().toString(36).slice(2, 8)}`;
      const resolved = flags.map((f) => (f === 'CLOSED' ? closedAccountId : f));
      const before = await moneyMoved();
      const r = await create(planId, ...resolved);
      expect(r.err).toContain(msg);
      expect(r.code).toBe(2);
      expect(await exists(planId)).toBe(false);
      expect(await moneyMoved()).toBe(before);
    },
    60_000
  );

  it("refuses --weights '' before anything is sent", async () => {
    const r = await create('pf-empty-weights', '--weights', '');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--weights: item 1 must be FUND=PERCENT');
    expect(await exists('pf-empty-weights')).toBe(false);
  });

  it('names every problem at once', async () => {
    const r = await create(
      'pf-many',
      '--weights',
      'foo=100',
      '--first-period',
      '2020-01',
      '--account',
      closedAccountId
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('firstPeriod: 2020-01 is in the past');
    expect(r.err).toContain('accountId: the account is rejected, not active');
    expect(r.err).toContain('weights: fund foo is unknown to Fondo');
  }, 60_000);

  it('accepts an amount below every minimum only with --accept-carry', async () => {
    const r = await create(
      'pf-carry-ok',
      '--amount',
      '500.00',
      '--weights',
      `${FUND.vinterviken}=100`,
      '--accept-carry',
      ''
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await exists('pf-carry-ok')).toBe(true);
  }, 60_000);

  it('startPlan (used by the CLI, the demo and tests) refuses with the problems and starts a good plan', async () => {
    const bad = PlanInputSchema.parse({
      planId: 'pf-start-bad',
      clientId: CLIENT_1,
      accountId,
      amount: '1000.00',
      dayOfMonth: 5,
      firstPeriod: await s.upcomingPeriod(1),
      allocation: { source: 'override', weights: [{ instrument: 'foo', percent: '100' }] },
    });
    const refused = await startPlan(client, { taskQueue: s.taskQueue, plan: bad }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlanRefusedError);
    expect((refused as PlanRefusedError).problems).toEqual([
      { field: 'weights', reason: 'fund foo is unknown to Fondo' },
    ]);
    expect(await exists('pf-start-bad')).toBe(false);

    const good = PlanInputSchema.parse({ ...bad, planId: 'pf-start-good', allocation: { source: 'fondo' } });
    await expect(startPlan(client, { taskQueue: s.taskQueue, plan: good })).resolves.toEqual({
      workflowId: planWorkflowId('pf-start-good'),
    });
    expect(await exists('pf-start-good')).toBe(true);
  }, 60_000);

  describe('changes go through the same check', () => {
    const status = async (): Promise<PlanStatus> => (await cli('--json', 'status', 'pf-change')).json as PlanStatus;

    beforeAll(async () => {
      const r = await create('pf-change', '--weights', `${FUND.vinterviken}=100`);
      expect(r.code).toBe(0);
    }, 60_000);

    it.each([
      [
        'change-amount below every minimum',
        ['change-amount', 'pf-change', '500.00'],
        'amount: 500.00 SEK buys no fund',
      ],
      [
        'change-allocation to an unknown fund',
        ['change-allocation', 'pf-change', '--weights', 'SE0000000000SEK=100'],
        'weights: fund SE0000000000SEK is unknown to Fondo',
      ],
      [
        'change-allocation to a fund that is not buyable',
        ['change-allocation', 'pf-change', '--weights', `${FUND.renhjord}=100`],
        `weights: fund ${FUND.renhjord} is not buyable`,
      ],
      [
        'set-rebalance-policy with a cash buffer the engine rejects',
        ['set-rebalance-policy', 'pf-change', '--rebalance-band-abs', '5', '--cash-buffer', '150'],
        'cashBufferPct: must be at most 100',
      ],
    ])(
      'refuses %s: exit 2 and the plan is unchanged',
      async (_n, argv, msg) => {
        const before = await status();
        const r = await cli(...argv);
        expect(r.err).toContain(msg);
        expect(r.code).toBe(2);
        const after = await status();
        expect({ amount: after.amount, allocation: after.allocation, policy: after.rebalance.policy }).toEqual({
          amount: before.amount,
          allocation: before.allocation,
          policy: before.rebalance.policy,
        });
      },
      60_000
    );

    it('applies a change the check accepts', async () => {
      const r = await cli('--json', 'change-amount', 'pf-change', '2000.00');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect((await status()).amount).toBe('2000.00');
    }, 60_000);
  });

  it('every demo plan passes the check and starts through startPlan on the given task queue; a second run starts none', async () => {
    const started = await createDemoPlans(client, s.taskQueue, new Date(await s.env.currentTimeMs()).toISOString());
    expect(started).toEqual(DEMO_PLANS.map((d) => d.plan.planId));
    const described = await client.workflow.getHandle(planWorkflowId('demo-barnspar')).describe();
    expect(described.taskQueue).toBe(s.taskQueue);
    expect(await createDemoPlans(client, s.taskQueue)).toEqual([]);
  }, 120_000);
});
