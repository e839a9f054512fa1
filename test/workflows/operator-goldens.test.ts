import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Statement } from '../../cli/statement';
import { planWorkflowId } from '../../shared/ids';
import { rebalanceNowSignal, skipNextPeriodSignal } from '../../shared/messages';
import type { PlanInput } from '../../shared/plan';
import type { CycleStatus, PlanStatus } from '../../shared/status';
import { savingsPlanWorkflow } from '../../workflows';
import { runCliInProcess } from '../helpers/cli-in-process';
import { normaliseGolden } from '../helpers/golden';
import { testDataConverter } from '../helpers/payload-keys';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Issue 13, "done when": golden outputs of `status`, `statement` and `reconcile` (human and --json) over six
// scenarios run on the time-skipping server against the sandbox. The scenarios run one after the other at fixed
// business dates in 2031 (the server starts at the real time and skips forward to them), so every date, period,
// amount and Stockholm time in the goldens is exact; test/helpers/golden.ts names the little that is normalised.
// Each scenario ends with its plan finished, so nothing is left to make the server skip past the next one's start.
describe('operator view goldens: status, statement, reconcile over six scenarios (time-skipping, sandbox)', () => {
  let s: SavingsEnv;
  let env: Record<string, string>;
  let worker: Worker;
  let running: Promise<void>;
  let seededAt: string;
  /** A plain client: its calls never let the time-skipping server skip (see `finished`). */
  let client: Client;
  const accounts: string[] = [];

  beforeAll(async () => {
    s = await createSavingsEnv({ name: 'operator-goldens' });
    env = {
      TEMPORAL_ADDRESS: s.env.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: s.taskQueue,
      FONDO_ENV: 'local',
      FONDO_BASE_URL: s.sandbox.url,
    };
    // One worker for the whole file: the CLI's queries (also of finished plans) need it.
    worker = await s.newWorker();
    running = worker.run();
    client = new Client({ connection: s.env.connection, dataConverter: testDataConverter() });
    seededAt = s.sandbox.engine.store.instruments.get(FUND.kustlinje)!.priceDate;
  }, 90_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await s?.teardown();
  });
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  const cli = (...argv: string[]) => runCliInProcess(argv, env);

  /**
   * Skips to a fixed instant by which the plan has finished, and checks it has. (Awaiting a result through the
   * time-skipping client would let the server skip on to whatever timer is next, years ahead: business time here
   * moves only by `sleepUntil`, so every scenario sees the same dates.)
   */
  async function finished(handle: WorkflowHandle<typeof savingsPlanWorkflow>, until: string): Promise<void> {
    await s.sleepUntil(until);
    const { status } = await client.workflow.getHandle(handle.workflowId).describe();
    expect(status.name).toBe('COMPLETED');
  }
  const normalise = (text: string) => normaliseGolden(text, { keepIds: [CLIENT_1, ...accounts], seededAt });

  /** The command's output, human and --json, against its golden; returns the parsed JSON. */
  async function golden(command: 'status' | 'statement' | 'reconcile', planId: string, label: string): Promise<any> {
    const human = await cli(command, planId);
    const json = await cli('--json', command, planId);
    expect({ code: human.code, err: human.err }).toEqual({ code: 0, err: '' });
    expect({ code: json.code, err: json.err }).toEqual({ code: 0, err: '' });
    expect(normalise(human.out)).toMatchSnapshot(`${label}: ${command}`);
    expect(normalise(json.out)).toMatchSnapshot(`${label}: ${command} --json`);
    return json.json;
  }

  async function allThree(planId: string, label: string): Promise<{ status: PlanStatus; statement: Statement }> {
    const status = (await golden('status', planId, label)) as PlanStatus;
    const statement = (await golden('statement', planId, label)) as Statement;
    const reconciled = await golden('reconcile', planId, label);
    expect(reconciled).toEqual([{ planId, differences: [] }]); // the books match Fondo's, to the öre
    return { status, statement };
  }

  let nextAccount = 1300;
  async function startPlan(
    planId: string,
    allocation: { instrument: string; allocation: string }[],
    plan: Partial<PlanInput> & Pick<PlanInput, 'firstPeriod'>,
    account: Parameters<typeof createTestAccount>[2] = {}
  ): Promise<WorkflowHandle<typeof savingsPlanWorkflow>> {
    const { accountId } = await createTestAccount(s.api, nextAccount++, { allocation, ...account });
    accounts.push(accountId);
    return client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId(planId),
      args: [testPlan({ planId, accountId, lastPeriod: plan.firstPeriod, dayOfMonth: 10, ...plan })],
    });
  }

  const SIXTY_FORTY = [
    { instrument: FUND.fjallsjo, allocation: '60' },
    { instrument: FUND.kustlinje, allocation: '40' },
  ];
  const FIFTY_FIFTY = [
    { instrument: FUND.norrsken, allocation: '50' },
    { instrument: FUND.kustlinje, allocation: '50' },
  ];

  it('1. a plain invested cycle', async () => {
    await s.sleepUntil('2031-01-02T08:00:00Z');
    const handle = await startPlan('gold-plain', SIXTY_FORTY, { firstPeriod: '2031-01' });
    await finished(handle, '2031-01-20T08:00:00Z');
    const { statement } = await allThree('gold-plain', '1 plain invested cycle');
    const [p] = statement.periods;
    expect(p).toMatchObject({ period: '2031-01', outcome: 'invested', debitDate: '2031-01-10', paidAmount: '1000.00' });
    expect(p!.split.map((l) => [l.instrument, l.decision, l.amount, l.minimumKind])).toEqual([
      [FUND.fjallsjo, 'ordered', '600.00', 'initial'],
      [FUND.kustlinje, 'ordered', '400.00', 'initial'],
    ]);
  }, 180_000);

  it('2. a renewed payment (code 1)', async () => {
    await s.sleepUntil('2031-02-02T08:00:00Z');
    await s.api.control('POST', '/payment-failures', { code: '1', clientRefPrefix: 'gold-renewed:', count: 1 });
    const handle = await startPlan('gold-renewed', SIXTY_FORTY, { firstPeriod: '2031-02' });
    await finished(handle, '2031-02-24T08:00:00Z');
    const { statement } = await allThree('gold-renewed', '2 renewed payment');
    expect(statement.periods[0]!.payments.map((a) => [a.clientRef, a.status, a.bankgirotCode])).toEqual([
      ['gold-renewed:2031-02', 'failed', '1'],
      ['gold-renewed:2031-02:a2', 'completed', null],
    ]);
  }, 180_000);

  it('3. a held leg released (fund closed, then reopened)', async () => {
    await s.sleepUntil('2031-03-02T08:00:00Z');
    await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: false });
    const handle = await startPlan('gold-held', FIFTY_FIFTY, { firstPeriod: '2031-03' });
    // Paid on Mon 10 March; the day after, norrsken's leg is held while kustlinje's order is on its way.
    await s.sleepUntil('2031-03-11T12:00:00Z');
    const held = await allThree('gold-held', '3 held leg (while held)');
    expect(held.status.state).toBe('blocked-instrument');
    expect(held.statement.periods[0]!.held.map((h) => [h.instrument, h.amount, h.reason])).toEqual([
      [FUND.norrsken, '500.00', 'not-tradable'],
    ]);
    await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: true });
    await finished(handle, '2031-03-28T08:00:00Z');
    const { statement } = await allThree('gold-held', '3 held leg (released)');
    expect(statement.periods[0]!.legs.map((l) => [l.instrument, l.amount, l.status])).toEqual([
      [FUND.kustlinje, '500.00', 'settled'],
      [FUND.norrsken, '500.00', 'settled'],
    ]);
  }, 180_000);

  it('4. a KYC block with money waiting', async () => {
    await s.sleepUntil('2031-04-02T08:00:00Z');
    const handle = await startPlan('gold-kyc', SIXTY_FORTY, { firstPeriod: '2031-04' }, { kycOrder: false });
    await s.sleepUntil('2031-04-11T10:00:00Z');
    const blocked = await allThree('gold-kyc', '4 KYC block (blocked)');
    expect(blocked.status.state).toBe('blocked-kyc');
    const cycle = (blocked as unknown as { status: { runningCycles: CycleStatus[] } }).status.runningCycles[0]!;
    expect([cycle.phase, cycle.payments.at(-1)?.status]).toEqual(['blocked-kyc', 'completed']);
    await s.api.control('PATCH', `/accounts/${accounts.at(-1)!}`, { kyc: { order: true } });
    await finished(handle, '2031-04-28T08:00:00Z');
    await allThree('gold-kyc', '4 KYC block (cleared)');
  }, 180_000);

  it('5. a skip: the status names the pending skip and the next period submitted', async () => {
    await s.sleepUntil('2031-05-02T08:00:00Z');
    const handle = await startPlan('gold-skip', SIXTY_FORTY, { firstPeriod: '2031-05', lastPeriod: '2031-06' });
    await handle.signal(skipNextPeriodSignal);
    const skipping = await allThree('gold-skip', '5 skip (requested)');
    expect(skipping.status.pendingSkips).toEqual(['2031-05']);
    expect(skipping.status.nextSubmission).toEqual({
      period: '2031-06',
      debitDate: '2031-06-10',
      submissionDeadline: '2031-06-09T17:00:00.000Z',
    });
    await finished(handle, '2031-06-24T08:00:00Z');
    const { statement } = await allThree('gold-skip', '5 skip (done)');
    expect(statement.periods.map((p) => [p.period, p.outcome, p.paidAmount])).toEqual([
      ['2031-05', 'skipped', '0.00'],
      ['2031-06', 'invested', '1000.00'],
    ]);
  }, 180_000);

  it('6. a rebalance run', async () => {
    await s.sleepUntil('2031-07-01T08:00:00Z');
    const handle = await startPlan(
      'gold-rebalance',
      FIFTY_FIFTY,
      { firstPeriod: '2031-07', rebalance: { cashFlow: false } },
      {
        positions: [
          { instrument: FUND.norrsken, units: '100' },
          { instrument: FUND.kustlinje, units: '50' },
        ],
      }
    );
    await handle.signal(rebalanceNowSignal);
    await finished(handle, '2031-07-24T08:00:00Z');
    const { status, statement } = await allThree('gold-rebalance', '6 rebalance run');
    expect(status.rebalance.runs.map((r) => [r.date, r.trigger, r.outcome])).toEqual([
      ['2031-07-01', 'admin', 'completed'],
    ]);
    expect(statement.periods[0]!.rebalanceRuns.map((r) => r.date)).toEqual(['2031-07-01']);
  }, 180_000);
});
