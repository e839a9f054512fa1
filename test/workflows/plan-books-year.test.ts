import { savingsPlanWorkflow } from '../../workflows';
import { addBankingDays, addPeriods, debitDate, stockholmTime } from '../../shared/calendar';
import { planWorkflowId } from '../../shared/ids';
import { ATTENTION_AFTER_CYCLES } from '../../shared/ledger';
import { cancelPlanSignal, planStatusQuery } from '../../shared/messages';
import { dec } from '../../shared/money';
import type { PlanStatus } from '../../shared/status';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Issue 11, "done when": a year of a 3-fund plan with cash-flow on — a fund with a 1 000 SEK minimum, a closed fund, a
// KYC block, a code-1 payment failure and a drift rebalance — on an account that starts with no cash and holds only
// this plan. At every month end the plan ledger's free + held + carried cash is the account's cash at Fondo to the
// öre, and no money stays free for more than 3 cycles without an attention item.
describe("a year of one plan's money books", () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'books-year' })), 60_000);
  afterAll(() => s?.teardown());

  it('every month end: free + held + carried = the account cash, to the öre', async () => {
    const { accountId } = await createTestAccount(s.api, 1300, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '40' }, // NAV 254.81, minimum 100
        { instrument: FUND.ekskog, allocation: '30' }, // NAV 1 893.55, 2 unit decimals, minimum 1 000 / 500
        { instrument: FUND.kustlinje, allocation: '30' }, // NAV 108.42, no minimum
      ],
    });
    const planId = 'books-year';
    const first = await s.upcomingPeriod();
    const periods = Array.from({ length: 12 }, (_, i) => addPeriods(first, i));
    const p = (month: number) => periods[month - 1]!;
    const debit = (month: number) => debitDate(p(month), 10);
    await s.sleepUntil(`${first}-01T08:00:00Z`);
    const cash = async () => (await s.api.get(`/v2/partner/client/${CLIENT_1}/account/${accountId}`)).body.balance;

    const monthEnds: { period: string; planCash: string; accountCash: string; status: PlanStatus }[] = [];
    const result = await s.run(async () => {
      const handle = await s.env.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: s.taskQueue,
        workflowId: planWorkflowId(planId),
        args: [
          testPlan({
            planId,
            accountId,
            amount: '1000.00',
            dayOfMonth: 10,
            firstPeriod: first,
            rebalance: { enabled: true, band: { absolutePp: '10' }, cashFlow: true },
          }),
        ],
      });
      for (let month = 1; month <= 12; month++) {
        if (month === 2)
          await s.api.control('POST', '/payment-failures', {
            code: '1',
            clientRefPrefix: `${planId}:${p(2)}`,
            count: 1,
          });
        if (month === 4) await s.api.control('PATCH', `/instruments/${FUND.ekskog}`, { isTradable: false });
        if (month === 6) await s.api.control('PATCH', `/accounts/${accountId}`, { kyc: { order: false } });
        if (month === 8) await s.api.control('PATCH', `/instruments/${FUND.norrsken}`, { closePrice: '509.62' });
        if (month === 4) {
          await s.sleepUntil(stockholmTime(addBankingDays(debit(4), 2), '12:00'));
          await s.api.control('PATCH', `/instruments/${FUND.ekskog}`, { isTradable: true });
        }
        if (month === 6) {
          await s.sleepUntil(stockholmTime(addBankingDays(debit(6), 3), '12:00'));
          await s.api.control('PATCH', `/accounts/${accountId}`, { kyc: { order: true } });
        }
        await s.sleepUntil(stockholmTime(`${p(month)}-28`, '20:00'));
        const status = await handle.query(planStatusQuery);
        expect({ period: p(month), active: status.activeCycles, running: status.rebalance.running }).toEqual({
          period: p(month),
          active: [],
          running: null,
        });
        const t = status.books!.totals;
        const planCash = dec(t.free).plus(t.held).plus(t.carried).toFixed(2);
        monthEnds.push({ period: p(month), planCash, accountCash: await cash(), status });
      }
      await handle.signal(cancelPlanSignal);
      return handle.result();
    });

    // The books and Fondo agree at every month end.
    expect(monthEnds.map((m) => [m.period, m.planCash])).toEqual(monthEnds.map((m) => [m.period, m.accountCash]));
    // No money free or carried longer than 3 cycles without an attention item naming it.
    for (const { status } of monthEnds) {
      const old = status.books!.uninvested.filter((u) => u.cycles >= ATTENTION_AFTER_CYCLES);
      const reasons = status.attention.map((a) => a.reason).join('\n');
      for (const item of old) {
        expect(reasons).toContain('has stayed uninvested');
        if (item.instrument) expect(reasons).toContain(item.instrument);
      }
    }
    // Every krona: 12 000 collected = settled (net of sells) + the plan's cash.
    const last = monthEnds.at(-1)!.status.books!.totals;
    expect(last.collected).toBe('12000.00');
    expect(dec(last.settled).plus(monthEnds.at(-1)!.planCash).toFixed(2)).toBe('12000.00');

    // The year's events happened as staged.
    expect(result.cycles.map((c) => c.period)).toEqual(periods);
    const cycle = (month: number) => result.cycles.find((c) => c.period === p(month))!;
    expect(cycle(2).payments.map((a) => [a.status, a.reasonCode])).toEqual([
      ['failed', '1'],
      ['completed', null],
    ]);
    // The most underweight fund closed for the month: cash-flow steered the pool to what could be bought, nothing
    // stranded.
    expect(cycle(4).orders.some((o) => o.instrument === FUND.ekskog)).toBe(false);
    expect(cycle(4).orders.length).toBeGreaterThan(0);
    expect(cycle(4).residual).toBe('0.00');
    expect(cycle(6).explanation.join(' ')).toContain('KYC does not allow orders');
    const runs = monthEnds.at(-1)!.status.rebalance.runs;
    expect(runs.some((r) => r.trigger === 'drift' && r.orders.some((o) => o.status === 'settled'))).toBe(true);
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  }, 600_000);
});
