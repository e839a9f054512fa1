/**
 * Issue 11 properties of the engine: cash-flow weights never invest less than the plain targets; a rebalance never
 * buys a fund it sells in the same run and keeps only the sells its buys need. Expectations are recomputed with
 * decimal.js from the input strings.
 */
import fc from 'fast-check';
import { splitDeposit } from '../../shared/allocation';
import { type InstrumentRules, type SellableInstrumentRules } from '../../shared/instrument-rules';
import { Decimal, sum } from '../../shared/money';
import { cashFlowAllocation, planRebalance, type RebalanceInput } from '../../shared/rebalance';
import { mostly, oreAmount, percents, scaled } from '../helpers/domain-arbitraries';

const IDS = ['SE0000000001SEK', 'SE0000000002SEK', 'SE0000000003SEK', 'SE0000000004SEK', 'F5'];
const OFF_TARGET = 'SE0000000098SEK';
const ALL = [...IDS, OFF_TARGET];

const minimum = fc.oneof(
  { arbitrary: fc.constant('0'), weight: 3 },
  { arbitrary: fc.constantFrom('100', '500', '1000', '5000'), weight: 3 },
  { arbitrary: oreAmount(2_000_000n), weight: 1 }
);
const price = fc.oneof(fc.constantFrom('1', '98.4', '137.45', '254.81', '1000', '5000'), scaled(1n, 10n ** 9n, 6));
const rulesArb: fc.Arbitrary<SellableInstrumentRules> = fc.record({
  closePrice: price,
  decimalsUnits: fc.integer({ min: 0, max: 7 }),
  minInitialAmountSek: minimum,
  minSubsequentAmountSek: minimum,
  minInvestmentAmountSEK: fc.oneof({ arbitrary: fc.constant('0'), weight: 3 }, { arbitrary: minimum, weight: 1 }),
  isBuyable: mostly(6),
  isTradable: mostly(8),
  isSellable: mostly(6),
});
const instrumentsArb = fc
  .tuple(...ALL.map(() => rulesArb))
  .map((all) => Object.fromEntries(ALL.map((id, i) => [id, all[i] as SellableInstrumentRules])));
const targetsArb = fc
  .shuffledSubarray(IDS, { minLength: 1, maxLength: 4 })
  .chain((funds) =>
    percents(funds.length).map((ps) => funds.map((instrument, i) => ({ instrument, percent: ps[i] as string })))
  );
const positionsArb = fc.dictionary(
  fc.constantFrom(...ALL),
  fc.record({
    units: fc.oneof({ arbitrary: scaled(0n, 10n ** 11n, 7), weight: 4 }, { arbitrary: fc.constant('0'), weight: 1 }),
    price,
  })
);

const dec = (s: string) => new Decimal(s);
const ordered = (orders: readonly { amount: string }[]) => sum(orders.map((o) => o.amount));

describe('cashFlowAllocation with rules: properties', () => {
  it('never leaves more money uninvested than the plain target split (same amount, holdings, carry, policy)', () => {
    fc.assert(
      fc.property(
        positionsArb,
        targetsArb,
        instrumentsArb,
        oreAmount(5_000_000n, 1n),
        fc.constantFrom('redistribute' as const, 'carry' as const),
        fc.constantFrom('hold' as const, 'redistribute' as const),
        (positions, targets, all, amount, belowMinimum, blocked) => {
          const instruments: Record<string, InstrumentRules> = all;
          const holdings = Object.fromEntries(Object.entries(positions).map(([id, p]) => [id, p.units]));
          const policy = { belowMinimum, blocked };
          const weights = cashFlowAllocation({ positions, targets, amount, instruments, policy });
          expect(sum(weights.map((w) => w.percent)).toFixed()).toBe('100');
          for (const w of weights) expect(targets.some((t) => t.instrument === w.instrument)).toBe(true);
          const common = { amount, instruments, holdings, policy };
          const plain = splitDeposit({ ...common, allocation: targets });
          const cashFlow = splitDeposit({ ...common, allocation: weights });
          expect(ordered(cashFlow.orders).gte(ordered(plain.orders))).toBe(true);
        }
      ),
      { numRuns: 1000 }
    );
  });
});

const rebalanceInput: fc.Arbitrary<RebalanceInput> = fc.record({
  positions: positionsArb,
  cash: fc.oneof(fc.constant('0'), oreAmount(100_000n), oreAmount(10_000_000n)),
  targets: targetsArb,
  instruments: instrumentsArb,
  policy: fc.record({
    mode: fc.constantFrom('full' as const, 'cash-flow' as const),
    minTradeAmount: fc.constantFrom('0', '10', '100'),
    cashBufferPct: fc.constantFrom('0', '0.5', '2'),
  }),
  soldInRun: fc.subarray(ALL),
});

describe('planRebalance: issue 11 properties', () => {
  it('never buys a fund it sells in the same run, nor one the run already sold', () => {
    fc.assert(
      fc.property(rebalanceInput, (input) => {
        const d = planRebalance(input);
        const sold = new Set([...d.redemptions.map((r) => r.instrument), ...(input.soldInRun ?? [])]);
        for (const s of d.subscriptions) expect(sold.has(s.instrument)).toBe(false);
      }),
      { numRuns: 1500 }
    );
  });

  it('keeps only sells whose proceeds the buys need: dropping any one would leave a planned buy unfunded', () => {
    fc.assert(
      fc.property(rebalanceInput, (input) => {
        const d = planRebalance(input);
        if (d.redemptions.length === 0) return;
        expect(d.subscriptions.length).toBeGreaterThan(0);
        const proceeds = sum(d.redemptions.map((r) => r.estimatedAmount));
        const need = sum(d.subscriptions.map((s) => s.amount))
          .plus(d.cashBuffer)
          .minus(input.cash);
        for (const r of d.redemptions) expect(proceeds.minus(r.estimatedAmount).lt(need)).toBe(true);
        // and the kept sells do fund the buys without spending into the buffer
        expect(
          dec(input.cash)
            .plus(proceeds)
            .minus(sum(d.subscriptions.map((s) => s.amount)))
            .gte(d.cashBuffer)
        ).toBe(true);
      }),
      { numRuns: 1500 }
    );
  });
});
