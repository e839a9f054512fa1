import type { FundRules } from '../../shared/custodian';
import { splitLegsOf, splitSnapshot } from '../../shared/cycle-split';
import { sum } from '../../shared/money';
import { SavingsPoliciesSchema } from '../../shared/plan';
import { fundRules } from '../helpers/fund-rules';

const open = (closePrice: string) => fundRules({ closePrice });

const snapshot = {
  weights: [
    { instrument: 'A', percent: '50' },
    { instrument: 'B', percent: '50' },
  ],
  rules: { A: open('100'), B: open('100') },
  holdings: { A: '30' },
  positions: { A: { units: '30', price: '100' } },
};
const cycle = { paid: '1000.00', carry: {}, policies: SavingsPoliciesSchema.parse({}) };

describe("a cycle's split from one snapshot", () => {
  it('without cash-flow rebalancing: the plan weights', () => {
    const { decision, cashFlow } = splitSnapshot(snapshot, { ...cycle, cashFlow: false });
    expect(cashFlow).toBe(false);
    expect(decision.orders.map((o) => [o.instrument, o.amount])).toEqual([
      ['A', '500.00'],
      ['B', '500.00'],
    ]);
  });

  it('with cash-flow rebalancing and holdings: the deposit goes to the underweight fund first', () => {
    const { decision, cashFlow } = splitSnapshot(snapshot, { ...cycle, cashFlow: true });
    expect(cashFlow).toBe(true);
    expect(decision.orders.map((o) => [o.instrument, o.amount])).toEqual([['B', '1000.00']]);
  });

  it('cash-flow needs holdings: an empty account splits by the plan weights', () => {
    const empty = { ...snapshot, holdings: {}, positions: {} };
    expect(splitSnapshot(empty, { ...cycle, cashFlow: true }).cashFlow).toBe(false);
  });

  it('every öre of the deposit and the carry is accounted for', () => {
    const { decision } = splitSnapshot(snapshot, { ...cycle, carry: { A: '12.34' }, cashFlow: false });
    const legs = [...decision.orders, ...decision.held].map((l) => l.amount);
    const accounted = sum([...legs, ...Object.values(decision.carry), decision.residual]);
    expect(accounted.toFixed(2)).toBe('1012.34');
  });
});

describe('what the split decided per fund (the statement’s legs)', () => {
  const rules = (over: Partial<FundRules>): FundRules => ({ ...open('100'), priceDate: '2026-11-27', ...over });
  const books = {
    weights: [
      { instrument: 'A', percent: '40' },
      { instrument: 'B', percent: '30' },
      { instrument: 'C', percent: '20' },
      { instrument: 'D', percent: '10' },
    ],
    rules: {
      // Held by the account: the subsequent minimum applies.
      A: rules({ closePrice: '412.37', minInitialAmountSek: '1000', minSubsequentAmountSek: '100' }),
      // Not held: the initial minimum, 6 unit decimals.
      B: rules({ closePrice: '108.42', decimalsUnits: 6, minInitialAmountSek: '200', minInvestmentAmountSEK: '50' }),
      // Closed for trading: held.
      C: rules({ closePrice: '254.81', isTradable: false }),
      // The fund's general minimum is above the initial one, and above the leg: carried.
      D: rules({ closePrice: '10', minInitialAmountSek: '100', minInvestmentAmountSEK: '300' }),
    },
    holdings: { A: '30' },
    positions: { A: { units: '30', price: '412.37' } },
  };
  const carryPolicy = { ...cycle, cashFlow: false, policies: SavingsPoliciesSchema.parse({ belowMinimum: 'carry' }) };

  it('ordered, held and carried legs: amount, the minimum that applied and which, NAV and date, estimated units', () => {
    const { legs, decision } = splitSnapshot(books, carryPolicy);
    expect(legs).toEqual([
      {
        ...{ instrument: 'A', targetPercent: '40', splitPercent: '40', decision: 'ordered', amount: '400.00' },
        ...{ minimum: '100.00', minimumKind: 'subsequent', unitDecimals: 4, nav: '412.37', navDate: '2026-11-27' },
        estimatedUnits: '0.9700', // 400 / 412.37 = 0.97000…, rounded down to 4 decimals
      },
      {
        ...{ instrument: 'B', targetPercent: '30', splitPercent: '30', decision: 'ordered', amount: '300.00' },
        ...{ minimum: '200.00', minimumKind: 'initial', unitDecimals: 6, nav: '108.42', navDate: '2026-11-27' },
        estimatedUnits: '2.767017', // 300 / 108.42 = 2.7670171…
      },
      {
        ...{ instrument: 'C', targetPercent: '20', splitPercent: '20', decision: 'held', amount: '200.00' },
        ...{ minimum: '0.00', minimumKind: 'initial', unitDecimals: 4, nav: '254.81', navDate: '2026-11-27' },
        estimatedUnits: '0.7848', // 200 / 254.81 = 0.78489…
      },
      {
        ...{ instrument: 'D', targetPercent: '10', splitPercent: '10', decision: 'carried', amount: '100.00' },
        ...{ minimum: '300.00', minimumKind: 'investment', unitDecimals: 4, nav: '10', navDate: '2026-11-27' },
        estimatedUnits: '10.0000',
      },
    ]);
    // An ordered leg's estimate is the split's own.
    expect(decision.orders.map((o) => o.estimatedUnits)).toEqual(['0.9700', '2.767017']);
    expect(sum(legs.map((l) => l.amount)).toFixed(2)).toBe('1000.00');
  });

  it('redistributed legs (below the minimum) and cash-flow weights: the target and the weight used differ', () => {
    const redistribute = { ...carryPolicy, policies: SavingsPoliciesSchema.parse({ belowMinimum: 'redistribute' }) };
    const d = splitSnapshot(books, redistribute).legs.find((l) => l.instrument === 'D')!;
    expect([d.decision, d.amount, d.estimatedUnits]).toEqual(['redistributed', '0.00', null]);

    const { legs } = splitSnapshot(snapshot, { ...cycle, cashFlow: true });
    expect(legs.map((l) => [l.instrument, l.targetPercent, l.splitPercent, l.decision, l.amount])).toEqual([
      ['A', '50', '0', 'redistributed', '0.00'],
      ['B', '50', '100', 'ordered', '1000.00'],
    ]);
  });

  it('a fund whose rules cannot be read gets null minimum, NAV and units, not an error', () => {
    const decision = { orders: [], held: [], carry: { X: '5.00' }, residual: '0.00', explanation: [] };
    expect(
      splitLegsOf({ weights: [{ instrument: 'X', percent: '100' }], rules: {}, holdings: {} }, [], decision)
    ).toEqual([
      {
        ...{ instrument: 'X', targetPercent: '100', splitPercent: '0', decision: 'carried', amount: '5.00' },
        ...{ minimum: null, minimumKind: null, estimatedUnits: null, unitDecimals: null, nav: null, navDate: null },
      },
    ]);
  });
});
