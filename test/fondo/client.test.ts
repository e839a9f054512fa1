/**
 * Every FondoClient endpoint against a real loopback server: method, path, query and body on the wire, and
 * the parsed result; plus local validation that never reaches the network.
 */
import { clearTokenCache, FondoClient } from '../../fondo';
import { sendJson } from '../helpers/http-server';
import { clientOptions, sendRawJson, startFakeFondo, type FakeFondo } from './helpers/fake-fondo';
import { failureOf } from './helpers/failure-of';

const C = '/v2/partner/client/c1';

const ACCOUNT = {
  id: 'a1',
  sortedId: '01J0000000000000000000000A',
  name: 'Spar',
  status: 'active',
  accountType: 'isk',
  serviceType: 'executionOnly',
  balance: 1500.5,
  positions: [{ instrument: 'SE0000810798SEK', units: 12.3456789, unitsSettled: 12, value: 1500.25, gav: 98.1 }],
  deleted: false,
  clientId: 'c1',
  currency: 'SEK',
  modifiedDate: '2025-01-02t03:04:05.006z',
};
const INSTRUMENT = { id: 'SE0000810798SEK', decimalsUnits: 4, minInitialAmountSek: 100, isBuyable: true };
const PLAN = {
  id: 'p1',
  account: 'a1',
  bankAccount: 'b1',
  instruments: [{ instrument: 'SE0000810798SEK', allocation: 100 }],
};
const INSTRUCTION = {
  id: 'pi1',
  type: 'autogiro',
  instructions: [{ amount: 110.5, account: 'a1', clientRef: 'dep-1' }],
  bankTransferRef: null,
  status: 'new',
};
const PAYMENT = {
  id: 'pay1',
  account: 'a1',
  amount: 110.5,
  clientRef: 'dep-1',
  status: 'failed',
  reason: 'no cover',
  reasonCode: '02',
  debitDate: '2025-01-28',
};
const ORDER = {
  id: 'o1',
  status: 'confirmed',
  sortedId: '01J0000000000000000000000B',
  orderType: 'subscription',
  account: 'a1',
  instrument: 'SE0000810798SEK',
  amount: 110.5,
  units: null,
  price: 101.1234,
  settlementDate: null,
  clientRef: 'dep-1:SE0000810798SEK',
};
const CASH = {
  id: 't1',
  sortedId: '01J0000000000000000000000C',
  transactionType: 'deposit',
  amount: 110.5,
  currency: 'SEK',
  settlementDate: null,
};
const FUND = {
  id: 'f1',
  sortedId: '01J0000000000000000000000D',
  transactionType: 'subscription',
  account: 'a1',
  instrument: 'SE0000810798SEK',
  identifier: 'SE0000810798',
  units: 1.0927345,
  currency: 'SEK',
  tradeDate: null,
};

let fondo: FakeFondo;
let client: FondoClient;

beforeEach(async () => {
  clearTokenCache();
  fondo = await startFakeFondo();
  client = new FondoClient(clientOptions(fondo.url));
});

afterEach(() => fondo.close());

function answer(method: string, path: string, status: number, body?: unknown) {
  fondo.route(method, path, (_req, res) => {
    if (body === undefined) {
      res.statusCode = status;
      res.end();
    } else sendJson(res, status, body);
  });
}

function lastRequest() {
  const request = fondo.requests.at(-1)!;
  return { method: request.method, path: request.path, query: Object.fromEntries(request.query), body: request.body };
}

describe('system', () => {
  it('ping needs no token', async () => {
    answer('GET', '/ping', 200, { pong: '2019-11-10t01:20:00.000z' });
    await expect(client.ping()).resolves.toEqual({ pong: '2019-11-10T01:20:00.000Z' });
    expect(fondo.tokenRequests).toHaveLength(0);
    expect(fondo.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('accounts and KYC', () => {
  it('listAccounts sends start/limit/modifiedFrom/ssn and parses decimals exactly', async () => {
    answer('GET', `${C}/account`, 200, [ACCOUNT]);

    const [account] = await client.listAccounts('c1', {
      start: '01J0000000000000000000000Z',
      limit: 50,
      modifiedFrom: '2025-01-01t00:00:00.000z',
      ssn: '197001010003',
    });

    expect(lastRequest()).toEqual({
      method: 'GET',
      path: `${C}/account`,
      query: {
        start: '01J0000000000000000000000Z',
        limit: '50',
        modifiedFrom: '2025-01-01T00:00:00.000Z',
        ssn: '197001010003',
      },
      body: '',
    });
    expect(account).toMatchObject({
      balance: '1500.5',
      positions: [
        { instrument: 'SE0000810798SEK', units: '12.3456789', unitsSettled: '12', value: '1500.25', gav: '98.1' },
      ],
      modifiedDate: '2025-01-02T03:04:05.006Z',
    });
  });

  it('getAccount and getKycStatus', async () => {
    answer('GET', `${C}/account/a1`, 200, ACCOUNT);
    answer('GET', `${C}/kycstatus/account/a1`, 200, { order: true, withdrawal: false, extra: 'ignored' });

    await expect(client.getAccount('c1', 'a1')).resolves.toMatchObject({ id: 'a1', status: 'active' });
    await expect(client.getKycStatus('c1', 'a1')).resolves.toEqual({ order: true, withdrawal: false });
  });

  it('percent-encodes ids in paths', async () => {
    answer('GET', '/v2/partner/client/c%2F1/account/a%201', 200, ACCOUNT);
    await client.getAccount('c/1', 'a 1');
    expect(fondo.requests[0]!.path).toBe('/v2/partner/client/c%2F1/account/a%201');
  });
});

describe('instruments and allocation plans', () => {
  it('list, get and the client universe', async () => {
    answer('GET', '/v2/partner/instrument', 200, [INSTRUMENT]);
    answer('GET', '/v2/partner/instrument/SE0000810798SEK', 200, INSTRUMENT);
    answer('GET', `${C}/instrument`, 200, [INSTRUMENT]);

    await expect(client.listInstruments({ limit: 10 })).resolves.toEqual([
      { id: 'SE0000810798SEK', decimalsUnits: 4, minInitialAmountSek: '100', isBuyable: true },
    ]);
    expect(lastRequest().query).toEqual({ limit: '10' });
    await expect(client.getInstrument('SE0000810798SEK')).resolves.toMatchObject({ decimalsUnits: 4 });
    await expect(client.listClientInstruments('c1')).resolves.toHaveLength(1);
  });

  it('plans: list, get, by account, PATCH bankAccount', async () => {
    answer('GET', `${C}/allocationplan`, 200, [PLAN]);
    answer('GET', `${C}/allocationplan/p1`, 200, PLAN);
    answer('GET', `${C}/allocationplan/account/a1`, 200, PLAN);
    answer('PATCH', `${C}/allocationplan/p1`, 200, { ...PLAN, bankAccount: 'b2' });

    await expect(client.listAllocationPlans('c1')).resolves.toEqual([
      { ...PLAN, instruments: [{ instrument: 'SE0000810798SEK', allocation: '100' }] },
    ]);
    await expect(client.getAllocationPlan('c1', 'p1')).resolves.toMatchObject({ id: 'p1' });
    await expect(client.getAllocationPlanByAccount('c1', 'a1')).resolves.toMatchObject({ account: 'a1' });
    await expect(client.patchAllocationPlan('c1', 'p1', { bankAccount: 'b2' })).resolves.toMatchObject({
      bankAccount: 'b2',
    });
    expect(lastRequest()).toMatchObject({ method: 'PATCH', body: '{"bankAccount":"b2"}' });
    expect(fondo.requests.at(-1)!.headers['content-type']).toBe('application/json');
  });
});

describe('payment instructions', () => {
  it('creates an autogiro instruction with account per payment and amounts with 2 decimals', async () => {
    answer('POST', `${C}/instruction/payment`, 200, INSTRUCTION);

    const created = await client.createPaymentInstruction('c1', {
      type: 'autogiro',
      payments: [
        { account: 'a1', amount: '110.5', clientRef: 'dep-1' },
        { account: 'a2', amount: '1000000', clientRef: 'dep-2' },
      ],
    });

    expect(lastRequest().body).toBe(
      '{"type":"autogiro","payments":[{"account":"a1","amount":110.50,"clientRef":"dep-1"},' +
        '{"account":"a2","amount":1000000.00,"clientRef":"dep-2"}]}'
    );
    expect(created).toEqual({ ...INSTRUCTION, instructions: [{ amount: '110.5', account: 'a1', clientRef: 'dep-1' }] });
  });

  it.each([200, 201])('accepts %s with a body', async (status) => {
    answer('POST', `${C}/instruction/payment`, status, INSTRUCTION);
    const created = await client.createPaymentInstruction('c1', {
      type: 'autogiro',
      payments: [{ account: 'a1', amount: '1', clientRef: 'r' }],
    });
    expect(created?.id).toBe('pi1');
  });

  it('resolves undefined on 204 without a body', async () => {
    answer('POST', `${C}/instruction/payment`, 204);
    await expect(
      client.createPaymentInstruction('c1', {
        type: 'autogiro',
        payments: [{ account: 'a1', amount: '1', clientRef: 'r' }],
      })
    ).resolves.toBeUndefined();
  });

  it('get and its payments (open status, failure reason, debit date)', async () => {
    answer('GET', `${C}/instruction/pi1`, 200, INSTRUCTION);
    answer('GET', `${C}/instruction/pi1/payment`, 200, [
      PAYMENT,
      { ...PAYMENT, id: 'pay2', status: 'returned_by_bank' },
    ]);

    await expect(client.getPaymentInstruction('c1', 'pi1')).resolves.toMatchObject({ status: 'new' });
    await expect(client.listInstructionPayments('c1', 'pi1')).resolves.toEqual([
      { ...PAYMENT, amount: '110.5' },
      { ...PAYMENT, id: 'pay2', amount: '110.5', status: 'returned_by_bank' },
    ]);
  });
});

describe('orders', () => {
  it('creates a subscription with the amount sent as an exact 2-decimal JSON number', async () => {
    answer('POST', `${C}/order`, 201, ORDER);

    const order = await client.createOrder('c1', {
      orderType: 'subscription',
      account: 'a1',
      instrument: 'SE0000810798SEK',
      amount: '110.5',
      clientRef: 'dep-1:SE0000810798SEK',
    });

    expect(lastRequest()).toEqual({
      method: 'POST',
      path: `${C}/order`,
      query: {},
      body: '{"orderType":"subscription","account":"a1","instrument":"SE0000810798SEK","amount":110.50,"clientRef":"dep-1:SE0000810798SEK"}',
    });
    expect(order).toMatchObject({ status: 'confirmed', amount: '110.5', units: null, price: '101.1234' });
  });

  it('creates a redemption with units as given (exact, no float)', async () => {
    answer('POST', `${C}/order`, 200, { ...ORDER, orderType: 'redemption', units: 0.1234567 });

    const order = await client.createOrder(
      'c1',
      { orderType: 'redemption', account: 'a1', instrument: 'i1', units: '0.1234567', executorRef: '197001010003' },
      { decimalsUnits: 7 }
    );

    expect(lastRequest().body).toBe(
      '{"orderType":"redemption","account":"a1","instrument":"i1","units":0.1234567,"executorRef":"197001010003"}'
    );
    expect(order?.units).toBe('0.1234567');
  });

  it('sends validate-only and resolves undefined whatever the body', async () => {
    answer('POST', `${C}/order`, 200, { valid: true });

    await expect(
      client.createOrder(
        'c1',
        { orderType: 'subscription', account: 'a1', instrument: 'i1', amount: '5' },
        { validateOnly: true }
      )
    ).resolves.toBeUndefined();
    expect(lastRequest().query).toEqual({ 'validate-only': 'true' });
  });

  it('resolves undefined on 204 without a body (look the order up by clientRef)', async () => {
    answer('POST', `${C}/order`, 204);
    await expect(
      client.createOrder('c1', {
        orderType: 'subscription',
        account: 'a1',
        instrument: 'i1',
        amount: '5',
        clientRef: 'r',
      })
    ).resolves.toBeUndefined();
  });

  it('parses a 204 that carries a body anyway', async () => {
    fondo.route('POST', `${C}/order`, (_req, res) => sendRawJson(res, 200, JSON.stringify(ORDER)));
    await expect(
      client.createOrder('c1', { orderType: 'subscription', account: 'a1', instrument: 'i1', amount: '5' })
    ).resolves.toMatchObject({ id: 'o1' });
  });

  it('creates a withdrawal order', async () => {
    answer('POST', `${C}/order/withdrawal`, 200, { ...ORDER, orderType: 'redemption', units: 3 });

    await client.createWithdrawalOrder(
      'c1',
      {
        orderType: 'redemption',
        account: 'a1',
        instrument: 'i1',
        units: '3.5',
        bankAccount: 'b1',
        executorRef: '197001010003',
      },
      { decimalsUnits: 2 }
    );

    expect(lastRequest().body).toBe(
      '{"orderType":"redemption","account":"a1","instrument":"i1","bankAccount":"b1","executorRef":"197001010003","units":3.5}'
    );
  });

  it('list (start/limit/modifiedFrom), get and cancel', async () => {
    answer('GET', `${C}/order`, 200, [ORDER]);
    answer('GET', `${C}/order/o1`, 200, ORDER);
    answer('DELETE', `${C}/order/o1`, 200, { ...ORDER, status: 'canceled', canceledDate: '2025-01-01T10:00:00Z' });

    await client.listOrders('c1', { start: 's', limit: 2, modifiedFrom: '2025-01-01T00:00:00Z' });
    expect(lastRequest().query).toEqual({ start: 's', limit: '2', modifiedFrom: '2025-01-01T00:00:00Z' });
    await expect(client.getOrder('c1', 'o1')).resolves.toMatchObject({ id: 'o1' });
    await expect(client.cancelOrder('c1', 'o1')).resolves.toMatchObject({ status: 'canceled' });
    expect(lastRequest().method).toBe('DELETE');
  });
});

describe('transactions', () => {
  it('client-wide cash list with ref/reftype, get, per account', async () => {
    answer('GET', `${C}/transaction/cash`, 200, [CASH]);
    answer('GET', `${C}/transaction/cash/t1`, 200, CASH);
    answer('GET', `${C}/account/a1/transaction/cash`, 200, [CASH]);

    await expect(client.listCashTransactions('c1', { ref: 'o1', reftype: 'order', limit: 5 })).resolves.toEqual([
      { ...CASH, amount: '110.5' },
    ]);
    expect(lastRequest().query).toEqual({ ref: 'o1', reftype: 'order', limit: '5' });
    await expect(client.getCashTransaction('c1', 't1')).resolves.toMatchObject({ id: 't1' });
    await client.listAccountCashTransactions('c1', 'a1', { modifiedFrom: '2025-01-01T00:00:00Z' });
    expect(lastRequest()).toMatchObject({
      path: `${C}/account/a1/transaction/cash`,
      query: { modifiedFrom: '2025-01-01T00:00:00Z' },
    });
  });

  it('client-wide fund list, get, per account', async () => {
    answer('GET', `${C}/transaction/fund`, 200, [FUND]);
    answer('GET', `${C}/transaction/fund/f1`, 200, FUND);
    answer('GET', `${C}/account/a1/transaction/fund`, 200, [FUND]);

    await expect(client.listFundTransactions('c1', { reftype: 'order' })).resolves.toEqual([
      { ...FUND, units: '1.0927345' },
    ]);
    await expect(client.getFundTransaction('c1', 'f1')).resolves.toMatchObject({ units: '1.0927345' });
    await expect(client.listAccountFundTransactions('c1', 'a1')).resolves.toHaveLength(1);
  });
});

describe('base URL with a path prefix', () => {
  it('keeps the prefix for API and token calls', async () => {
    const prefixed = await startFakeFondo('/fondo/api');
    try {
      prefixed.route('GET', `${C}/order/o1`, (_req, res) => sendJson(res, 200, ORDER));
      const prefixedClient = new FondoClient(clientOptions(`${prefixed.url}/`));

      await expect(prefixedClient.getOrder('c1', 'o1')).resolves.toMatchObject({ id: 'o1' });
      expect(prefixed.tokenRequests[0]!.path).toBe('/fondo/api/v2/partner/auth/token');
      expect(prefixed.requests[0]!.path).toBe(`/fondo/api${C}/order/o1`);
    } finally {
      await prefixed.close();
    }
  });
});

describe('local validation (nothing is sent)', () => {
  const subscription = { orderType: 'subscription', account: 'a1', instrument: 'i1', amount: '10' } as const;

  it.each([
    ['an amount with 3 decimals', { ...subscription, amount: '10.005' }, 'amount: must have at most 2 decimals'],
    ['a zero amount', { ...subscription, amount: '0' }, 'amount: must be greater than zero'],
    ['a number amount', { ...subscription, amount: 10 as unknown as string }, 'amount: Invalid input'],
    ['an empty account', { ...subscription, account: '' }, 'account: Too small'],
    ['an unknown key', { ...subscription, ammount: '1' }, 'Unrecognized key'],
  ])('createOrder rejects %s', async (_name, request, issue) => {
    const error = await failureOf(client.createOrder('c1', request as typeof subscription));

    expect(error).toMatchObject({ kind: 'invalid-request', retryable: false, method: 'POST', path: `${C}/order` });
    expect(error.issues?.join('\n')).toContain(issue);
    expect(fondo.requests).toHaveLength(0);
    expect(fondo.tokenRequests).toHaveLength(0);
  });

  it('rejects redemption units with more decimals than the instrument allows (and over 7)', async () => {
    const redemption = { orderType: 'redemption', account: 'a1', instrument: 'i1', units: '1.12345' } as const;

    const tooFine = await failureOf(client.createOrder('c1', redemption, { decimalsUnits: 4 }));
    expect(tooFine.issues).toEqual(['units: must have at most 4 decimals for this instrument']);

    const overSeven = await failureOf(
      client.createOrder('c1', { ...redemption, units: '1.12345678' }, { decimalsUnits: 9 })
    );
    expect(overSeven.kind).toBe('invalid-request');

    const noDecimalsUnits = await failureOf(
      client.createOrder('c1', redemption, undefined as unknown as { decimalsUnits: number })
    );
    expect(noDecimalsUnits.issues?.[0]).toMatch(/^decimalsUnits:/);

    const withdrawal = await failureOf(
      client.createWithdrawalOrder('c1', { ...redemption, bankAccount: 'b', executorRef: 'e' }, { decimalsUnits: 0 })
    );
    expect(withdrawal.issues).toEqual(['units: must have at most 0 decimals for this instrument']);
    expect(fondo.requests).toHaveLength(0);
  });

  it('rejects payment instructions without payments, with 3-decimal amounts, or without account', async () => {
    for (const payments of [
      [],
      [{ account: 'a1', amount: '1.001', clientRef: 'r' }],
      [{ amount: '1', clientRef: 'r' }],
    ]) {
      const error = await failureOf(
        client.createPaymentInstruction('c1', { type: 'autogiro', payments } as unknown as Parameters<
          FondoClient['createPaymentInstruction']
        >[1])
      );
      expect(error.kind).toBe('invalid-request');
    }
    expect(fondo.requests).toHaveLength(0);
  });

  it('rejects empty ids instead of calling a different endpoint', async () => {
    const error = await failureOf(client.getOrder('c1', ''));
    expect(error).toMatchObject({ kind: 'invalid-request', issues: ['(path): an id is empty'] });
    expect(() => client.subscribe('')).toThrow(/an id is empty/);
    expect(fondo.requests).toHaveLength(0);
  });

  it('rejects bad queries without echoing the ssn', async () => {
    const badSsn = await failureOf(client.listAccounts('c1', { ssn: '19700101-0003' }));
    expect(badSsn.message).not.toContain('0003');
    expect(badSsn.issues).toEqual(['ssn: must be a 12-digit personnummer']);

    const badDate = await failureOf(client.listOrders('c1', { modifiedFrom: 'yesterday' }));
    expect(badDate.issues).toEqual(['modifiedFrom: expected an ISO-8601 date-time']);

    const badLimit = await failureOf(client.listOrders('c1', { limit: 0 }));
    expect(badLimit.kind).toBe('invalid-request');
    expect(fondo.requests).toHaveLength(0);
  });
});
