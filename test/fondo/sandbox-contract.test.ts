/**
 * Contract check: FondoClient against our stateful Fondo sandbox (sandbox/), which speaks the same wire contract
 * as Fondo. Every response the client reads here must pass its schema; a drift between the two fails this file.
 */
import { clearTokenCache, FondoClient, type FondoStreamItem, type PaymentInstructionRequest } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { ACCOUNT, CLIENT_1, createTestAccount, FUND, startTestSandbox, type SandboxApi } from '../helpers/sandbox';
import { failureOf } from './helpers/failure-of';

let sandbox: Sandbox;
let api: SandboxApi;
let client: FondoClient;
let nextAccount = 9100;

beforeAll(async () => {
  ({ sandbox, api } = await startTestSandbox());
});

afterAll(() => sandbox.close());

beforeEach(() => {
  clearTokenCache();
  client = new FondoClient({ baseUrl: sandbox.url, clientId: 'sandbox-partner', clientSecret: 'sandbox-secret' });
});

async function fundedAccount(balance = '10000.00', positions: { instrument: string; units: string }[] = []) {
  nextAccount += 1;
  return createTestAccount(api, nextAccount, { balance, positions });
}

describe('FondoClient against the sandbox', () => {
  it('reads the seeded client: ping, accounts, KYC, instruments, plans', async () => {
    await expect(client.ping()).resolves.toEqual({ pong: expect.stringMatching(/Z$/) as unknown });
    const accounts = await client.listAccounts(CLIENT_1, { limit: 2 });
    expect(accounts.length).toBeGreaterThan(0);
    await expect(client.getAccount(CLIENT_1, ACCOUNT(1))).resolves.toMatchObject({ id: ACCOUNT(1) });
    await expect(client.getKycStatus(CLIENT_1, ACCOUNT(1))).resolves.toMatchObject({ order: true });

    const granit = await client.getInstrument(FUND.granit);
    expect(granit).toMatchObject({ decimalsUnits: 7, closePrice: '11.37' });
    expect((await client.listInstruments()).length).toBeGreaterThan(5);
    expect((await client.listClientInstruments(CLIENT_1)).some((i) => i.id === FUND.granit)).toBe(true);

    const plans = await client.listAllocationPlans(CLIENT_1);
    const plan = await client.getAllocationPlanByAccount(CLIENT_1, ACCOUNT(1));
    expect(plans.map((p) => p.id)).toContain(plan.id);
    await expect(client.getAllocationPlan(CLIENT_1, plan.id)).resolves.toEqual(plan);
    await expect(client.patchAllocationPlan(CLIENT_1, plan.id, { bankAccount: plan.bankAccount })).resolves.toEqual(
      plan
    );

    const all = [];
    for await (const account of client.iterateAccounts(CLIENT_1, {}, { limit: 2 })) all.push(account.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain(ACCOUNT(1));
  });

  it('creates a payment instruction, reads it back, and reports a reused clientRef as a conflict', async () => {
    const { accountId } = await fundedAccount('0.00');
    const clientRef = `contract-pay-${accountId}`;
    const request: PaymentInstructionRequest = {
      type: 'autogiro',
      payments: [{ account: accountId, amount: '250.5', clientRef }],
    };

    const created = await client.createPaymentInstruction(CLIENT_1, request);

    expect(created).toMatchObject({ instructions: [{ account: accountId, amount: '250.5', clientRef }] });
    await expect(client.getPaymentInstruction(CLIENT_1, created!.id)).resolves.toMatchObject({ id: created!.id });
    await expect(client.listInstructionPayments(CLIENT_1, created!.id)).resolves.toMatchObject([
      { account: accountId, amount: '250.5', clientRef },
    ]);
    const conflict = await failureOf(client.createPaymentInstruction(CLIENT_1, request));
    expect(conflict).toMatchObject({ kind: 'conflict', retryable: false, conflict: { existingId: created!.id } });
  });

  it('places, lists, cancels and refuses orders; copes with 204 create answers', async () => {
    const { accountId, bankAccountId } = await fundedAccount('10000.00', [{ instrument: FUND.granit, units: '100' }]);
    const subscription = {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.nordkap,
      amount: '110.5',
      clientRef: `contract-sub-${accountId}`,
    } as const;

    await expect(client.createOrder(CLIENT_1, subscription, { validateOnly: true })).resolves.toBeUndefined();
    const order = await client.createOrder(CLIENT_1, subscription);
    expect(order).toMatchObject({ orderType: 'subscription', amount: '110.5', clientRef: subscription.clientRef });

    const duplicate = await failureOf(client.createOrder(CLIENT_1, subscription));
    expect(duplicate).toMatchObject({ kind: 'conflict', conflict: { existingId: order!.id, existingType: 'order' } });

    sandbox.behaviour.orderCreateResponse = 'empty-204';
    try {
      const redemption = await client.createOrder(
        CLIENT_1,
        {
          orderType: 'redemption',
          account: accountId,
          instrument: FUND.granit,
          units: '1.1234567',
          clientRef: `contract-red-${accountId}`,
        },
        { decimalsUnits: 7 }
      );
      expect(redemption).toBeUndefined();
      const withdrawal = await client.createWithdrawalOrder(
        CLIENT_1,
        {
          orderType: 'redemption',
          account: accountId,
          instrument: FUND.granit,
          units: '2',
          bankAccount: bankAccountId,
          executorRef: '198003141002',
          clientRef: `contract-wd-${accountId}`,
        },
        { decimalsUnits: 7 }
      );
      expect(withdrawal).toBeUndefined();
    } finally {
      sandbox.behaviour.orderCreateResponse = 'body-201';
    }

    const mine = [];
    for await (const o of client.iterateOrders(CLIENT_1, {}, { limit: 2 })) if (o.account === accountId) mine.push(o);
    expect(mine.map((o) => o.clientRef).sort()).toEqual(
      [`contract-red-${accountId}`, `contract-sub-${accountId}`, `contract-wd-${accountId}`].sort()
    );
    expect(mine.find((o) => o.orderType === 'redemption' && o.clientRef?.startsWith('contract-red'))?.units).toBe(
      '1.1234567'
    );

    const canceled = await client.cancelOrder(CLIENT_1, order!.id);
    expect(canceled.status).toBe('canceled');
    await expect(client.getOrder(CLIENT_1, order!.id)).resolves.toMatchObject({ status: 'canceled' });

    const refused = await failureOf(
      client.createOrder(CLIENT_1, { ...subscription, amount: '99999999', clientRef: `contract-big-${accountId}` })
    );
    expect(refused).toMatchObject({ kind: 'unprocessable', retryable: false, status: 422 });
  });

  it('reads cash and fund transactions after orders settle', async () => {
    const { accountId } = await fundedAccount('5000.00');
    const order = await client.createOrder(CLIENT_1, {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.nordkap,
      amount: '1000',
      clientRef: `contract-settle-${accountId}`,
    });
    await api.control('POST', '/clock', { advance: 'P5D' });

    await expect(client.getOrder(CLIENT_1, order!.id)).resolves.toMatchObject({ status: 'settled' });
    const cash = await client.listAccountCashTransactions(CLIENT_1, accountId);
    const fund = await client.listAccountFundTransactions(CLIENT_1, accountId);
    expect(fund).toMatchObject([{ instrument: FUND.nordkap, ref: order!.id }]);
    expect(cash.some((t) => t.ref === order!.id)).toBe(true);

    const byRef = await client.listCashTransactions(CLIENT_1, { ref: order!.id, reftype: 'order' });
    expect(byRef.map((t) => t.id)).toEqual(cash.filter((t) => t.ref === order!.id).map((t) => t.id));
    await expect(client.getCashTransaction(CLIENT_1, byRef[0]!.id)).resolves.toEqual(byRef[0]);
    await expect(client.getFundTransaction(CLIENT_1, fund[0]!.id)).resolves.toEqual(fund[0]);
    const clientWideFund = await client.listFundTransactions(CLIENT_1, { ref: order!.id });
    expect(clientWideFund.map((t) => t.id)).toEqual([fund[0]!.id]);

    const reconciled = [];
    for await (const t of client.iterateAccountFundTransactions(CLIENT_1, accountId, {
      modifiedFrom: '2026-11-01T00:00:00Z',
    })) {
      reconciled.push(t.id);
    }
    expect(reconciled).toEqual([fund[0]!.id]);
  });

  it('streams typed events and reconnects when the sandbox drops the socket', async () => {
    const { accountId } = await fundedAccount('5000.00');
    const controller = new AbortController();
    const invalid: unknown[] = [];
    const items: FondoStreamItem[] = [];
    const iterator = client
      .subscribe(CLIENT_1, {
        signal: controller.signal,
        heartbeatTimeoutMs: 2000,
        reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
        onInvalidEvent: (info) => invalid.push(info),
      })
      [Symbol.asyncIterator]();
    const next = async () => {
      const result = await iterator.next();
      if (result.done === true) throw new Error('stream ended');
      items.push(result.value);
      return result.value;
    };

    try {
      await expect(next()).resolves.toEqual({ kind: 'connected', reconnect: false });
      await client.createOrder(CLIENT_1, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.nordkap,
        amount: '100',
        clientRef: `contract-ws-${accountId}`,
      });
      let event = await next();
      while (!(event.kind === 'event' && event.event.resource === 'order')) event = await next();
      expect(event.event).toMatchObject({ eventType: 'order.create', current: { amount: '100' } });

      expect(sandbox.dropWebSockets()).toBeGreaterThan(0);
      let reconnected = await next();
      while (reconnected.kind !== 'connected') reconnected = await next();
      expect(reconnected).toMatchObject({ kind: 'connected', reconnect: true });
      expect(invalid).toEqual([]);
    } finally {
      controller.abort();
      await iterator.return?.();
    }
  });
});
