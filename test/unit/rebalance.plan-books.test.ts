/**
 * Issue 11 ("Plan money books"), engine half: the reproductions of the cash-flow split (1) and the rebalance that
 * sells a fund and buys it back (6), as pure tests.
 */
import { splitDeposit } from '../../shared/allocation';
import { type SellableInstrumentRules } from '../../shared/instrument-rules';
import { cashFlowAllocation, planRebalance, type RebalancePolicy } from '../../shared/rebalance';

const NORRSKEN = 'SE0000000101SEK';
const EKSKOG = 'SE0000000102SEK';

function rules(overrides: Partial<SellableInstrumentRules> = {}): SellableInstrumentRules {
  return {
    closePrice: '100',
    decimalsUnits: 4,
    minInitialAmountSek: '0',
    minSubsequentAmountSek: '0',
    minInvestmentAmountSEK: '0',
    isBuyable: true,
    isTradable: true,
    isSellable: true,
    ...overrides,
  };
}

const instruments = {
  [NORRSKEN]: rules({ closePrice: '254.81', minInitialAmountSek: '100', minSubsequentAmountSek: '100' }),
  [EKSKOG]: rules({ closePrice: '98.4', minInitialAmountSek: '1000', minSubsequentAmountSek: '100' }),
};
const holdingOnlyNorrsken = { [NORRSKEN]: { units: '39.2449', price: '254.81' } };

describe('repro 1: cash-flow weights respect what can be bought', () => {
  const targets = [
    { instrument: NORRSKEN, percent: '70' },
    { instrument: EKSKOG, percent: '30' },
  ];

  it('without rules (the old call) still sends the whole deposit to the most underweight fund', () => {
    expect(cashFlowAllocation({ positions: holdingOnlyNorrsken, targets, amount: '400.00' })).toEqual([
      { instrument: EKSKOG, percent: '100' },
    ]);
  });

  it('with the funds rules, buys what it can: Ekskog misses its 1 000 SEK initial minimum, Norrsken takes 400.00', () => {
    const weights = cashFlowAllocation({ positions: holdingOnlyNorrsken, targets, amount: '400.00', instruments });
    expect(weights).toEqual([{ instrument: NORRSKEN, percent: '100' }]);
    const split = splitDeposit({
      amount: '400.00',
      allocation: weights,
      instruments,
      holdings: { [NORRSKEN]: '39.2449' },
    });
    expect(split.orders).toEqual([{ instrument: NORRSKEN, amount: '400.00', estimatedUnits: '1.5697' }]);
    expect(split.residual).toBe('0.00');
  });

  it('sends the money to the underweight fund once the deposit reaches its minimum', () => {
    // after 1 200: targets 70 % / 30 % of 11 199.99 → Ekskog gap 3 360.00 > 1 200 ≥ 1 000
    expect(cashFlowAllocation({ positions: holdingOnlyNorrsken, targets, amount: '1200.00', instruments })).toEqual([
      { instrument: EKSKOG, percent: '100' },
    ]);
  });

  it('skips a fund that is not buyable or not tradable and spreads to the funds that are', () => {
    const closed = { ...instruments, [EKSKOG]: rules({ closePrice: '98.4', isTradable: false }) };
    expect(
      cashFlowAllocation({ positions: holdingOnlyNorrsken, targets, amount: '5000.00', instruments: closed })
    ).toEqual([{ instrument: NORRSKEN, percent: '100' }]);
  });

  it('skips a gap that would buy no whole unit (0 unit decimals, price above the gap)', () => {
    const whole = { ...instruments, [EKSKOG]: rules({ closePrice: '5000', decimalsUnits: 0 }) };
    expect(
      cashFlowAllocation({ positions: holdingOnlyNorrsken, targets, amount: '400.00', instruments: whole })
    ).toEqual([{ instrument: NORRSKEN, percent: '100' }]);
  });

  it('uses the subsequent minimum for a fund already held', () => {
    const both = { ...holdingOnlyNorrsken, [EKSKOG]: { units: '1', price: '98.4' } };
    expect(cashFlowAllocation({ positions: both, targets, amount: '400.00', instruments })).toEqual([
      { instrument: EKSKOG, percent: '100' },
    ]);
  });

  it('falls back to the plain targets when nothing is buyable at all (the split then holds or keeps cash)', () => {
    const none = {
      [NORRSKEN]: rules({ closePrice: '254.81', isBuyable: false }),
      [EKSKOG]: rules({ closePrice: '98.4', isBuyable: false }),
    };
    expect(
      cashFlowAllocation({ positions: holdingOnlyNorrsken, targets, amount: '400.00', instruments: none })
    ).toEqual(targets);
  });
});

describe('repro 6: a rebalance never sells a fund to buy it back, nor sells for proceeds nothing can use', () => {
  const targets = [
    { instrument: NORRSKEN, percent: '92' },
    { instrument: EKSKOG, percent: '8' },
  ];
  const policy: RebalancePolicy = {
    mode: 'full',
    band: { absolutePp: '5' },
    minTradeAmount: '0',
    cashBufferPct: '0',
  };
  const input = { positions: holdingOnlyNorrsken, cash: '0', targets, instruments, policy };

  // Holdings 39.2449 × 254.81 = 9 999.992969: Ekskog's gap is 8 % of it = 799.99 (öre, rounded down); Norrsken's
  // excess is the same 799.999… → 3.1395 units (rounded down to 4 decimals) → 799.97 estimated proceeds.
  it('plans no trades when the only buy (Ekskog, 800 SEK) misses its 1 000 SEK initial minimum', () => {
    const decision = planRebalance(input);
    expect(decision.withinBand).toBe(false);
    expect(decision.redemptions).toEqual([]);
    expect(decision.subscriptions).toEqual([]);
    expect(decision.driftAfter).toEqual(decision.driftBefore);
    expect(decision.skipped).toEqual([
      { instrument: NORRSKEN, side: 'sell', reason: 'proceeds-unused', amount: '799.97' },
      { instrument: EKSKOG, side: 'buy', reason: 'below-minimum', amount: '799.99' },
    ]);
  });

  it("the run's buy phase never buys a fund the run sold (soldInRun)", () => {
    const afterSell = {
      ...input,
      cash: '822.98',
      policy: { ...policy, mode: 'cash-flow' as const, band: undefined },
    };
    expect(planRebalance(afterSell).subscriptions).toEqual([{ instrument: NORRSKEN, amount: '822.98' }]);
    const decision = planRebalance({ ...afterSell, soldInRun: [NORRSKEN] });
    expect(decision.subscriptions).toEqual([]);
    // Ekskog's gap: 8 % × (9 999.992969 + 822.98) = 865.83 < 1 000; Norrsken has no gap, so it gets no skip entry.
    expect(decision.skipped).toEqual([{ instrument: EKSKOG, side: 'buy', reason: 'below-minimum', amount: '865.83' }]);
    expect(decision.estimatedCashAfter).toBe('822.98');
  });

  it('keeps a sell whose proceeds fund a feasible buy, trimmed to what the buys need', () => {
    // Ekskog held: its subsequent minimum is 100, so the 800 SEK buy is feasible and needs the proceeds.
    const decision = planRebalance({
      ...input,
      positions: { ...holdingOnlyNorrsken, [EKSKOG]: { units: '0.0001', price: '98.4' } },
    });
    // the buy is funded by the proceeds only: min(gap 799.99, 799.97 raised)
    expect(decision.subscriptions).toEqual([{ instrument: EKSKOG, amount: '799.97' }]);
    expect(decision.redemptions).toEqual([{ instrument: NORRSKEN, units: '3.1395', estimatedAmount: '799.97' }]);
  });
});

describe('sold-in-run in full mode', () => {
  it('skips the gap of a fund sold earlier in the run as sold-in-run, and then sells nothing to fund it', () => {
    const A = 'SE0000000201SEK';
    const B = 'SE0000000202SEK';
    const decision = planRebalance({
      positions: { [A]: { units: '80', price: '100' }, [B]: { units: '20', price: '100' } },
      cash: '0',
      targets: [
        { instrument: A, percent: '50' },
        { instrument: B, percent: '50' },
      ],
      instruments: { [A]: rules(), [B]: rules() },
      policy: { mode: 'full', minTradeAmount: '0', cashBufferPct: '0' },
      soldInRun: [B],
    });
    expect(decision.redemptions).toEqual([]);
    expect(decision.subscriptions).toEqual([]);
    expect(decision.skipped).toEqual([
      { instrument: A, side: 'sell', reason: 'proceeds-unused', amount: '3000.00' },
      { instrument: B, side: 'buy', reason: 'sold-in-run', amount: '3000.00' },
    ]);
  });
});
