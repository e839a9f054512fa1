import fc from 'fast-check';
import { splitDeposit } from '../../shared/allocation';
import { DomainInputError, zodProblems } from '../../shared/domain-error';
import { formatTrimmed } from '../../shared/fixed-point';
import { type SellableInstrumentRules } from '../../shared/instrument-rules';
import { Decimal, roundTo, sum } from '../../shared/money';
import { mostly, oreAmount, percents, scaled } from '../helpers/domain-arbitraries';
import {
  cashFlowAllocation,
  isOutsideBand,
  measureDrift,
  planRebalance,
  type RebalanceDecision,
  type RebalanceInput,
  RebalanceInputSchema,
} from '../../shared/rebalance';

// Every expectation is recomputed here with decimal.js from the input strings, independently of the engine's
// BigInt arithmetic.

const IDS = ['SE0000000001SEK', 'SE0000000002SEK', 'SE0000000003SEK', 'SE0000000004SEK', 'F5', 'F6', 'F7'];
const OFF_TARGET = 'SE0000000098SEK';
const ALL = [...IDS, OFF_TARGET];

const minimum = fc.oneof(
  { arbitrary: fc.constant('0'), weight: 4 },
  { arbitrary: fc.constantFrom('50', '100', '500', '1000'), weight: 2 },
  { arbitrary: oreAmount(200_000n), weight: 1 }
);
const price = fc.oneof(fc.constantFrom('1', '10', '100', '123.4567', '1000', '5000'), scaled(1n, 10n ** 9n, 6));
const rulesArb: fc.Arbitrary<SellableInstrumentRules> = fc.record({
  closePrice: price,
  decimalsUnits: fc.integer({ min: 0, max: 9 }),
  minInitialAmountSek: minimum,
  minSubsequentAmountSek: minimum,
  minInvestmentAmountSEK: fc.oneof({ arbitrary: fc.constant('0'), weight: 3 }, { arbitrary: minimum, weight: 1 }),
  isBuyable: mostly(6),
  isTradable: mostly(8),
  isSellable: mostly(6),
});
const targetsArb = fc
  .shuffledSubarray(IDS, { minLength: 1, maxLength: 6 })
  .chain((funds) =>
    percents(funds.length).map((ps) => funds.map((instrument, i) => ({ instrument, percent: ps[i] as string })))
  );
const positionsArb = fc.dictionary(
  fc.constantFrom(...ALL),
  fc.record({
    units: fc.oneof({ arbitrary: scaled(0n, 10n ** 12n, 7), weight: 4 }, { arbitrary: fc.constant('0'), weight: 1 }),
    price,
  })
);
const bandValue = fc.oneof(fc.constantFrom('0', '1', '2.5', '5', '20'), scaled(0n, 500_000n, 4));

const rebalanceInput: fc.Arbitrary<RebalanceInput> = fc.record({
  positions: positionsArb,
  cash: fc.oneof(fc.constant('0'), oreAmount(10_000_000n), oreAmount(10n ** 10n), oreAmount(10n ** 14n)),
  targets: targetsArb,
  instruments: fc
    .tuple(...ALL.map(() => rulesArb))
    .map((all) => Object.fromEntries(ALL.map((id, i) => [id, all[i] as SellableInstrumentRules]))),
  policy: fc.record(
    {
      mode: fc.constantFrom('full' as const, 'cash-flow' as const),
      band: fc.record({ absolutePp: bandValue, relativePct: bandValue }, { requiredKeys: [] }),
      minTradeAmount: fc.constantFrom('0', '10', '100', '1000'),
      cashBufferPct: fc.oneof(
        { arbitrary: fc.constantFrom('0', '0.25', '1'), weight: 4 },
        { arbitrary: fc.constantFrom('5', '100'), weight: 1 },
        { arbitrary: fc.bigInt({ min: 0n, max: 1_000_000n }).map((u) => formatTrimmed(u, 4)), weight: 1 }
      ),
    },
    { requiredKeys: ['mode', 'minTradeAmount', 'cashBufferPct'] }
  ),
});

const dec = (s: string) => new Decimal(s);
const decimalsOf = (s: string) => s.split('.')[1]?.length ?? 0;

function holdingsValue(input: RebalanceInput): Decimal {
  return sum(Object.values(input.positions).map((p) => dec(p.units).times(p.price)));
}

function rulesOf(input: RebalanceInput, id: string): SellableInstrumentRules {
  return input.instruments[id] as SellableInstrumentRules;
}

const run = (property: (input: RebalanceInput, decision: RebalanceDecision) => void, numRuns = 1500) =>
  fc.assert(
    fc.property(rebalanceInput, (input) => property(input, planRebalance(input))),
    { numRuns }
  );

describe('planRebalance: properties', () => {
  it('redemptions: sellable and tradable only, units rounded down to the fund’s decimals, never more than held', () => {
    run((input, d) => {
      if (input.policy.mode === 'cash-flow') expect(d.redemptions).toEqual([]);
      const seen = new Set<string>();
      for (const r of d.redemptions) {
        const rules = rulesOf(input, r.instrument);
        const position = input.positions[r.instrument];
        expect(position).toBeDefined();
        expect(rules.isSellable && rules.isTradable).toBe(true);
        expect(seen.has(r.instrument)).toBe(false);
        seen.add(r.instrument);
        expect(decimalsOf(r.units)).toBe(Math.min(rules.decimalsUnits, 7));
        expect(dec(r.units).gt(0) && dec(r.units).lte(position!.units)).toBe(true);
        expect(r.estimatedAmount).toBe(dec(r.units).times(position!.price).toFixed(2, Decimal.ROUND_DOWN));
        expect(dec(r.estimatedAmount).gt(0) && dec(r.estimatedAmount).gte(input.policy.minTradeAmount)).toBe(true);
      }
    });
  });

  it('subscriptions: target funds that are buyable and tradable, respecting minimums, buying at least one unit', () => {
    run((input, d) => {
      for (const s of d.subscriptions) {
        const rules = rulesOf(input, s.instrument);
        const position = input.positions[s.instrument];
        const holds = position !== undefined && !dec(position.units).isZero();
        const min = Decimal.max(
          dec(holds ? rules.minSubsequentAmountSek : rules.minInitialAmountSek),
          dec(rules.minInvestmentAmountSEK),
          dec(input.policy.minTradeAmount)
        );
        const unitPrice = dec(position?.price ?? rules.closePrice);
        expect(input.targets.some((t) => t.instrument === s.instrument)).toBe(true);
        expect(rules.isBuyable && rules.isTradable).toBe(true);
        expect(s.amount).toMatch(/^\d+\.\d{2}$/);
        expect(dec(s.amount).gt(0) && dec(s.amount).gte(min)).toBe(true);
        expect(
          dec(s.amount).div(unitPrice).toDecimalPlaces(Math.min(rules.decimalsUnits, 7), Decimal.ROUND_DOWN).gt(0)
        ).toBe(true);
      }
    });
  });

  it('never plans to spend more than the funding, and the buffer is never undercut', () => {
    run((input, d) => {
      const buffer = roundTo(
        dec(input.policy.cashBufferPct).div(100).times(holdingsValue(input).plus(input.cash)),
        2,
        'ceil'
      );
      expect(d.cashBuffer).toBe(buffer.toFixed(2));
      const proceeds = sum(d.redemptions.map((r) => r.estimatedAmount));
      const spent = sum(d.subscriptions.map((s) => s.amount));
      expect(d.estimatedCashAfter).toBe(dec(input.cash).plus(proceeds).minus(spent).toFixed(2));
      if (d.subscriptions.length > 0) expect(dec(d.estimatedCashAfter).gte(buffer)).toBe(true);
    });
  });

  it('full mode: drift after ≤ drift before, on both measures', () => {
    run((input, d) => {
      if (input.policy.mode !== 'full') return;
      expect(dec(d.driftAfter.maxAbsolutePp).lte(d.driftBefore.maxAbsolutePp)).toBe(true);
      expect(dec(d.driftAfter.total).lte(d.driftBefore.total)).toBe(true);
    }, 3000);
  });

  it('full mode without constraints (all tradable, no minimums, 7 unit decimals, no buffer) reaches target', () => {
    const unconstrained = rebalanceInput
      .map((input): RebalanceInput => ({
        ...input,
        positions: Object.fromEntries(
          Object.entries(input.positions).map(([id, p]) => [
            id,
            { ...p, price: Decimal.min(p.price, 10_000).toFixed() },
          ])
        ),
        instruments: Object.fromEntries(
          Object.keys(input.instruments).map((id) => [
            id,
            {
              ...rulesOf(input, id),
              closePrice: Decimal.min(rulesOf(input, id).closePrice, 10_000).toFixed(),
              decimalsUnits: 7,
              minInitialAmountSek: '0',
              minSubsequentAmountSek: '0',
              minInvestmentAmountSEK: '0',
              isBuyable: true,
              isTradable: true,
              isSellable: true,
            },
          ])
        ),
        policy: { mode: 'full', minTradeAmount: '0', cashBufferPct: '0' },
      }))
      .filter((input) => holdingsValue(input).plus(input.cash).gte(1000)); // from here öre rounding is negligible
    fc.assert(
      fc.property(unconstrained, (input) => {
        const d = planRebalance(input);
        // Gaps round down to whole öre, so up to one öre per target of the proceeds can have no use: a sell that
        // small is not made (`proceeds-unused`); anything larger would be a real miss.
        const slack = new Decimal(input.targets.length).div(100);
        const unused = (s: { reason: string; amount: string }) =>
          s.reason === 'proceeds-unused' && dec(s.amount).lte(slack);
        expect(
          d.skipped.filter((s) => s.reason !== 'unit-decimals' && s.reason !== 'below-minimum-trade' && !unused(s))
        ).toEqual([]);
        expect(dec(d.driftAfter.maxAbsolutePp).lte('0.01')).toBe(true);
      }),
      { numRuns: 1000 }
    );
  });

  it('inside the band, full mode trades nothing; withinBand agrees with measureDrift + isOutsideBand', () => {
    run((input, d) => {
      const drift = measureDrift(input.positions, input.targets);
      expect(d.driftBefore).toEqual({ maxAbsolutePp: drift.maxAbsolutePp, total: drift.total });
      expect(d.withinBand).toBe(!isOutsideBand(drift, input.policy.band ?? {}));
      if (d.withinBand && input.policy.mode === 'full') {
        expect([d.redemptions, d.subscriptions, d.skipped]).toEqual([[], [], []]);
      }
    });
  });

  it('skips with a stable reason, never skipping and trading the same fund on the same side', () => {
    const reasons = new Set([
      'below-minimum-trade',
      'below-minimum',
      'not-sellable',
      'not-buyable',
      'not-tradable',
      'unit-decimals',
      'insufficient-cash',
      'would-increase-drift',
      'proceeds-unused',
      'sold-in-run',
    ]);
    run((_, d) => {
      for (const skip of d.skipped) {
        expect(reasons.has(skip.reason)).toBe(true);
        const traded = skip.side === 'sell' ? d.redemptions : d.subscriptions;
        expect(traded.some((t) => t.instrument === skip.instrument)).toBe(false);
        expect(skip.amount).toMatch(/^\d+\.\d{2}$/);
      }
    });
  });

  it('is deterministic: the same input gives the same decision', () => {
    run((input, d) => expect(planRebalance(structuredClone(input))).toEqual(d));
  });
});

describe('measureDrift: properties', () => {
  it('matches an independent decimal.js computation, rounded half-up to 4 decimals', () => {
    fc.assert(
      fc.property(positionsArb, targetsArb, (positions, targets) => {
        const drift = measureDrift(positions, targets);
        const value = (id: string) => {
          const p = positions[id];
          return p === undefined ? new Decimal(0) : dec(p.units).times(p.price);
        };
        const total = sum(Object.keys(positions).map(value));
        const ids = [
          ...targets.map((t) => t.instrument),
          ...Object.keys(positions)
            .filter((id) => !targets.some((t) => t.instrument === id) && !dec(positions[id]!.units).isZero())
            .sort(),
        ];
        const deviations = ids.map((id) => {
          const actual = total.isZero() ? new Decimal(0) : value(id).div(total).times(100);
          return actual.minus(targets.find((t) => t.instrument === id)?.percent ?? '0');
        });
        expect(drift.perInstrument.map((p) => p.instrument)).toEqual(ids);
        // a deviation that rounds to zero is written "0.0000", never "-0.0000"
        expect(drift.perInstrument.map((p) => p.deviationPp)).toEqual(
          deviations.map((x) => x.toFixed(4, Decimal.ROUND_HALF_UP).replace(/^-(0\.0+)$/, '$1'))
        );
        expect(drift.maxAbsolutePp).toBe(
          Decimal.max(...deviations.map((x) => x.abs())).toFixed(4, Decimal.ROUND_HALF_UP)
        );
        expect(drift.total).toBe(
          sum(deviations.map((x) => x.abs()))
            .div(2)
            .toFixed(4, Decimal.ROUND_HALF_UP)
        );
      }),
      { numRuns: 1500 }
    );
  });
});

describe('cashFlowAllocation: properties', () => {
  it('returns percents of ≤ 2 decimals, each > 0, summing to exactly 100, usable as a split allocation', () => {
    fc.assert(
      fc.property(positionsArb, targetsArb, oreAmount(10n ** 9n, 1n), (positions, targets, amount) => {
        const allocation = cashFlowAllocation({ positions, targets, amount });
        expect(sum(allocation.map((a) => a.percent)).toFixed()).toBe('100');
        for (const a of allocation) {
          expect(decimalsOf(a.percent) <= 2 && dec(a.percent).gt(0)).toBe(true);
          expect(targets.some((t) => t.instrument === a.instrument)).toBe(true);
        }
        const instruments = Object.fromEntries(
          allocation.map((a) => [
            a.instrument,
            {
              closePrice: '1',
              decimalsUnits: 2,
              minInitialAmountSek: '0',
              minSubsequentAmountSek: '0',
              minInvestmentAmountSEK: '0',
              isBuyable: true,
              isTradable: true,
            },
          ])
        );
        expect(() => splitDeposit({ amount, allocation, instruments })).not.toThrow();
      }),
      { numRuns: 1500 }
    );
  });

  it('never directs money to a fund that is at or above its target after the deposit', () => {
    fc.assert(
      fc.property(positionsArb, targetsArb, oreAmount(10n ** 9n, 1n), (positions, targets, amount) => {
        const allocation = cashFlowAllocation({ positions, targets, amount });
        const values = new Map(Object.entries(positions).map(([id, p]) => [id, dec(p.units).times(p.price)]));
        const total = sum([...values.values()]);
        if (total.isZero()) return;
        const after = total.plus(amount);
        const anyShort = targets.filter((t) =>
          after
            .times(t.percent)
            .div(100)
            .minus(values.get(t.instrument) ?? 0)
            .gte('0.01')
        );
        const gapsTotal = sum(
          anyShort.map((t) =>
            after
              .times(t.percent)
              .div(100)
              .minus(values.get(t.instrument) ?? 0)
          )
        );
        if (gapsTotal.lt(amount)) return; // the gaps cannot take it all: the rest goes pro rata
        for (const a of allocation) expect(anyShort.some((t) => t.instrument === a.instrument)).toBe(true);
      }),
      { numRuns: 1500 }
    );
  });
});

describe('planRebalance: validation agrees with RebalanceInputSchema', () => {
  const junk = fc.oneof(
    fc.constantFrom<unknown>(
      '-1',
      '1e3',
      '0',
      '1.001',
      '100.5',
      'abc',
      '',
      '01',
      '-0',
      5,
      null,
      true,
      [],
      {},
      undefined
    ),
    fc.jsonValue()
  );
  type Mutable = Record<string, unknown> & {
    policy: Record<string, unknown>;
    instruments: Record<string, Record<string, unknown>>;
    targets: Record<string, unknown>[];
  };
  const paths: ((input: Mutable, value: unknown) => void)[] = [
    (i, v) => (i.positions = v),
    (i, v) => (i.positions = { [IDS[0]!]: { units: v, price: '1' } }),
    (i, v) => (i.positions = { [OFF_TARGET]: { units: '1', price: v } }),
    (i, v) => (i.cash = v),
    (i, v) => (i.targets = v as Record<string, unknown>[]),
    (i, v) => (i.targets[0]!.percent = v),
    (i, v) => (i.instruments[IDS[0]!]!.isSellable = v),
    (i, v) => (i.instruments[IDS[1]!]!.closePrice = v),
    (i, v) => (i.policy = v as Record<string, unknown>),
    (i, v) => (i.policy.mode = v),
    (i, v) => (i.policy.band = v),
    (i, v) => (i.policy.band = { relativePct: v }),
    (i, v) => (i.policy.minTradeAmount = v),
    (i, v) => (i.policy.cashBufferPct = v),
    (i) => delete i.instruments[OFF_TARGET],
  ];

  it('throws DomainInputError exactly when the schema rejects, with the schema’s messages', () => {
    fc.assert(
      fc.property(rebalanceInput, fc.integer({ min: 0, max: paths.length - 1 }), junk, (valid, path, value) => {
        const input = structuredClone(valid) as unknown as Mutable;
        (paths[path] as (i: Mutable, v: unknown) => void)(input, value);
        const parsed = RebalanceInputSchema.safeParse(input);
        let thrown: unknown;
        try {
          planRebalance(input as unknown as RebalanceInput);
        } catch (error) {
          thrown = error;
        }
        expect(thrown === undefined).toBe(parsed.success);
        if (!parsed.success) {
          expect(thrown).toBeInstanceOf(DomainInputError);
          expect((thrown as DomainInputError).problems).toEqual(zodProblems(parsed.error));
        }
      }),
      { numRuns: 3000 }
    );
  });
});
