import type { FundRules } from '../../shared/custodian';
import { splitSnapshot } from '../../shared/cycle-split';
import { sum } from '../../shared/money';
import { SavingsPoliciesSchema } from '../../shared/plan';

const open = (closePrice: string): FundRules => ({
  closePrice,
  priceCurrency: 'SEK',
  priceDate: null,
  decimalsUnits: 4,
  minInitialAmountSek: '0',
  minSubsequentAmountSek: '0',
  minInvestmentAmountSEK: '0',
  isBuyable: true,
  isSellable: true,
  isTradable: true,
  inUniverse: true,
  unsupported: null,
});

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
