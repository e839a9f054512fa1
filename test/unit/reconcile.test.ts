import {
  reconcilePlan,
  type CustodianCashTransaction,
  type CustodianFundTransaction,
  type CustodianOrder,
  type Difference,
  type PlanBooks,
} from '../../shared/reconcile';

const PLAN = 'p-1042';
const N = 'SE0000000001SEK';
const E = 'SE0000000002SEK';

function books(overrides: Partial<PlanBooks> = {}): PlanBooks {
  return {
    planId: PLAN,
    periods: ['2026-12'],
    runDates: [],
    payments: [{ clientRef: `${PLAN}:2026-12`, status: 'completed', amount: '1500.00' }],
    orders: [
      {
        clientRef: `${PLAN}:2026-12:${N}`,
        side: 'buy',
        instrument: N,
        orderId: 'o1',
        amount: '1000.00',
        units: '3.9245',
        settledAmount: '999.98',
        status: 'settled',
      },
      {
        clientRef: `${PLAN}:2026-12:${E}`,
        side: 'buy',
        instrument: E,
        orderId: 'o2',
        amount: '500.00',
        units: null,
        settledAmount: null,
        status: 'sent',
      },
    ],
    ...overrides,
  };
}

interface Records {
  orders: CustodianOrder[];
  cash: CustodianCashTransaction[];
  fund: CustodianFundTransaction[];
}

function records(): Records {
  return {
    orders: [
      {
        id: 'o1',
        clientRef: `${PLAN}:2026-12:${N}`,
        orderType: 'subscription',
        instrument: N,
        status: 'settled',
        amount: '1000.00',
        units: '3.9245',
      },
      {
        id: 'o2',
        clientRef: `${PLAN}:2026-12:${E}`,
        orderType: 'subscription',
        instrument: E,
        status: 'sent',
        amount: '500',
        units: null,
      },
    ],
    cash: [
      { id: 'c1', clientRef: `${PLAN}:2026-12`, transactionType: 'deposit', amount: '1500', aborted: false },
      {
        id: 'c2',
        clientRef: `${PLAN}:2026-12:${N}`,
        transactionType: 'subscription',
        amount: '-999.98',
        aborted: false,
      },
    ],
    fund: [
      {
        id: 'f1',
        clientRef: `${PLAN}:2026-12:${N}`,
        transactionType: 'subscription',
        instrument: N,
        units: '3.9245',
        aborted: false,
      },
    ],
  };
}

const kinds = (ds: Difference[]): string[] => ds.map((d) => `${d.kind} ${d.record} ${d.reference}`);

describe('reconcilePlan', () => {
  it('finds nothing when the books and the custodian agree (amounts compared as numbers, working orders in transit)', () => {
    expect(reconcilePlan(books(), records())).toEqual([]);
  });

  it('reports an order the fund company canceled while the plan still has it working', () => {
    const r = records();
    r.orders[1] = { ...r.orders[1]!, status: 'canceled' };
    expect(reconcilePlan(books(), r)).toEqual([
      expect.objectContaining({
        kind: 'status-differs',
        record: 'order',
        reference: `${PLAN}:2026-12:${E}`,
        plan: 'sent',
        custodian: 'canceled',
      }),
    ]);
  });

  it('reports a cash transaction the plan does not know, with its reference and amount', () => {
    const r = records();
    r.cash.push({
      id: 'c9',
      clientRef: 'manual-topup-7',
      transactionType: 'deposit',
      amount: '250.00',
      aborted: false,
    });
    r.cash.push({ id: 'c10', clientRef: null, transactionType: 'withdrawal', amount: '-10.00', aborted: false });
    expect(reconcilePlan(books(), r)).toEqual([
      expect.objectContaining({
        kind: 'unknown-to-plan',
        record: 'cash-transaction',
        reference: 'manual-topup-7',
        custodian: 'deposit 250.00',
      }),
      expect.objectContaining({
        kind: 'unknown-to-plan',
        record: 'cash-transaction',
        reference: 'c10',
        custodian: 'withdrawal -10.00',
      }),
    ]);
  });

  it('ignores aborted transactions, other plans and periods older than the books keep', () => {
    const r = records();
    r.cash.push({
      id: 'c3',
      clientRef: 'other-plan:2026-12',
      transactionType: 'deposit',
      amount: '100',
      aborted: false,
    });
    r.cash.push({ id: 'c4', clientRef: `${PLAN}:2025-01`, transactionType: 'deposit', amount: '100', aborted: false });
    r.cash.push({ id: 'c5', clientRef: 'x', transactionType: 'deposit', amount: '100', aborted: true });
    r.orders.push({
      id: 'o9',
      clientRef: `${PLAN}:2025-01:${N}`,
      orderType: 'subscription',
      instrument: N,
      status: 'settled',
      amount: '1',
      units: '0.1',
    });
    expect(reconcilePlan(books(), r)).toEqual([]);
  });

  it('reports a paid payment without its deposit, and a deposit of another amount', () => {
    const r = records();
    r.cash.splice(0, 1);
    expect(kinds(reconcilePlan(books(), r))).toEqual([`missing-at-custodian payment ${PLAN}:2026-12`]);
    const r2 = records();
    r2.cash[0] = { ...r2.cash[0]!, amount: '1499.99' };
    expect(reconcilePlan(books(), r2)).toEqual([
      expect.objectContaining({ kind: 'amount-differs', plan: '1500.00', custodian: '1499.99' }),
    ]);
  });

  it('reports money on the account for a payment the plan has as failed', () => {
    const b = books({ payments: [{ clientRef: `${PLAN}:2026-12`, status: 'failed', amount: null }] });
    expect(kinds(reconcilePlan(b, records()))).toEqual([`status-differs payment ${PLAN}:2026-12`]);
  });

  it('checks only the presence of a running cycle’s completed payment (its amount is not in its status yet)', () => {
    const b = books({ payments: [{ clientRef: `${PLAN}:2026-12`, status: 'completed', amount: null }] });
    expect(reconcilePlan(b, records())).toEqual([]);
  });

  it('reports an order missing at the custodian, but not an order the custodian refused before it existed', () => {
    const r = records();
    r.orders.splice(1, 1);
    expect(kinds(reconcilePlan(books(), r))).toEqual([`missing-at-custodian order ${PLAN}:2026-12:${E}`]);
    const b = books();
    const refused = { ...books(), orders: [b.orders[0]!, { ...b.orders[1]!, orderId: null, status: 'rejected' }] };
    expect(reconcilePlan(refused, r)).toEqual([]);
  });

  it('reports settled units and settled cash that differ from the books', () => {
    const r = records();
    r.fund[0] = { ...r.fund[0]!, units: '3.9244' };
    r.cash[1] = { ...r.cash[1]!, amount: '-999.97' };
    expect(reconcilePlan(books(), r)).toEqual([
      expect.objectContaining({
        kind: 'amount-differs',
        record: 'cash-transaction',
        plan: '999.98',
        custodian: '999.97',
      }),
      expect.objectContaining({
        kind: 'units-differs',
        record: 'fund-transaction',
        plan: '3.9245',
        custodian: '3.9244',
      }),
    ]);
  });

  it('reports an order of this plan that the books do not know', () => {
    const r = records();
    r.orders.push({
      id: 'o7',
      clientRef: `${PLAN}:rb:2026-12-15:${N}:sell`,
      orderType: 'redemption',
      instrument: N,
      status: 'sent',
      amount: null,
      units: '1.5',
    });
    expect(reconcilePlan(books({ runDates: ['2026-12-01'] }), r)).toEqual([
      expect.objectContaining({
        kind: 'unknown-to-plan',
        record: 'order',
        reference: `${PLAN}:rb:2026-12-15:${N}:sell`,
        custodian: `redemption ${N} 1.5 sent`,
      }),
    ]);
  });
});
