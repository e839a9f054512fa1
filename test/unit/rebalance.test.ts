import { DomainInputError } from '../../shared/domain-error';
import { type SellableInstrumentRules } from '../../shared/instrument-rules';
import {
  cashFlowAllocation,
  isOutsideBand,
  measureDrift,
  planRebalance,
  type RebalanceInput,
  type RebalancePolicy,
} from '../../shared/rebalance';

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

const policy = (overrides: Partial<RebalancePolicy> = {}): RebalancePolicy => ({
  mode: 'full',
  minTradeAmount: '0',
  cashBufferPct: '0',
  ...overrides,
});

/** A 60 / B 30 / X 10 (X outside the targets), all at 100 SEK; targets A 40, B 40, C 20. */
const drifted: RebalanceInput = {
  positions: { A: { units: '60', price: '100' }, B: { units: '30', price: '100' }, X: { units: '10', price: '100' } },
  cash: '0',
  targets: [
    { instrument: 'A', percent: '40' },
    { instrument: 'B', percent: '40' },
    { instrument: 'C', percent: '20' },
  ],
  instruments: { A: rules(), B: rules(), C: rules({ closePrice: '50', minInitialAmountSek: '100' }), X: rules() },
  policy: policy({ band: { absolutePp: '5' } }),
};

describe('planRebalance: full mode', () => {
  it('sells overweights (a fund outside the targets entirely), then buys underweights largest gap first', () => {
    expect(planRebalance(drifted)).toEqual({
      withinBand: false,
      driftBefore: { maxAbsolutePp: '20.0000', total: '30.0000' },
      driftAfter: { maxAbsolutePp: '0.0000', total: '0.0000' },
      redemptions: [
        { instrument: 'A', units: '20.0000', estimatedAmount: '2000.00' },
        { instrument: 'X', units: '10.0000', estimatedAmount: '1000.00' },
      ],
      subscriptions: [
        { instrument: 'B', amount: '1000.00' },
        { instrument: 'C', amount: '2000.00' },
      ],
      skipped: [],
      cashBuffer: '0.00',
      estimatedCashAfter: '0.00',
    });
  });

  it('keeps the cash buffer (rounded up to öre) out of the investable total and never spends into it', () => {
    const decision = planRebalance({ ...drifted, cash: '1000', policy: policy({ cashBufferPct: '1' }) });
    // holdings 10 000 + cash 1 000 → buffer 110.00; investable 10 890: A 4 356, B 4 356, C 2 178
    expect(decision.cashBuffer).toBe('110.00');
    expect(decision.redemptions).toEqual([
      { instrument: 'A', units: '16.4400', estimatedAmount: '1644.00' },
      { instrument: 'X', units: '10.0000', estimatedAmount: '1000.00' },
    ]);
    expect(decision.subscriptions).toEqual([
      { instrument: 'B', amount: '1356.00' },
      { instrument: 'C', amount: '2178.00' },
    ]);
    expect(decision.estimatedCashAfter).toBe('110.00');

    const tiny = planRebalance({
      ...drifted,
      positions: { A: { units: '1.0001', price: '100' } },
      cash: '0',
      policy: policy({ cashBufferPct: '0.25' }),
    });
    expect(tiny.cashBuffer).toBe('0.26'); // 0.25 % of 100.01 = 0.250025 → up to 0.26
  });

  it('skips an unsellable fund with a reason and buys nothing it cannot fund', () => {
    const decision = planRebalance({
      positions: { A: { units: '80', price: '100' }, B: { units: '20', price: '100' } },
      cash: '0',
      targets: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules({ isSellable: false }), B: rules() },
      policy: policy(),
    });
    expect(decision.redemptions).toEqual([]);
    expect(decision.subscriptions).toEqual([]);
    expect(decision.skipped).toEqual([
      { instrument: 'A', side: 'sell', reason: 'not-sellable', amount: '3000.00' },
      { instrument: 'B', side: 'buy', reason: 'insufficient-cash', amount: '3000.00' },
    ]);
    expect(decision.driftAfter).toEqual(decision.driftBefore);
  });

  it('reports a sellable but untradable fund as not-tradable', () => {
    const decision = planRebalance({
      ...drifted,
      instruments: { ...drifted.instruments, X: rules({ isTradable: false }) },
    });
    expect(decision.skipped).toEqual([
      { instrument: 'X', side: 'sell', reason: 'not-tradable', amount: '1000.00' },
      { instrument: 'B', side: 'buy', reason: 'insufficient-cash', amount: '1000.00' },
    ]);
    expect(decision.redemptions.map((r) => r.instrument)).toEqual(['A']);
    expect(decision.subscriptions).toEqual([{ instrument: 'C', amount: '2000.00' }]);
  });

  it('does nothing inside the band, and rebalances when any band is breached', () => {
    const input: RebalanceInput = {
      positions: { A: { units: '51', price: '100' }, B: { units: '49', price: '100' } },
      cash: '0',
      targets: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules(), B: rules() },
      policy: policy({ band: { absolutePp: '1' } }),
    };
    const inside = planRebalance(input);
    expect(inside).toMatchObject({ withinBand: true, redemptions: [], subscriptions: [], skipped: [] });
    expect(inside.driftAfter).toEqual({ maxAbsolutePp: '1.0000', total: '1.0000' });

    // relative 1 % of a 50 % target = 0.5 pp < 1 pp deviation: outside, although the absolute band holds
    const outside = planRebalance({ ...input, policy: policy({ band: { absolutePp: '1', relativePct: '1' } }) });
    expect(outside.withinBand).toBe(false);
    expect(outside.redemptions).toEqual([{ instrument: 'A', units: '1.0000', estimatedAmount: '100.00' }]);
    expect(outside.subscriptions).toEqual([{ instrument: 'B', amount: '100.00' }]);

    // no band at all: always rebalance
    expect(planRebalance({ ...input, policy: policy() }).withinBand).toBe(false);
  });

  it('skips trades below minTradeAmount, below a fund minimum, or rounding to zero units', () => {
    const base: RebalanceInput = {
      positions: { A: { units: '51', price: '100' }, B: { units: '49', price: '100' } },
      cash: '0',
      targets: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules(), B: rules() },
      policy: policy({ minTradeAmount: '500' }),
    };
    expect(planRebalance(base).skipped).toEqual([
      { instrument: 'A', side: 'sell', reason: 'below-minimum-trade', amount: '100.00' },
      { instrument: 'B', side: 'buy', reason: 'below-minimum-trade', amount: '100.00' },
    ]);

    const wholeUnits = planRebalance({
      ...base,
      positions: { A: { units: '3', price: '1000' }, B: { units: '2', price: '1000' } },
      instruments: { A: rules({ decimalsUnits: 0 }), B: rules({ decimalsUnits: 0 }) },
      cash: '500',
      policy: policy(),
    });
    // whole units at 1 000 SEK: A is 250 over target (a quarter unit), B 750 under (three quarters of a unit)
    expect(wholeUnits.skipped).toEqual([
      { instrument: 'A', side: 'sell', reason: 'unit-decimals', amount: '250.00' },
      { instrument: 'B', side: 'buy', reason: 'unit-decimals', amount: '750.00' },
    ]);

    const minimum = planRebalance({
      ...base,
      instruments: { A: rules(), B: rules({ minSubsequentAmountSek: '250' }) },
      policy: policy(),
    });
    // the only buy misses its minimum, so selling A would raise cash nothing can use (issue 11): no sell either
    expect(minimum.redemptions).toEqual([]);
    expect(minimum.skipped).toEqual([
      { instrument: 'A', side: 'sell', reason: 'proceeds-unused', amount: '100.00' },
      { instrument: 'B', side: 'buy', reason: 'below-minimum', amount: '100.00' },
    ]);
  });

  it('does not sell only to raise the buffer when nothing is bought', () => {
    // Raising a 10 % buffer would sell only B (A cannot be sold): holdings would end up 50 / 45; with no buy the
    // proceeds have no use, so the sell is not made (before issue 11 the drift guard dropped it).
    const decision = planRebalance({
      positions: { A: { units: '50', price: '1' }, B: { units: '50', price: '1' } },
      cash: '0',
      targets: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules({ isSellable: false }), B: rules() },
      policy: policy({ cashBufferPct: '10' }),
    });
    expect(decision).toEqual({
      withinBand: false,
      driftBefore: { maxAbsolutePp: '0.0000', total: '0.0000' },
      driftAfter: { maxAbsolutePp: '0.0000', total: '0.0000' },
      redemptions: [],
      subscriptions: [],
      skipped: [
        { instrument: 'A', side: 'sell', reason: 'not-sellable', amount: '5.00' },
        { instrument: 'B', side: 'sell', reason: 'proceeds-unused', amount: '5.00' },
      ],
      cashBuffer: '10.00',
      estimatedCashAfter: '0.00',
    });
  });

  it('rounds estimated proceeds down to öre', () => {
    const decision = planRebalance({
      positions: { A: { units: '1.2345', price: '10.123' } },
      cash: '0',
      targets: [{ instrument: 'B', percent: '100' }],
      instruments: { A: rules(), B: rules() },
      policy: policy(),
    });
    expect(decision.redemptions).toEqual([{ instrument: 'A', units: '1.2345', estimatedAmount: '12.49' }]);
    expect(decision.subscriptions).toEqual([{ instrument: 'B', amount: '12.49' }]);
  });
});

describe('planRebalance: cash-flow mode', () => {
  it('never sells: spends cash on the largest gap toward target after the deposit', () => {
    const decision = planRebalance({ ...drifted, cash: '1000', policy: policy({ mode: 'cash-flow' }) });
    // targets after the deposit (11 000): A 4 400, B 4 400, C 2 200 → gaps C 2 200, B 1 400
    expect(decision).toEqual({
      withinBand: false,
      driftBefore: { maxAbsolutePp: '20.0000', total: '30.0000' },
      driftAfter: { maxAbsolutePp: '14.5455', total: '23.6364' },
      redemptions: [],
      subscriptions: [{ instrument: 'C', amount: '1000.00' }],
      skipped: [{ instrument: 'B', side: 'buy', reason: 'insufficient-cash', amount: '1400.00' }],
      cashBuffer: '0.00',
      estimatedCashAfter: '0.00',
    });
  });

  it('spreads what the gaps cannot take pro rata by target weight over the buyable funds', () => {
    const decision = planRebalance({
      positions: { A: { units: '50', price: '100' } },
      cash: '2000',
      targets: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules(), B: rules({ isBuyable: false }) },
      policy: policy({ mode: 'cash-flow' }),
    });
    expect(decision.subscriptions).toEqual([{ instrument: 'A', amount: '2000.00' }]);
    expect(decision.skipped).toEqual([{ instrument: 'B', side: 'buy', reason: 'not-buyable', amount: '3500.00' }]);
  });

  it('buys nothing when the cash does not exceed the buffer, and is not gated by the band', () => {
    const small = planRebalance({ ...drifted, cash: '100', policy: policy({ mode: 'cash-flow', cashBufferPct: '1' }) });
    expect(small).toMatchObject({ cashBuffer: '101.00', subscriptions: [], redemptions: [], skipped: [] });

    const inside = planRebalance({
      ...drifted,
      cash: '1000',
      policy: policy({ mode: 'cash-flow', band: { absolutePp: '50' } }),
    });
    expect(inside.withinBand).toBe(true);
    expect(inside.subscriptions).toEqual([{ instrument: 'C', amount: '1000.00' }]);
  });
});

describe('measureDrift and isOutsideBand', () => {
  it('measures over holdings only, lists held funds outside the targets last, by id', () => {
    expect(measureDrift(drifted.positions, drifted.targets)).toEqual({
      maxAbsolutePp: '20.0000',
      total: '30.0000',
      perInstrument: [
        { instrument: 'A', actualPct: '60.0000', targetPct: '40.0000', deviationPp: '20.0000' },
        { instrument: 'B', actualPct: '30.0000', targetPct: '40.0000', deviationPp: '-10.0000' },
        { instrument: 'C', actualPct: '0.0000', targetPct: '20.0000', deviationPp: '-20.0000' },
        { instrument: 'X', actualPct: '10.0000', targetPct: '0.0000', deviationPp: '10.0000' },
      ],
    });
  });

  it('rounds half-up to 4 decimals and treats no holdings as all-zero weights', () => {
    const thirds = measureDrift({ A: { units: '1', price: '1' }, B: { units: '2', price: '1' } }, [
      { instrument: 'A', percent: '50' },
      { instrument: 'B', percent: '50' },
    ]);
    expect(thirds.perInstrument.map((d) => [d.actualPct, d.deviationPp])).toEqual([
      ['33.3333', '-16.6667'],
      ['66.6667', '16.6667'],
    ]);
    const empty = measureDrift({ A: { units: '0', price: '1' } }, [
      { instrument: 'A', percent: '70' },
      { instrument: 'B', percent: '30' },
    ]);
    expect(empty).toMatchObject({ maxAbsolutePp: '70.0000', total: '50.0000' });
    expect(empty.perInstrument.map((d) => d.actualPct)).toEqual(['0.0000', '0.0000']);
  });

  it('is outside a band only beyond it, on either measure; with no band always outside', () => {
    const drift = measureDrift({ A: { units: '52', price: '1' }, B: { units: '48', price: '1' } }, [
      { instrument: 'A', percent: '50' },
      { instrument: 'B', percent: '50' },
    ]);
    expect(isOutsideBand(drift, { absolutePp: '2' })).toBe(false); // |2| > 2 is false
    expect(isOutsideBand(drift, { absolutePp: '1.9999' })).toBe(true);
    expect(isOutsideBand(drift, { relativePct: '4' })).toBe(false); // 4 % of 50 = 2 pp
    expect(isOutsideBand(drift, { relativePct: '3.9999' })).toBe(true);
    expect(isOutsideBand(drift, { absolutePp: '5', relativePct: '3' })).toBe(true);
    expect(isOutsideBand(drift, {})).toBe(true);
    expect(() => isOutsideBand(drift, { absolutePp: '-1' })).toThrow(
      new Error('invalid band: absolutePp: must not be negative, got "-1"')
    );
  });
});

describe('cashFlowAllocation', () => {
  const positions = drifted.positions;
  const targets = drifted.targets;

  it('directs a deposit to the most underweight funds first, percents summing to exactly 100', () => {
    expect(cashFlowAllocation({ positions, targets, amount: '1000' })).toEqual([{ instrument: 'C', percent: '100' }]);
    // 3 000 → targets after 13 000: gaps C 2 600, B 2 200 → C 2 600, B 400 → 86.67 / 13.33
    expect(cashFlowAllocation({ positions, targets, amount: '3000' })).toEqual([
      { instrument: 'B', percent: '13.33' },
      { instrument: 'C', percent: '86.67' },
    ]);
    // 20 000 → gaps B 9 000, A 6 000, C 6 000 (A before C: larger target) → 9 000 / 6 000 / 5 000
    expect(cashFlowAllocation({ positions, targets, amount: '20000' })).toEqual([
      { instrument: 'A', percent: '30' },
      { instrument: 'B', percent: '45' },
      { instrument: 'C', percent: '25' },
    ]);
  });

  it('returns the targets unchanged when nothing is held', () => {
    expect(cashFlowAllocation({ positions: {}, targets, amount: '1000' })).toEqual(targets);
  });

  it('rejects bad input with DomainInputError', () => {
    expect(() => cashFlowAllocation({ positions, targets, amount: '0' })).toThrow(
      new Error('invalid cash-flow allocation input: amount: must be greater than zero')
    );
  });
});

describe('planRebalance: bad input', () => {
  const cases: [string, unknown, string][] = [
    [
      'targets not summing to 100',
      { ...drifted, targets: [{ instrument: 'A', percent: '100.01' }] },
      'invalid rebalance input: targets percentages sum to 100.01, expected exactly 100',
    ],
    [
      'an unknown target',
      { ...drifted, targets: [{ instrument: 'Q', percent: '100' }] },
      'invalid rebalance input: targets instrument "Q" is not in instruments',
    ],
    [
      'a held position without rules',
      { ...drifted, positions: { ...drifted.positions, Y: { units: '1', price: '1' } } },
      'invalid rebalance input: position "Y" holds units but is not in instruments',
    ],
    [
      'a buffer above 100 %',
      { ...drifted, policy: policy({ cashBufferPct: '100.5' }) },
      'invalid rebalance input: policy.cashBufferPct: must be at most 100',
    ],
    [
      'an unknown mode',
      { ...drifted, policy: { ...policy(), mode: 'partial' } },
      'invalid rebalance input: policy.mode: Invalid option: expected one of "full"|"cash-flow"',
    ],
    [
      'negative cash',
      { ...drifted, cash: '-0.01' },
      'invalid rebalance input: cash: must not be negative, got "-0.01"',
    ],
    [
      'units beyond 7 decimals',
      { ...drifted, positions: { A: { units: '1.00000001', price: '1' } } },
      'invalid rebalance input: positions.A.units: must have at most 7 decimals, got "1.00000001"',
    ],
    [
      'rules without isSellable',
      { ...drifted, instruments: { ...drifted.instruments, A: { ...rules(), isSellable: undefined } } },
      'invalid rebalance input: instruments.A.isSellable: Invalid input: expected boolean, received undefined',
    ],
  ];

  it.each(cases)('rejects %s with one specific error naming the problem', (_, input, message) => {
    const attempt = () => planRebalance(input as RebalanceInput);
    expect(attempt).toThrow(DomainInputError);
    expect(attempt).toThrow(new Error(message));
  });

  it('rejects malformed drift input', () => {
    expect(() => measureDrift({ A: { units: '1', price: '0' } }, [{ instrument: 'A', percent: '100' }])).toThrow(
      new Error('invalid drift input: positions.A.price: must be greater than zero')
    );
  });
});
