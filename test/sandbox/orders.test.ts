import type { Sandbox } from '../../sandbox/server';
import { CLIENT_1, CLIENT_2, createTestAccount, FUND, n, startTestSandbox, type SandboxApi } from '../helpers/sandbox';

const ORDERS = `/v2/partner/client/${CLIENT_1}/order`;
const at = (iso: string) => Date.parse(iso);

describe('sandbox fund orders', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  let nextAccount = 200;

  // A fresh sandbox per test: every test starts on Monday 2026-11-23 09:00 Stockholm.
  beforeEach(async () => ({ sandbox, api } = await startTestSandbox()));
  afterEach(async () => {
    expect(sandbox.engine.checkInvariants()).toEqual([]);
    await sandbox.close();
  });

  const subscribe = (account: string, instrument: string, amount: string, clientRef?: string) =>
    api.post(ORDERS, {
      orderType: 'subscription',
      account,
      instrument,
      amount: n(amount),
      ...(clientRef ? { clientRef } : {}),
    });
  const redeem = (account: string, instrument: string, units: string, clientRef?: string) =>
    api.post(ORDERS, {
      orderType: 'redemption',
      account,
      instrument,
      units: n(units),
      ...(clientRef ? { clientRef } : {}),
    });
  const order = async (id: string) => (await api.get(`${ORDERS}/${id}`)).body;
  const account = async (id: string) => (await api.get(`/v2/partner/client/${CLIENT_1}/account/${id}`)).body;

  it('subscription: received → sent at the 13:00 cut-off → confirmed at the next NAV → settled T+2 with transactions', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const events: string[] = [];
    const unsubscribe = sandbox.engine.events.subscribe((clientId, e) => {
      if (clientId !== CLIENT_1) return;
      events.push(
        e.eventType.startsWith('order.') ? `${e.eventType}:${(e.current as { status: string }).status}` : e.eventType
      );
    });
    const created = await subscribe(accountId, FUND.fjallsjo, '500.00', 'sub-1');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'received',
      orderType: 'subscription',
      amount: '500.00',
      units: null,
      clientRef: 'sub-1',
    });
    const id = created.body.id as string;

    sandbox.engine.clock.set(at('2026-11-23T11:59:59Z'));
    expect((await order(id)).status).toBe('received');
    sandbox.engine.clock.set(at('2026-11-23T12:00:00Z')); // Monday 13:00 Stockholm
    expect((await order(id)).status).toBe('sent');

    // The NAV moves before pricing: the order gets the next NAV, not the one at order time.
    await api.control('PATCH', `/instruments/${FUND.fjallsjo}`, { closePrice: '400.00' });
    sandbox.engine.clock.set(at('2026-11-24T08:00:00Z')); // Tuesday 09:00
    const confirmed = await order(id);
    expect(confirmed).toMatchObject({ status: 'confirmed', price: '400.00', units: '1.25' }); // 500 / 400, 4 decimals
    expect((await account(accountId)).balance).toBe('1000.00'); // cash moves at settlement

    sandbox.engine.clock.set(at('2026-11-25T08:00:00Z')); // Wednesday 09:00 = T+2
    const settled = await order(id);
    expect(settled.status).toBe('settled');
    expect(settled.settlementDate).toBe('2026-11-25T08:00:00.000Z');
    const a = await account(accountId);
    expect(a.balance).toBe('500.00');
    expect(a.positions).toEqual([
      expect.objectContaining({ instrument: FUND.fjallsjo, units: '1.25', unitsSettled: '1.25' }),
    ]);
    const fundTx = (await api.get(`/v2/partner/client/${CLIENT_1}/transaction/fund?ref=${id}`)).body;
    expect(fundTx).toEqual([
      expect.objectContaining({ transactionType: 'subscription', units: '1.25', price: '400.00', clientRef: 'sub-1' }),
    ]);
    const cashTx = (await api.get(`/v2/partner/client/${CLIENT_1}/transaction/cash?ref=${id}&reftype=order`)).body;
    expect(cashTx).toEqual([expect.objectContaining({ transactionType: 'subscription', amount: '500.00' })]);
    unsubscribe();
    expect(events).toEqual([
      'order.create:received',
      'order.update:sent',
      'instrument.reloaded',
      'order.update:confirmed',
      'account.update',
      'order.update:settled',
      'fundTransaction.create',
      'cashTransaction.create',
      'account.update',
    ]);
  });

  it('charges units × NAV rounded up to öre and releases the rest when units round down', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '3000.00' });
    const id = (await subscribe(accountId, FUND.vinterviken, '2600.00')).body.id as string; // NAV 1248.02, whole units
    await api.control('POST', '/clock', { advance: 'P3D' });
    const o = await order(id);
    expect(o).toMatchObject({ status: 'settled', units: '2', price: '1248.02' });
    expect((await account(accountId)).balance).toBe('503.96'); // 3000 − 2 × 1248.02
  });

  it("an order placed after the cut-off is sent at the next banking day's cut-off; a fund cut-off can differ", async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    sandbox.engine.clock.set(at('2026-11-27T12:30:00Z')); // Friday 13:30 Stockholm
    const late = (await subscribe(accountId, FUND.norrsken, '100.00')).body.id as string;
    const granit = (await subscribe(accountId, FUND.granit, '100.00')).body.id as string; // cut-off 15:30
    sandbox.engine.clock.set(at('2026-11-27T14:30:00Z'));
    expect((await order(late)).status).toBe('received');
    expect((await order(granit)).status).toBe('sent');
    sandbox.engine.clock.set(at('2026-11-30T12:00:00Z')); // Monday 13:00
    expect((await order(late)).status).toBe('sent');
  });

  it('parks an order in hold while its fund is closed at the cut-off, then sends it when trading resumes', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const parked = (await subscribe(accountId, FUND.norrsken, '200.00')).body.id as string;
    const canceled = (await subscribe(accountId, FUND.norrsken, '300.00')).body.id as string;
    await api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: false });
    sandbox.engine.clock.set(at('2026-11-24T12:00:00Z')); // Monday's and Tuesday's cut-offs pass
    expect(await order(parked)).toMatchObject({ status: 'hold', reason: 'instrument_not_tradable' });
    expect((await api.delete(`${ORDERS}/${canceled}`)).body.status).toBe('canceled'); // hold is still cancelable

    await api.control('PATCH', `/instruments/${FUND.norrsken}`, { isTradable: true });
    sandbox.engine.clock.set(at('2026-11-25T12:00:00Z')); // Wednesday 13:00: trading resumed
    expect(await order(parked)).toMatchObject({ status: 'sent', reason: null });
    sandbox.engine.clock.set(at('2026-11-27T08:00:00Z')); // settles T+2 = Friday
    expect((await order(parked)).status).toBe('settled');
    // 200 / 254.81 = 0.7848 units (4 decimals); charged 0.7848 × 254.81 = 199.975… rounded up = 199.98.
    expect((await account(accountId)).balance).toBe('800.02');
  });

  it('redemption: units reserved, proceeds = units × NAV rounded down, credited at settlement', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, {
      positions: [{ instrument: FUND.kustlinje, units: '10.123456' }],
    });
    const id = (await redeem(accountId, FUND.kustlinje, '3.5', 'red-1')).body.id as string;
    // Reserved units cannot be sold twice.
    const tooMany = await redeem(accountId, FUND.kustlinje, '6.623457');
    expect(tooMany.body.error).toBe('insufficient_units');
    await api.control('POST', '/clock', { advance: 'P5D' });
    expect(await order(id)).toMatchObject({ status: 'settled', units: '3.5', amount: '379.47' }); // 3.5 × 108.42 = 379.47
    const a = await account(accountId);
    expect(a.balance).toBe('379.47');
    expect(a.positions[0]).toMatchObject({ units: '6.623456', unitsSettled: '6.623456' });
  });

  it('order/withdrawal sells and pays the proceeds out to a validated bank account', async () => {
    const { accountId, bankAccountId } = await createTestAccount(api, nextAccount++, {
      positions: [{ instrument: FUND.nordkap, units: '5' }],
    });
    const res = await api.post(`${ORDERS}/withdrawal`, {
      orderType: 'redemption',
      account: accountId,
      instrument: FUND.nordkap,
      units: n('2'),
      executorRef: '198003141002',
      bankAccount: bankAccountId,
    });
    expect(res.status).toBe(201);
    await api.control('POST', '/clock', { advance: 'P5D' });
    const a = await account(accountId);
    expect(a).toMatchObject({ balance: '0.00', amounts: { withdrawn: '200.00' } });
  });

  describe('rejections', () => {
    let accountId: string;
    beforeEach(async () => {
      ({ accountId } = await createTestAccount(api, nextAccount++, {
        balance: '2000.00',
        positions: [
          { instrument: FUND.polarljus, units: '1' },
          { instrument: FUND.klippan, units: '2' },
          { instrument: FUND.granit, units: '1' },
        ],
      }));
    });

    it.each([
      [
        'account not active',
        async () =>
          subscribe(
            (await createTestAccount(api, nextAccount++, { status: 'pending', balance: '500' })).accountId,
            FUND.fjallsjo,
            '200'
          ),
        'account_not_active',
      ],
      [
        'KYC incomplete',
        async () =>
          subscribe(
            (await createTestAccount(api, nextAccount++, { kycOrder: false, balance: '500' })).accountId,
            FUND.fjallsjo,
            '200'
          ),
        'kyc_incomplete',
      ],
      ['unknown instrument', () => subscribe(accountId, 'XX0000000000SEK', '200'), 'unknown_instrument'],
      ['not tradable', () => subscribe(accountId, FUND.lodjur, '2000'), 'instrument_not_tradable'],
      ['not buyable', () => subscribe(accountId, FUND.renhjord, '200'), 'instrument_not_buyable'],
      ['below the initial minimum', () => subscribe(accountId, FUND.ekskog, '999.99'), 'below_minimum'],
      ['below minInvestmentAmountSEK', () => subscribe(accountId, FUND.fjallsjo, '99.99'), 'below_minimum'],
      ['insufficient cash', () => subscribe(accountId, FUND.fjallsjo, '2000.01'), 'insufficient_funds'],
      ['not sellable', () => redeem(accountId, FUND.klippan, '1'), 'instrument_not_sellable'],
      ['too many unit decimals', () => redeem(accountId, FUND.polarljus, '0.0001'), 'invalid_unit_decimals'],
      ['more units than held', () => redeem(accountId, FUND.polarljus, '1.001'), 'insufficient_units'],
      ['a fund nobody holds', () => redeem(accountId, FUND.norrsken, '1'), 'insufficient_units'],
    ])('%s → 422 %s', async (_name, place, code) => {
      const before = sandbox.engine.store.orders.size;
      const res = await place();
      expect(res.status).toBe(422);
      expect(res.body.error).toBe(code);
      expect(sandbox.engine.store.orders.size).toBe(before);
    });

    it('applies the subsequent minimum once the account holds the fund', async () => {
      expect((await subscribe(accountId, FUND.polarljus, '100.00')).status).toBe(201); // holds 1 unit: min 100
      const { accountId: fresh } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
      expect((await subscribe(fresh, FUND.polarljus, '499.99')).body.error).toBe('below_minimum'); // initial 500
    });

    it("rejects an instrument outside the client's universe", async () => {
      const { accountId: other } = await createTestAccount(api, nextAccount++, {
        clientId: CLIENT_2,
        balance: '1000.00',
      });
      const res = await api.post(`/v2/partner/client/${CLIENT_2}/order`, {
        orderType: 'subscription',
        account: other,
        instrument: FUND.polarljus,
        amount: n('600'),
      });
      expect(res.body.error).toBe('instrument_not_in_universe');
    });

    it.each([
      [
        { orderType: 'purchase', account: 'a', instrument: 'i', amount: n('1') },
        'orderType: orderType must be "subscription" or "redemption"',
      ],
      [{ orderType: 'subscription', instrument: 'i', amount: n('1') }, 'account: is required'],
      [
        { orderType: 'subscription', account: 'a', instrument: 'i', amount: n('1.005') },
        'amount: must have at most 2 decimals, got "1.005"',
      ],
      [
        { orderType: 'redemption', account: 'a', instrument: 'i', units: n('0.12345678') },
        'units: must have at most 7 decimals, got "0.12345678"',
      ],
      [
        { orderType: 'subscription', account: 'a', instrument: 'i', amount: n('1'), executorRef: '197001010003' },
        'executorRef: must be a valid personnummer',
      ],
    ])('400 naming the field for %j', async (body, description) => {
      const res = await api.post(ORDERS, body);
      expect(res.status).toBe(400);
      expect(res.body.error_description).toBe(description);
    });

    it('validate-only runs every check and creates nothing', async () => {
      const before = sandbox.engine.store.orders.size;
      const ok = await api.post(`${ORDERS}?validate-only=true`, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.norrsken,
        amount: n('150'),
      });
      expect(ok.status).toBe(204);
      const bad = await api.post(`${ORDERS}?validate-only=true`, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.norrsken,
        amount: n('99'),
      });
      expect(bad.body.error).toBe('below_minimum');
      expect(sandbox.engine.store.orders.size).toBe(before);
    });

    it('a duplicate clientRef answers 409 with the existing order id', async () => {
      const first = await subscribe(accountId, FUND.norrsken, '150.00', 'dup-order-1');
      const again = await subscribe(accountId, FUND.norrsken, '150.00', 'dup-order-1');
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: 'conflict', existingId: first.body.id, existingType: 'order' });
    });
  });

  describe('cancel', () => {
    it('before sent: canceled, reservation released, idempotent', async () => {
      const { accountId } = await createTestAccount(api, nextAccount++, { balance: '500.00' });
      const id = (await subscribe(accountId, FUND.norrsken, '500.00')).body.id as string;
      expect((await subscribe(accountId, FUND.norrsken, '100.00')).body.error).toBe('insufficient_funds');
      const canceled = await api.delete(`${ORDERS}/${id}`);
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({ status: 'canceled', reason: 'canceled_by_partner' });
      expect((await api.delete(`${ORDERS}/${id}`)).body.status).toBe('canceled');
      expect((await subscribe(accountId, FUND.norrsken, '500.00')).status).toBe(201);
    });

    it('after sent: 409 order_not_cancelable and the order continues', async () => {
      const { accountId } = await createTestAccount(api, nextAccount++, { balance: '500.00' });
      const id = (await subscribe(accountId, FUND.norrsken, '200.00')).body.id as string;
      await api.control('POST', '/clock', { advance: 'P1D' });
      expect((await order(id)).status).not.toBe('received');
      const res = await api.delete(`${ORDERS}/${id}`);
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('order_not_cancelable');
      await api.control('POST', '/clock', { advance: 'P4D' });
      expect((await order(id)).status).toBe('settled');
    });

    it('the fund company can cancel a sent order through the control API', async () => {
      const { accountId } = await createTestAccount(api, nextAccount++, {
        positions: [{ instrument: FUND.nordkap, units: '3' }],
      });
      const id = (await redeem(accountId, FUND.nordkap, '3')).body.id as string;
      await api.control('POST', '/clock', { advance: 'PT6H' });
      const sentOrReceived = (await order(id)).status;
      expect(['received', 'sent']).toContain(sentOrReceived);
      const res = await api.control('POST', `/orders/${id}/cancel`, { reason: 'fund_suspended' });
      expect(res.body).toMatchObject({ status: 'canceled', reason: 'fund_suspended' });
      expect((await redeem(accountId, FUND.nordkap, '3')).status).toBe(201); // units free again
    });
  });

  it('lists orders in creation order with start/limit/modifiedFrom, never repeating', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '5000.00' });
    const since = sandbox.engine.clock.nowIso();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await subscribe(accountId, FUND.kustlinje, '10.00', `page-${i}`)).body.id as string);
    const seen: string[] = [];
    let start: string | undefined;
    for (;;) {
      const res = await api.get(`${ORDERS}?limit=3&modifiedFrom=${since}${start ? `&start=${start}` : ''}`);
      const mine = (res.body as { id: string; sortedId: string }[]).filter((o) => ids.includes(o.id));
      seen.push(...mine.map((o) => o.id));
      if (res.body.length < 3) break;
      start = res.body[res.body.length - 1].sortedId;
    }
    expect(seen).toEqual(ids);
    expect((await api.get(`${ORDERS}?limit=0`)).body.error_description).toBe('limit: must be at least 1');
  });
});
