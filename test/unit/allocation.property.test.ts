import fc from 'fast-check';
import { type SplitDecision, type SplitInput, SplitInputSchema, splitDeposit } from '../../shared/allocation';
import { DomainInputError, zodProblems } from '../../shared/domain-error';
import { type InstrumentRules } from '../../shared/instrument-rules';
import { Decimal, roundTo, sum } from '../../shared/money';
import { mostly, oreAmount, percents, scaled } from '../helpers/domain-arbitraries';

// Every expectation is recomputed here with decimal.js from the input strings, independently of the engine's
// BigInt arithmetic.

const IDS = ['SE0000000001SEK', 'SE0000000002SEK', 'SE0000000003SEK', 'SE0000000004SEK', 'SE0000000005SEK', 'F6', 'F7'];
const ORPHAN = 'SE0000000099SEK';

const minimum = fc.oneof(
  { arbitrary: fc.constant('0'), weight: 3 },
  { arbitrary: fc.constantFrom('50', '100', '500', '1000'), weight: 2 },
  { arbitrary: oreAmount(200_000n), weight: 1 }
);
const price = fc.oneof(
  fc.constantFrom('0.01', '1', '99.5', '100', '123.4567', '5000', '0.0000000001'),
  scaled(1n, 10n ** 12n, 10)
);
const rulesArb: fc.Arbitrary<InstrumentRules> = fc.record({
  closePrice: price,
  decimalsUnits: fc.integer({ min: 0, max: 9 }),
  minInitialAmountSek: minimum,
  minSubsequentAmountSek: minimum,
  minInvestmentAmountSEK: fc.oneof({ arbitrary: fc.constant('0'), weight: 3 }, { arbitrary: minimum, weight: 1 }),
  isBuyable: mostly(6),
  isTradable: mostly(6),
});

const splitInput: fc.Arbitrary<SplitInput> = fc.shuffledSubarray(IDS, { minLength: 1, maxLength: 6 }).chain((funds) =>
  fc.record({
    amount: fc.oneof(oreAmount(100_000n, 1n), oreAmount(10n ** 11n, 1n)),
    allocation: percents(funds.length).map((ps) =>
      funds.map((instrument, i) => ({ instrument, percent: ps[i] as string }))
    ),
    instruments: fc
      .tuple(...IDS.map(() => rulesArb))
      .map((all) => Object.fromEntries(IDS.map((id, i) => [id, all[i] as InstrumentRules]))),
    holdings: fc.dictionary(fc.constantFrom(...IDS), fc.constantFrom('0', '1', '0.0000001', '12.5')),
    carry: fc.dictionary(fc.constantFrom(...IDS, ORPHAN), oreAmount(50_000n)),
    policy: fc.record(
      {
        belowMinimum: fc.constantFrom('redistribute' as const, 'carry' as const),
        blocked: fc.constantFrom('hold' as const, 'redistribute' as const),
      },
      { requiredKeys: [] }
    ),
  })
);

const dec = (s: string) => new Decimal(s);
const decimalsOf = (s: string) => s.split('.')[1]?.length ?? 0;

interface Expectation {
  minimum: Decimal;
  blocked: 'not-buyable' | 'not-tradable' | undefined;
  scale: number;
  price: Decimal;
}

function expectationOf(input: SplitInput, id: string): Expectation {
  const r = input.instruments[id] as InstrumentRules;
  const units = input.holdings?.[id];
  const holds = units !== undefined && !dec(units).isZero();
  return {
    minimum: Decimal.max(dec(holds ? r.minSubsequentAmountSek : r.minInitialAmountSek), dec(r.minInvestmentAmountSEK)),
    blocked: !r.isBuyable ? 'not-buyable' : !r.isTradable ? 'not-tradable' : undefined,
    scale: Math.min(r.decimalsUnits, 7),
    price: dec(r.closePrice),
  };
}

function orderable(amount: Decimal, e: Expectation): boolean {
  return amount.gte(e.minimum) && amount.div(e.price).toDecimalPlaces(e.scale, Decimal.ROUND_DOWN).gt(0);
}

const run = (property: (input: SplitInput, decision: SplitDecision) => void) =>
  fc.assert(
    fc.property(splitInput, (input) => property(input, splitDeposit(input))),
    { numRuns: 1500 }
  );

describe('splitDeposit: properties', () => {
  it('conserves money exactly: amount + Σ input carry = Σ orders + Σ held + Σ output carry + residual', () => {
    run((input, d) => {
      const inflow = dec(input.amount).plus(sum(Object.values(input.carry ?? {})));
      const outflow = sum([
        ...d.orders.map((o) => o.amount),
        ...d.held.map((h) => h.amount),
        ...Object.values(d.carry),
        d.residual,
      ]);
      expect(outflow.toFixed()).toBe(inflow.toFixed());
    });
  });

  it('writes every amount with exactly 2 decimals and never a negative one', () => {
    run((_, d) => {
      for (const amount of [
        ...d.orders.map((o) => o.amount),
        ...d.held.map((h) => h.amount),
        ...Object.values(d.carry),
        d.residual,
      ]) {
        expect(amount).toMatch(/^\d+\.\d{2}$/);
      }
    });
  });

  it('orders respect minimums; estimated units are amount / price rounded down to the fund’s decimals, never 0', () => {
    run((input, d) => {
      for (const order of d.orders) {
        const e = expectationOf(input, order.instrument);
        const amount = dec(order.amount);
        expect(amount.gte(e.minimum)).toBe(true);
        expect(decimalsOf(order.estimatedUnits)).toBe(e.scale);
        expect(order.estimatedUnits).toBe(amount.div(e.price).toFixed(e.scale, Decimal.ROUND_DOWN));
        expect(dec(order.estimatedUnits).gt(0)).toBe(true);
      }
    });
  });

  it('never orders or carries a blocked fund; holds it (reason not-buyable before not-tradable) or redistributes it', () => {
    run((input, d) => {
      const blocked = input.allocation.filter((w) => expectationOf(input, w.instrument).blocked !== undefined);
      const blockedIds = new Set(blocked.map((w) => w.instrument));
      expect(d.orders.filter((o) => blockedIds.has(o.instrument))).toEqual([]);
      expect(Object.keys(d.carry).filter((id) => blockedIds.has(id))).toEqual([]);
      if (input.policy?.blocked === 'redistribute') {
        expect(d.held).toEqual([]);
      } else {
        expect(d.held.map((h) => [h.instrument, h.reason])).toEqual(
          blocked.map((w) => [w.instrument, expectationOf(input, w.instrument).blocked])
        );
      }
    });
  });

  it('carries only legs that are not orderable, and only with the carry policy', () => {
    run((input, d) => {
      if (input.policy?.belowMinimum !== 'carry') {
        expect(d.carry).toEqual({});
        return;
      }
      for (const [id, amount] of Object.entries(d.carry)) {
        expect(orderable(dec(amount), expectationOf(input, id))).toBe(false);
        expect(dec(amount).gt(0)).toBe(true);
      }
    });
  });

  it('leaves a residual only when nothing could be ordered or carried', () => {
    run((_, d) => {
      if (dec(d.residual).gt(0)) {
        expect(d.orders).toEqual([]);
        expect(d.carry).toEqual({});
      }
    });
  });

  it('splits by largest remainder: with nothing blocked or dropped, each leg is its exact share ±1 öre of rounding', () => {
    run((input, d) => {
      if (d.orders.length !== input.allocation.length) return;
      const orphan = sum(
        Object.entries(input.carry ?? {})
          .filter(([id]) => !input.allocation.some((w) => w.instrument === id))
          .map(([, c]) => c)
      );
      const pool = dec(input.amount).plus(orphan);
      input.allocation.forEach((weight, i) => {
        const share = dec((d.orders[i] as { amount: string }).amount).minus(
          dec(input.carry?.[weight.instrument] ?? '0')
        );
        const exact = pool.times(weight.percent).div(100);
        const floor = roundTo(exact, 2, 'down');
        expect(share.eq(floor) || share.eq(floor.plus('0.01'))).toBe(true);
      });
    });
  });

  it('explains every leg once, in allocation order, then dropped carry, then a non-zero residual', () => {
    run((input, d) => {
      const orphans = Object.entries(input.carry ?? {})
        .filter(([id, c]) => !input.allocation.some((w) => w.instrument === id) && !dec(c).isZero())
        .map(([id]) => id);
      const subjects = [...input.allocation.map((w) => w.instrument), ...orphans.sort()];
      if (dec(d.residual).gt(0)) subjects.push('Residual');
      expect(d.explanation.map((sentence) => sentence.slice(0, sentence.indexOf(':')))).toEqual(subjects);
      for (const sentence of d.explanation) expect(sentence).toMatch(/kr.*\.$/);
    });
  });

  it('is deterministic: the same input gives the same decision', () => {
    run((input, d) => {
      expect(splitDeposit(structuredClone(input))).toEqual(d);
    });
  });
});

describe('splitDeposit: validation agrees with SplitInputSchema', () => {
  const junk = fc.oneof(
    fc.constantFrom<unknown>('-1', '1e3', '0', '1.001', 'abc', '', '01', '-0', 5, null, true, [], {}, undefined),
    fc.jsonValue()
  );
  const paths: ((input: Record<string, unknown>, value: unknown) => void)[] = [
    (i, v) => (i.amount = v),
    (i, v) => (i.allocation = v),
    (i, v) => ((i.allocation as Record<string, unknown>[])[0]!.percent = v),
    (i, v) => ((i.allocation as Record<string, unknown>[])[0]!.instrument = v),
    (i, v) => (i.instruments = v),
    (i, v) => ((i.instruments as Record<string, Record<string, unknown>>)[IDS[0]!]!.closePrice = v),
    (i, v) => ((i.instruments as Record<string, Record<string, unknown>>)[IDS[1]!]!.decimalsUnits = v),
    (i, v) => ((i.instruments as Record<string, Record<string, unknown>>)[IDS[2]!]!.minInitialAmountSek = v),
    (i, v) => ((i.instruments as Record<string, Record<string, unknown>>)[IDS[3]!]!.isTradable = v),
    (i, v) => (i.holdings = v),
    (i, v) => (i.holdings = { [IDS[0]!]: v }),
    (i, v) => (i.carry = { [ORPHAN]: v }),
    (i, v) => (i.policy = v),
    (i, v) => (i.policy = { belowMinimum: v }),
  ];

  it('throws DomainInputError exactly when the schema rejects, with the schema’s messages', () => {
    fc.assert(
      fc.property(splitInput, fc.integer({ min: 0, max: paths.length - 1 }), junk, (valid, path, value) => {
        const input = structuredClone(valid) as unknown as Record<string, unknown>;
        (paths[path] as (i: Record<string, unknown>, v: unknown) => void)(input, value);
        const parsed = SplitInputSchema.safeParse(input);
        let thrown: unknown;
        try {
          splitDeposit(input as SplitInput);
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
