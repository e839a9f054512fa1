import { parseFondoEvent, type CashTransaction, type Order } from '../../../fondo';
import { routeCashTransaction, routeOrder } from '../../../workers/event-bridge';

// Bad-input corpus (issue 12.6), forged and malformed Fondo events (what the event bridge and webhooks receive):
// a malformed event is refused with the field at fault (never its value); a well-formed event that no workflow of
// ours owns routes nowhere, so it signals nothing, starts nothing and debits nothing.
const ORDER: Order = {
  id: 'o-1',
  sortedId: 's-1',
  status: 'settled',
  orderType: 'subscription',
  account: 'a-1',
  clientRef: 'p-1042:2026-12:SE0007100128SEK',
  instrument: 'SE0007100128SEK',
  amount: '600.00',
  units: '1.4550',
  price: '412.37',
};
const DEPOSIT: CashTransaction = {
  id: 'ct-1',
  sortedId: 's-1',
  transactionType: 'deposit',
  amount: '1500.00',
  currency: 'SEK',
  clientRef: 'p-1042:2026-12',
};

const MALFORMED: [string, unknown, RegExp][] = [
  ['null', null, /\(root\)/],
  ['a string', 'order.updated', /\(root\)/],
  ['a number', 42, /\(root\)/],
  ['an array', [{ eventType: 'order.updated' }], /\(root\)/],
  ['no eventType', { current: ORDER }, /eventType/],
  ['an empty eventType', { eventType: '', current: ORDER }, /eventType/],
  ['a numeric eventType', { eventType: 7, current: ORDER }, /eventType/],
  ['an order without id', { eventType: 'order.updated', current: { ...ORDER, id: undefined } }, /current\.id/],
  ['an order with an empty id', { eventType: 'order.updated', current: { ...ORDER, id: '' } }, /current\.id/],
  [
    'an order amount that is no number',
    { eventType: 'order.updated', current: { ...ORDER, amount: '12abc' } },
    /current\.amount: expected a decimal number/,
  ],
  [
    'order units as an object',
    { eventType: 'order.updated', current: { ...ORDER, units: { value: 1 } } },
    /current\.units/,
  ],
  [
    'an order price NaN',
    { eventType: 'order.updated', current: { ...ORDER, price: 'NaN' } },
    /current\.price: expected a decimal number/,
  ],
  [
    'an order without account',
    { eventType: 'order.updated', current: { ...ORDER, account: undefined } },
    /current\.account/,
  ],
  [
    'a cash amount in exponent form',
    { eventType: 'cashTransaction.created', current: { ...DEPOSIT, amount: '1,500.00' } },
    /current\.amount: expected a decimal number/,
  ],
  [
    'a cash transaction without currency',
    { eventType: 'cashTransaction.created', current: { ...DEPOSIT, currency: '' } },
    /current\.currency/,
  ],
  [
    'a cash transaction amount as a boolean',
    { eventType: 'cashTransaction.created', current: { ...DEPOSIT, amount: true } },
    /current\.amount/,
  ],
  [
    'an aborted flag as a string',
    { eventType: 'cashTransaction.updated', current: { ...DEPOSIT, aborted: 'no' } },
    /current\.aborted/,
  ],
];

const FOREIGN_ORDERS: [string, Partial<Order>][] = [
  ['no clientRef', { clientRef: null }],
  ["another partner's reference", { clientRef: 'ORDER-99812' }],
  ['a payment reference on an order', { clientRef: 'p-1042:2026-12' }],
  ['a personnummer as plan id', { clientRef: '198003141002:2026-12:SE0007100128SEK' }],
  ['an impossible period', { clientRef: 'p-1042:2026-13:SE0007100128SEK' }],
  ['a rebalance reference without side', { clientRef: 'p-1042:rb:2026-12-01:SE0007100128SEK' }],
  ['a rebalance reference with a bad date', { clientRef: 'p-1042:rb:2026-12:SE0007100128SEK:buy' }],
  ['a rebalance reference with sequence 0', { clientRef: 'p-1042:rb:2026-12-01:SE0007100128SEK:buy:0' }],
];

const FOREIGN_CASH: [string, Partial<CashTransaction>][] = [
  ['a withdrawal', { transactionType: 'withdrawal' }],
  ['an aborted deposit', { aborted: true }],
  ['a deposit without clientRef', { clientRef: null }],
  ['a deposit with an order reference', { clientRef: 'p-1042:2026-12:SE0007100128SEK' }],
  ['a deposit with renewed attempt a1', { clientRef: 'p-1042:2026-12:a1' }],
  ['a deposit with an upper-case plan id', { clientRef: 'P-1042:2026-12' }],
];

describe('bad-input corpus: forged and malformed Fondo events', () => {
  it.each(MALFORMED)('refuses %s, naming the field and not the value', (_name, message, issue) => {
    const parsed = parseFondoEvent(message);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.join('\n')).toMatch(issue);
    expect(parsed.issues.join('\n')).not.toContain('12abc');
  });

  it.each(FOREIGN_ORDERS)('an order event with %s routes to no workflow', (_name, change) => {
    expect(routeOrder({ ...ORDER, ...change })).toBeUndefined();
  });

  it.each(FOREIGN_CASH)('a cash event that is %s routes to no workflow', (_name, change) => {
    expect(routeCashTransaction({ ...DEPOSIT, ...change })).toBeUndefined();
  });

  it('routes the genuine events (the corpus refuses only what is forged)', () => {
    expect(routeOrder(ORDER)?.workflowId).toBe('savings-cycle:p-1042:2026-12');
    expect(routeCashTransaction(DEPOSIT)?.workflowId).toBe('savings-cycle:p-1042:2026-12');
  });
});
