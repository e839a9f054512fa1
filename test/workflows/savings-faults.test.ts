import { savingsPlanWorkflow } from '../../workflows';
import { debitDate, stockholmTime } from '../../shared/calendar';
import { planWorkflowId } from '../../shared/ids';
import { formatSek } from '../../shared/money';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Exactly-once effects under ambiguous failures: every payment and order is created once, whatever is lost.
describe('exactly once under faults and worker restarts', () => {
  let s: SavingsEnv;
  let account = 600;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'faults' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(async () => {
    await s.api.control('DELETE', '/faults');
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  });

  const objects = (planId: string) => ({
    payments: [...s.sandbox.engine.store.payments.values()]
      .filter((p) => p.clientRef.startsWith(`${planId}:`))
      .map((p) => p.clientRef),
    orders: [...s.sandbox.engine.store.orders.values()]
      .filter((o) => o.clientRef?.startsWith(`${planId}:`))
      .map((o) => o.clientRef),
  });

  async function plan(planId: string) {
    const { accountId } = await createTestAccount(s.api, account++, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
    });
    const period = await s.upcomingPeriod();
    await s.sleepUntil(`${period}-01T08:00:00Z`);
    const start = () =>
      s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [testPlan({ planId, accountId, firstPeriod: period, lastPeriod: period, dayOfMonth: 10 })],
      });
    return { period, start };
  }

  it('"commit then drop the response" on payment and order creation: still exactly one of each', async () => {
    const { period, start } = await plan('dropped');
    await s.api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/instruction/payment',
      kind: 'drop-after-commit',
      count: 1,
    });
    await s.api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/order',
      kind: 'drop-after-commit',
      count: 2,
    });
    const result = await s.run(async () => (await start()).result());
    const cycle = result.cycles[0]!;
    expect(cycle.outcome).toBe('invested');
    expect(objects('dropped')).toEqual({
      payments: [`dropped:${period}`],
      orders: [`dropped:${period}:${FUND.norrsken}`, `dropped:${period}:${FUND.kustlinje}`],
    });
    expect(cycle.payments).toHaveLength(1);
    expect(cycle.explanation.join(' ')).toContain('found (placed by an earlier attempt)');
    const faults = (await s.api.control('GET', '/faults')).body;
    expect(faults).toEqual([]); // every injected fault fired
  }, 120_000);

  it('rate limits and outages on reads and creates are retried (honouring Retry-After) without duplicates', async () => {
    const { period, start } = await plan('flaky');
    await s.api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/instruction/payment',
      kind: '503',
      count: 2,
    });
    await s.api.control('POST', '/faults', {
      route: 'GET /v2/partner/client/:client_id/account/:account_id',
      kind: '429',
      count: 2,
      retryAfterSeconds: 1,
    });
    await s.api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/order',
      kind: '500',
      count: 1,
    });
    const result = await s.run(async () => (await start()).result());
    expect(result.cycles[0]!.outcome).toBe('invested');
    expect(objects('flaky').payments).toEqual([`flaky:${period}`]);
    expect(objects('flaky').orders).toHaveLength(2);
  }, 120_000);

  it('a worker stopped mid-cycle (one killed with an order create in flight) and restarted: no duplicate payment or order', async () => {
    const { period, start } = await plan('restart');
    // The first order create is held for 3 s by the sandbox: the worker goes away while it is in flight; the
    // sandbox still commits it afterwards, so only the reference can tell the next worker it exists.
    await s.api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/order',
      kind: 'latency',
      latencyMs: 3000,
      count: 1,
    });
    // The time-skipping server keeps a stopped worker's sticky queue; without a cache every task goes to the
    // shared queue, as a real server does once the sticky timeout passes after a crash.
    const first = await s.newWorker({ maxCachedWorkflows: 0 });
    const handle = await first.runUntil(async () => {
      const h = await start();
      // 08:00 Stockholm is the cycle's first payment check: skip to it, so the payment is found completed and the
      // first order create starts — and hangs in the sandbox for 3 s. Stop the worker as soon as it is in flight.
      await s.sleepUntil(stockholmTime(debitDate(period, 10), '08:00'));
      const inFlight = async () => ((await s.api.control('GET', '/faults')).body as unknown[]).length === 0;
      for (let i = 0; i < 500 && !(await inFlight()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await inFlight()).toBe(true);
      return h;
    });
    expect(objects('restart').orders).toEqual([]); // the create was in flight when the worker stopped
    await new Promise((r) => setTimeout(r, 3500)); // the held create commits after the worker is gone
    expect(objects('restart').orders).toEqual([`restart:${period}:${FUND.norrsken}`]);
    const second = await s.newWorker();
    const result = await second.runUntil(handle.result());
    expect(result.cycles[0]!.outcome).toBe('invested');
    expect(result.cycles[0]!.explanation).toContain(
      `${FUND.norrsken}: order restart:${period}:${FUND.norrsken} found (placed by an earlier attempt) for ${formatSek('500')}.`
    );
    expect(objects('restart')).toEqual({
      payments: [`restart:${period}`],
      orders: [`restart:${period}:${FUND.norrsken}`, `restart:${period}:${FUND.kustlinje}`],
    });
  }, 120_000);
});
