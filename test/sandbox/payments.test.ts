import type { Sandbox } from '../../sandbox/server';
import { stockholmTime } from '../../shared/calendar';
import { CLIENT_1, createTestAccount, n, startTestSandbox, type SandboxApi } from '../helpers/sandbox';

const PAYMENT_PATH = `/v2/partner/client/${CLIENT_1}/instruction/payment`;

describe('sandbox autogiro payments', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  let nextAccount = 100;

  beforeAll(async () => ({ sandbox, api } = await startTestSandbox()));
  afterAll(() => sandbox.close());
  afterEach(() => expect(sandbox.engine.checkInvariants()).toEqual([]));

  const pay = (account: string, clientRef: string, amount = '500.00') =>
    api.post(PAYMENT_PATH, { type: 'autogiro', payments: [{ amount: n(amount), clientRef, account }] });
  const payments = async (instructionId: string) =>
    (await api.get(`/v2/partner/client/${CLIENT_1}/instruction/${instructionId}/payment`)).body;

  it('new → processing at D−1 19:00 → completed on D at 06:00 with a deposit carrying the clientRef', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++);
    const created = await pay(accountId, 'plan-1:2026-11');
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ type: 'autogiro', status: 'new', bankTransferRef: null });
    expect(created.body.instructions).toEqual([{ amount: '500.00', account: accountId, clientRef: 'plan-1:2026-11' }]);
    const id = created.body.id as string;
    // Submitted Monday 09:00 → debited Tuesday 2026-11-24 (the deadline is Monday 19:00).
    expect((await payments(id))[0]).toMatchObject({ status: 'new', debitDate: '2026-11-24', reasonCode: null });

    sandbox.engine.clock.set(Date.parse('2026-11-23T18:00:00.000Z')); // Monday 19:00 Stockholm
    expect((await payments(id))[0].status).toBe('processing');
    expect((await api.get(`/v2/partner/client/${CLIENT_1}/instruction/${id}`)).body.status).toBe('processing');

    sandbox.engine.clock.set(Date.parse('2026-11-24T04:59:59.000Z'));
    expect((await payments(id))[0].status).toBe('processing');
    sandbox.engine.clock.set(Date.parse('2026-11-24T05:00:00.000Z')); // Tuesday 06:00 Stockholm
    expect((await payments(id))[0].status).toBe('completed');

    const account = (await api.get(`/v2/partner/client/${CLIENT_1}/account/${accountId}`)).body;
    expect(account.balance).toBe('500.00');
    expect(account.amounts.deposited).toBe('500.00');
    const txs = (await api.get(`/v2/partner/client/${CLIENT_1}/account/${accountId}/transaction/cash`)).body;
    expect(txs).toHaveLength(1);
    expect(txs[0]).toMatchObject({
      transactionType: 'deposit',
      clientRef: 'plan-1:2026-11',
      amount: '500.00',
      refType: 'payment',
    });
  });

  it('a payment submitted after 19:00 is debited the banking day after next; weekends and holidays are skipped', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++);
    sandbox.engine.clock.set(Date.parse('2026-12-23T18:00:01.000Z')); // Wednesday 23 Dec 19:00:01 Stockholm
    const created = await pay(accountId, 'late:2026-12');
    // 24, 25, 26 (Sat), 27 (Sun) are not banking days; the next deadline is Monday 28 Dec 19:00 → 29 Dec.
    expect((await payments(created.body.id))[0].debitDate).toBe('2026-12-29');
  });

  it.each([
    ['1', 'Rejected: insufficient funds'],
    ['2', 'Rejected: no autogiro mandate (account closed or mandate cancelled)'],
    ['4', 'Rejected: mandate pending (account number change or mandate being set up)'],
  ])('a scheduled failure with Bankgirot code %s fails the payment and books nothing', async (code, reason) => {
    const { accountId } = await createTestAccount(api, nextAccount++);
    const rule = await api.control('POST', '/payment-failures', { code, account: accountId, count: 1 });
    expect(rule.status).toBe(201);
    const created = await pay(accountId, `fail-${code}:2026-12`);
    const next = await api.control('POST', '/clock', { advance: 'P7D' });
    expect(next.status).toBe(200);
    expect((await payments(created.body.id))[0]).toMatchObject({ status: 'failed', reasonCode: code, reason });
    expect((await api.get(`/v2/partner/client/${CLIENT_1}/account/${accountId}`)).body.balance).toBe('0.00');
    // The rule was used up: the next payment of the account completes.
    const second = await pay(accountId, `fail-${code}:2026-12:a2`);
    await api.control('POST', '/clock', { advance: 'P7D' });
    expect((await payments(second.body.id))[0].status).toBe('completed');
  });

  describe('code 9: renewed coverage checks on the same payment', () => {
    // The suite shares one business clock that only moves forward: each test starts in a later week (2027).
    const at = (date: string, time: string) => sandbox.engine.clock.set(Date.parse(stockholmTime(date, time)));
    const at0600 = (date: string) => at(date, '06:00');
    /** Pays at 09:00 on Monday `monday` → D = Tuesday; `checksWithoutCoverage` code-9 checks find no coverage. */
    async function renewedPayment(monday: string, ref: string, checksWithoutCoverage: number) {
      at(monday, '09:00');
      const { accountId } = await createTestAccount(api, nextAccount++);
      await api.control('POST', '/payment-failures', { code: '9', account: accountId, count: checksWithoutCoverage });
      const created = await pay(accountId, ref);
      return { accountId, id: created.body.id as string };
    }
    const balance = async (accountId: string) =>
      (await api.get(`/v2/partner/client/${CLIENT_1}/account/${accountId}`)).body.balance as string;

    it('stays processing with code 9 and completes on the next banking day, without a second payment', async () => {
      const { accountId, id } = await renewedPayment('2027-03-01', 'renew-1:2027-03', 1);
      const paymentsBefore = sandbox.engine.store.payments.size;
      at0600('2027-03-02');
      const [onD] = await payments(id);
      expect(onD).toMatchObject({
        status: 'processing',
        reasonCode: '9',
        reason: 'Rejected: renewed coverage check next banking day (renewed check 1 of 3 on 2027-03-03)',
        debitDate: '2027-03-03',
      });
      expect((await api.get(`/v2/partner/client/${CLIENT_1}/instruction/${id}`)).body.status).toBe('processing');
      expect(await balance(accountId)).toBe('0.00');

      at0600('2027-03-03');
      const [renewed] = await payments(id);
      expect(renewed).toMatchObject({ id: onD.id, status: 'completed', reasonCode: null, reason: null });
      expect(await balance(accountId)).toBe('500.00');
      expect((await api.get(`/v2/partner/client/${CLIENT_1}/instruction/${id}`)).body.status).toBe('completed');
      const txs = (await api.get(`/v2/partner/client/${CLIENT_1}/account/${accountId}/transaction/cash`)).body;
      expect(txs.map((t: { clientRef: string; amount: string }) => [t.clientRef, t.amount])).toEqual([
        ['renew-1:2027-03', '500.00'],
      ]);
      expect(sandbox.engine.store.payments.size).toBe(paymentsBefore);
    });

    it('renews on banking days only (Friday → Monday) and completes at the third renewed check', async () => {
      at('2027-03-11', '09:00'); // Thursday → D = Friday 12th
      const { accountId } = await createTestAccount(api, nextAccount++);
      await api.control('POST', '/payment-failures', { code: '9', account: accountId, count: 3 });
      const id = (await pay(accountId, 'renew-3:2027-03')).body.id as string;
      const seen: [string, string | null, string][] = [];
      for (const day of ['2027-03-12', '2027-03-15', '2027-03-16', '2027-03-17']) {
        at0600(day);
        const [p] = await payments(id);
        seen.push([p.status, p.reasonCode, p.debitDate]);
      }
      expect(seen).toEqual([
        ['processing', '9', '2027-03-15'],
        ['processing', '9', '2027-03-16'],
        ['processing', '9', '2027-03-17'],
        ['completed', null, '2027-03-17'],
      ]);
      expect(await balance(accountId)).toBe('500.00');
    });

    it('fails with code 1 when the third renewed check still finds no coverage; nothing is booked', async () => {
      // after Easter 2027 (Good Friday 26 March, Easter Monday 29 March)
      const { accountId, id } = await renewedPayment('2027-04-05', 'renew-x:2027-04', 4);
      await api.control('POST', '/clock', { advance: 'P10D' });
      const [p] = await payments(id);
      expect(p).toMatchObject({
        status: 'failed',
        reasonCode: '1',
        reason: 'Rejected: insufficient funds (no coverage after 3 renewed coverage checks)',
        debitDate: '2027-04-09',
      });
      expect(await balance(accountId)).toBe('0.00');
      expect(sandbox.engine.store.paymentFailures.filter((r) => r.account === accountId)).toEqual([]);
    });

    it('fails with code 2 when the mandate is gone by the renewed check', async () => {
      const { accountId, id } = await renewedPayment('2027-04-19', 'renew-m:2027-04', 1);
      at0600('2027-04-20');
      const account = sandbox.engine.store.accounts.get(accountId)!;
      for (const bank of account.bankAccounts) bank.deletedDate = '2027-04-20T10:00:00.000Z';
      at0600('2027-04-21');
      expect((await payments(id))[0]).toMatchObject({ status: 'failed', reasonCode: '2' });
      expect(await balance(accountId)).toBe('0.00');
    });
  });

  it('matches scheduled failures by clientRef prefix, for a given number of attempts', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++);
    await api.control('POST', '/payment-failures', { code: '1', clientRefPrefix: 'prefix-plan:', count: 2 });
    const ids = [];
    for (const ref of ['prefix-plan:2027-01', 'prefix-plan:2027-01:a2', 'prefix-plan:2027-01:a3']) {
      ids.push((await pay(accountId, ref)).body.id as string);
    }
    await api.control('POST', '/clock', { advance: 'P7D' });
    const statuses = await Promise.all(ids.map(async (id) => (await payments(id))[0].status));
    expect(statuses).toEqual(['failed', 'failed', 'completed']);
  });

  it('fails with code 2 when the account has no validated bank account (no mandate)', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { mandate: false });
    const created = await pay(accountId, 'nomandate:2027-01');
    await api.control('POST', '/clock', { advance: 'P7D' });
    expect((await payments(created.body.id))[0]).toMatchObject({ status: 'failed', reasonCode: '2' });
  });

  it('a duplicate clientRef answers 409 naming the existing instruction and changes nothing', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++);
    const first = await pay(accountId, 'dup:2027-02');
    const before = sandbox.engine.store.payments.size;
    const again = await pay(accountId, 'dup:2027-02', '999.00');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: 'conflict',
      existingId: first.body.id,
      existingType: 'paymentInstruction',
    });
    expect(sandbox.engine.store.payments.size).toBe(before);
  });

  it.each([
    [{ type: 'autogiro', payments: [] }, 'payments: must contain at least one payment'],
    [{ type: 'swish', payments: [] }, 'type: must be "autogiro"'],
    [
      { type: 'autogiro', payments: [{ amount: n('10.001'), clientRef: 'x', account: 'a' }] },
      'payments[0].amount: must have at most 2 decimals, got "10.001"',
    ],
    [
      { type: 'autogiro', payments: [{ amount: '10', clientRef: 'x', account: 'a' }] },
      'payments[0].amount: must be a number',
    ],
    [
      { type: 'autogiro', payments: [{ amount: n('-5'), clientRef: 'x', account: 'a' }] },
      'payments[0].amount: must not be negative, got "-5"',
    ],
    [
      { type: 'autogiro', payments: [{ amount: n('5'), clientRef: '', account: 'a' }] },
      'payments[0].clientRef: must not be empty',
    ],
    [
      { type: 'autogiro', payments: [{ amount: n('5'), clientRef: 'x' }] },
      "payments[0].account: is required: the sandbox needs each payment's destination account",
    ],
  ])('rejects a bad request with 400 naming the field: %j', async (body, description) => {
    const res = await api.post(PAYMENT_PATH, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
  });

  it('rejects payments to an account that is not active (422) and to unknown accounts (404)', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { status: 'pending' });
    expect((await pay(accountId, 'pending:1')).body.error).toBe('account_not_active');
    expect((await pay('00000000-0000-4000-8000-000000000000', 'nobody:1')).status).toBe(404);
  });
});
