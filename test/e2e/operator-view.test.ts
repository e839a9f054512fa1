import type { Statement } from '../../cli/statement';
import type { PlanReconciliation } from '../../cli/reconcile';
import type { CycleStatus, PlanStatus } from '../../shared/status';
import { runCli, type CliResult } from '../helpers/cli';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';

// The operator's view end to end on the dev server: statement, status (next action) and reconcile read a real plan
// and the sandbox's records; differences injected through the sandbox control API are reported with their exact
// reference and amount, and reconcile's exit code says so.
describe('operator view: statement, status, reconcile (dev server, sandbox, event bridge)', () => {
  let s: SavingsEnv;
  let env: Record<string, string>;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    s = await createSavingsEnv({ kind: 'dev', bridge: true, name: 'operator-view' });
    env = {
      TEMPORAL_ADDRESS: s.env.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: s.taskQueue,
      FONDO_ENV: 'local',
      FONDO_BASE_URL: s.sandbox.url,
    };
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

  async function stepUntil(done: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      if (await done()) return;
      await s.api.control('POST', '/clock/next');
      await new Promise((r) => setTimeout(r, 400));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function createPlan(planId: string, n: number): Promise<{ accountId: string; period: string }> {
    const { accountId } = await createTestAccount(s.api, 900 + n, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.kustlinje, allocation: '40' },
      ],
    });
    const created = await cli(
      '--json',
      'create',
      '--plan-id',
      planId,
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
    return { accountId, period: (created.json as { firstPeriod: string }).firstPeriod };
  }

  it('tells an invested period, what happens next, and finds no difference until one is injected', async () => {
    const a = await createPlan('view-a', 1);
    await stepUntil(async () => (await status('view-a')).cycles.length === 1, 'the first cycle');

    const statement = await cli('--json', 'statement', 'view-a');
    expect(statement.code).toBe(0);
    const st = statement.json as Statement;
    expect(st.schema).toBe('savings-statement/1');
    expect(st.periods).toHaveLength(1);
    const p = st.periods[0]!;
    expect(p).toMatchObject({ period: a.period, state: 'completed', outcome: 'invested', paidAmount: '1000.00' });
    expect(p.payments).toEqual([
      expect.objectContaining({
        attempt: 1,
        clientRef: `view-a:${a.period}`,
        status: 'completed',
        bankgirotCode: null,
      }),
    ]);
    expect(p.legs.map((l) => [l.instrument, l.amount, l.status])).toEqual([
      [FUND.fjallsjo, '600.00', 'settled'],
      [FUND.kustlinje, '400.00', 'settled'],
    ]);
    for (const l of p.legs) {
      expect(l.unitsBooked).toMatch(/^\d+(\.\d+)?$/);
      expect(l.price).toMatch(/^\d+(\.\d+)?$/);
      expect(l.remainder).toMatch(/^\d+\.\d{2}$/);
    }
    const human = await cli('statement', 'view-a', '--period', a.period);
    expect(human.stdout).toContain(`Period ${a.period} — completed: invested`);
    expect(human.stdout).toMatch(
      /Submit by\s+\d{4}-\d{2}-\d{2} 19:00 CES?T \(Bankgirot cut-off for the scheduled debit\)/
    );
    expect(human.stdout).toContain('(balanced)');
    expect(human.stdout).toContain('1\u00a0000,00\u00a0kr');
    expect((await cli('statement', 'view-a', '--period', '2026-13')).code).toBe(2);

    const st2 = await cli('status', 'view-a');
    expect(st2.stdout).toMatch(
      /Next: by \d{4}-\d{2}-\d{2} 19:00 CES?T: submit 1\u00a0000,00\u00a0kr for debit on \w{3} \d+ \w{3} \d{4}/
    );
    expect(st2.stdout).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/);

    const clean = await cli('reconcile', 'view-a');
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toContain('view-a: books match Fondo');

    // Money the plan does not know arrives on its account.
    await s.api.control('POST', `/accounts/${a.accountId}/deposits`, { amount: '250.00', clientRef: 'manual-topup-1' });
    const dirty = await cli('--json', 'reconcile', 'view-a');
    expect(dirty.code).toBe(3);
    expect(dirty.json as PlanReconciliation[]).toEqual([
      {
        planId: 'view-a',
        differences: [
          expect.objectContaining({
            kind: 'unknown-to-plan',
            record: 'cash-transaction',
            reference: 'manual-topup-1',
            custodian: 'deposit 250.00',
          }),
        ],
      },
    ]);

    // An order the fund company cancels while the plan does not hear of it (the event bridge is down).
    const b = await createPlan('view-b', 2);
    // Both orders placed and booked by the cycle; then the bridge stops (all it had delivered), so nothing tells
    // the cycle of the cancel below (events are only hints: any event would make it read the order again).
    await stepUntil(async () => {
      const running = ((await cli('--json', 'status', 'view-b')).json as { runningCycles?: CycleStatus[] })
        .runningCycles;
      return running?.[0]?.phase === 'waiting-orders' && running[0].orders.filter((o) => o.orderId).length === 2;
    }, 'the orders of view-b');
    await s.bridge!.idle();
    await s.bridge!.stop();
    await new Promise((r) => setTimeout(r, 2000)); // the last delivered event's read has run
    const [order] = await placedOrders(b.accountId);
    await s.api.control('POST', `/orders/${order!.id}/cancel`, {});
    const all = await cli('--json', 'reconcile', '--all');
    expect(all.code).toBe(3);
    const byPlan = Object.fromEntries((all.json as PlanReconciliation[]).map((r) => [r.planId, r.differences]));
    expect(byPlan['view-b']).toEqual([
      expect.objectContaining({
        kind: 'status-differs',
        record: 'order',
        reference: order!.clientRef,
        custodian: 'canceled',
      }),
    ]);
    expect(byPlan['view-a']).toHaveLength(1);
    expect((await cli('reconcile')).code).toBe(2);
  }, 240_000);

  async function placedOrders(accountId: string): Promise<{ id: string; clientRef: string }[]> {
    const orders: { id: string; clientRef: string; account: string }[] = [];
    for await (const o of s.fondo.iterateOrders(CLIENT_1))
      orders.push({ id: o.id, clientRef: o.clientRef ?? '', account: o.account });
    return orders.filter((o) => o.account === accountId);
  }
});
