/**
 * Every documented example payload (test/fixtures/fondo-examples, unmodified copies of the Fondo docs) parses
 * with its schema, read through the same lossless JSON parser the client uses; request examples match the
 * field names of the bodies the client sends.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { clearTokenCache, FondoClient } from '../../fondo';
import {
  AccountSchema,
  AllocationPlanSchema,
  CashTransactionSchema,
  FundTransactionSchema,
  InstrumentSchema,
  KycStatusSchema,
  OrderSchema,
  PaymentInstructionSchema,
  PingSchema,
  TokenResponseSchema,
} from '../../fondo/schemas';
import { parseJson } from '../../fondo/wire';
import { sendJson } from '../helpers/http-server';
import { clientOptions, startFakeFondo, type FakeFondo } from './helpers/fake-fondo';

const FIXTURES = path.resolve(__dirname, '../fixtures/fondo-examples');

function fixture(name: string): unknown {
  return parseJson(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

function parseFixture<S extends z.ZodType>(name: string, schema: S): z.output<S> {
  const result = schema.safeParse(fixture(name));
  if (!result.success) throw new Error(`${name}: ${JSON.stringify(result.error.issues)}`);
  return result.data;
}

describe('documented response examples parse with their schemas', () => {
  it('account.response.json (placeholder ids, collapsed `{}` position dropped)', () => {
    const account = parseFixture('account.response.json', AccountSchema);
    expect(account).toMatchObject({
      id: 'string',
      sortedId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      status: 'pending',
      accountType: 'isk',
      serviceType: 'portfolioManagement',
      balance: '100',
      amounts: { deposited: '123.45', withdrawn: '123.45' },
      positions: [],
      bankAccounts: [{}],
      currency: 'SEK',
      createdDate: '2018-12-13T23:59:00.001Z',
    });
  });

  it('account.list.response.json', () => {
    const [account] = parseFixture('account.list.response.json', AccountSchema.array());
    expect(account).toMatchObject({ ref: '160367146695159', deleted: true, owner: {}, positions: [] });
  });

  it('kycstatus.response.json', () => {
    expect(parseFixture('kycstatus.response.json', KycStatusSchema)).toEqual({ order: true, withdrawal: true });
  });

  it('instrument.list.response.json (flat rules with their casing)', () => {
    const [instrument] = parseFixture('instrument.list.response.json', InstrumentSchema.array());
    expect(instrument).toEqual({
      id: 'SE0012193019SEK',
      isincode: 'SE0001862426',
      name: 'Adrigo Hedge',
      currency: 'NOK',
      closePrice: '0',
      priceDate: '2018-12-13T23:59:00.001Z',
      kiid: [],
      decimalsUnits: 0,
      minInvestmentAmountSEK: '0',
      minInitialAmountSek: '0',
      minSubsequentAmountSek: '0',
      isComplex: true,
      isBuyable: true,
      isSellable: true,
      isTradable: true,
      cost: {},
      rebate: '96',
    });
  });

  it('allocationplan.response.json and allocationplan.list.response.json', () => {
    expect(parseFixture('allocationplan.response.json', AllocationPlanSchema)).toEqual({
      id: 'string',
      account: 'string',
      bankAccount: 'string',
      instruments: [{ instrument: 'SE0000810798SEK', allocation: '100' }],
    });
    expect(parseFixture('allocationplan.list.response.json', AllocationPlanSchema.array())[0]?.instruments).toEqual([]);
  });

  it('paymentinstruction.response.json', () => {
    expect(parseFixture('paymentinstruction.response.json', PaymentInstructionSchema)).toEqual({
      id: 'string',
      type: 'autogiro',
      instructions: [{ amount: '110', account: '49ad7378-121c-4a53-9894-dfd14a7b4877', clientRef: 'string' }],
      bankTransferRef: 'REF-12345',
      status: 'new',
    });
  });

  it('order.response.json', () => {
    expect(parseFixture('order.response.json', OrderSchema)).toEqual({
      id: '49ad7378-121c-4a53-9894-dfd14a7b4877',
      status: 'received',
      sortedId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      orderType: 'subscription',
      account: 'string',
      clientRef: 'my_order_123',
      executorRef: '197001010003',
      instrument: 'US64110L1061USD',
      units: '1000',
      amount: '100',
      createdDate: '2018-12-13T23:59:00.001Z',
      modifiedDate: '2018-12-13T23:59:00.001Z',
    });
  });

  it('cashtransaction.list.response.json (lower-case date-times) and withdrawal.create.response.json', () => {
    const [cash] = parseFixture('cashtransaction.list.response.json', CashTransactionSchema.array());
    expect(cash).toMatchObject({
      transactionType: 'deposit',
      refType: 'text',
      amount: '1.2',
      startDate: '2019-08-24',
      createdDate: '2018-12-13T23:59:00.001Z',
      modifiedDate: '2018-12-13T23:59:00.001Z',
      settlementDate: '2018-12-13T23:59:00.001Z',
    });
    expect(parseFixture('withdrawal.create.response.json', CashTransactionSchema)).toEqual(cash);
  });

  it('fundtransaction.list.response.json', () => {
    const [fund] = parseFixture('fundtransaction.list.response.json', FundTransactionSchema.array());
    expect(fund).toMatchObject({
      transactionType: 'redemption',
      refType: 'order',
      identifier: 'SE0012193019',
      units: '0',
      price: '0',
      tradeDate: '2018-12-13T23:59:00.001Z',
    });
  });

  it('auth.token.response.json and ping.response.json', () => {
    expect(parseFixture('auth.token.response.json', TokenResponseSchema)).toMatchObject({
      access_token: 'ffe74ba1-99a8-46e3-9ba2-9c0ef72e13c1',
      expires_in: 432000,
    });
    expect(parseFixture('ping.response.json', PingSchema)).toEqual({ pong: '2019-11-10T01:20:00.000Z' });
  });

  it('websocket.heartbeat.json is the heartbeat the stream consumes', () => {
    expect(fixture('websocket.heartbeat.json')).toEqual({ eventType: 'heartbeat' });
  });
});

describe('documented request examples match what the client sends', () => {
  let fondo: FakeFondo;
  let client: FondoClient;

  beforeEach(async () => {
    clearTokenCache();
    fondo = await startFakeFondo();
    client = new FondoClient(clientOptions(fondo.url));
  });

  afterEach(() => fondo.close());

  const keysOf = (value: unknown) => Object.keys(value as object).sort();

  it('auth.token.request.json: the token form carries the documented required fields', async () => {
    fondo.route('GET', '/v2/partner/client/c/order/o', (_req, res) => sendJson(res, 404, { error: 'not_found' }));
    await client.getOrder('c', 'o').catch(() => undefined);

    const sent = Object.fromEntries(new URLSearchParams(fondo.tokenRequests[0]!.body));
    const documented = fixture('auth.token.request.json') as Record<string, string>;
    // `scope` and `state` are optional and not used.
    expect(keysOf(sent)).toEqual(keysOf(documented).filter((k) => k !== 'scope' && k !== 'state'));
    expect(sent.grant_type).toBe(documented.grant_type);
  });

  it('order.withdrawal.create.request.json: same fields, units as a JSON number', async () => {
    fondo.route('POST', '/v2/partner/client/c/order/withdrawal', (_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const documented = fixture('order.withdrawal.create.request.json') as Record<string, unknown>;

    await client.createWithdrawalOrder(
      'c',
      {
        orderType: 'redemption',
        account: 'acc',
        instrument: 'US64110L1061USD',
        units: '1000',
        bankAccount: 'bank',
        paymentAccount: 'pay',
        executorRef: '197001010003',
        clientRef: 'my_order_123',
      },
      { decimalsUnits: 4, validateOnly: true }
    );

    const request = fondo.requests[0]!;
    expect(request.query.get('validate-only')).toBe('true');
    expect(keysOf(JSON.parse(request.body))).toEqual(keysOf(documented));
    expect(request.body).toContain('"units":1000');
  });

  it('paymentinstruction.create.request.json: documented fields plus `account` per payment', async () => {
    fondo.route('POST', '/v2/partner/client/c/instruction/payment', (_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const documented = fixture('paymentinstruction.create.request.json') as { payments: object[] };

    await client.createPaymentInstruction('c', {
      type: 'autogiro',
      payments: [{ account: 'acc', amount: '110', clientRef: 'instruction_id_29384' }],
    });

    const sent = JSON.parse(fondo.requests[0]!.body) as { payments: object[] };
    expect(keysOf(sent)).toEqual(keysOf(documented));
    expect(keysOf(sent.payments[0])).toEqual([...keysOf(documented.payments[0]), 'account'].sort());
    expect(fondo.requests[0]!.body).toContain('"amount":110.00');
  });
});
