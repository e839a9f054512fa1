import { apportion, type SplitInput, splitDeposit } from '../../shared/allocation';
import { DomainInputError } from '../../shared/domain-error';
import { type InstrumentRules } from '../../shared/instrument-rules';

const NBSP = '\u00a0';
/** "1 234,50 kr" with the no-break spaces formatSek uses. */
const kr = (text: string) => `${text.replace(/ /g, NBSP)}${NBSP}kr`;

function rules(overrides: Partial<InstrumentRules> = {}): InstrumentRules {
  return {
    closePrice: '100',
    decimalsUnits: 4,
    minInitialAmountSek: '0',
    minSubsequentAmountSek: '0',
    minInvestmentAmountSEK: '0',
    isBuyable: true,
    isTradable: true,
    ...overrides,
  };
}

describe('apportion (largest remainder)', () => {
  it('gives the left-over count to the largest remainder', () => {
    expect(
      apportion(1n, [
        { key: 'a', weight: 1n },
        { key: 'b', weight: 2n },
      ])
    ).toEqual([0n, 1n]);
  });
  it('breaks a remainder tie by larger weight', () => {
    // exact shares 0.5 and 1.5: equal remainders, the heavier claim gets the count
    expect(
      apportion(2n, [
        { key: 'a', weight: 1n },
        { key: 'b', weight: 3n },
      ])
    ).toEqual([0n, 2n]);
  });
  it('breaks a full tie by key ascending', () => {
    expect(
      apportion(1n, [
        { key: 'B', weight: 1n },
        { key: 'A', weight: 1n },
      ])
    ).toEqual([0n, 1n]);
  });
  it('gives nothing to a zero weight and always sums to the total', () => {
    expect(
      apportion(7n, [
        { key: 'a', weight: 0n },
        { key: 'b', weight: 3n },
        { key: 'c', weight: 3n },
      ])
    ).toEqual([0n, 4n, 3n]);
  });
});

describe('splitDeposit: examples', () => {
  it('splits a 3-fund plan into orders with estimated units rounded down to each fund’s decimals', () => {
    const decision = splitDeposit({
      amount: '1000',
      allocation: [
        { instrument: 'SE0000000001SEK', percent: '50' },
        { instrument: 'SE0000000002SEK', percent: '30' },
        { instrument: 'SE0000000003SEK', percent: '20' },
      ],
      instruments: {
        SE0000000001SEK: rules({ closePrice: '100', decimalsUnits: 4, minInitialAmountSek: '100' }),
        SE0000000002SEK: rules({ closePrice: '250.5', decimalsUnits: 3, minInitialAmountSek: '100' }),
        SE0000000003SEK: rules({ closePrice: '10', decimalsUnits: 0, minInitialAmountSek: '100' }),
      },
    });
    expect(decision).toEqual({
      orders: [
        { instrument: 'SE0000000001SEK', amount: '500.00', estimatedUnits: '5.0000' },
        { instrument: 'SE0000000002SEK', amount: '300.00', estimatedUnits: '1.197' },
        { instrument: 'SE0000000003SEK', amount: '200.00', estimatedUnits: '20' },
      ],
      held: [],
      carry: {},
      residual: '0.00',
      explanation: [
        `SE0000000001SEK: ${kr('500,00')} ordered (estimated 5.0000 units) for its 50% allocation.`,
        `SE0000000002SEK: ${kr('300,00')} ordered (estimated 1.197 units) for its 30% allocation.`,
        `SE0000000003SEK: ${kr('200,00')} ordered (estimated 20 units) for its 20% allocation.`,
      ],
    });
  });

  it('rounds legs down to öre and hands the left-over öre to the largest remainder', () => {
    const decision = splitDeposit({
      amount: '1',
      allocation: [
        { instrument: 'A', percent: '33.33' },
        { instrument: 'B', percent: '33.33' },
        { instrument: 'C', percent: '33.34' },
      ],
      instruments: {
        A: rules({ closePrice: '0.01' }),
        B: rules({ closePrice: '0.01' }),
        C: rules({ closePrice: '0.01' }),
      },
    });
    expect(decision.orders.map((o) => o.amount)).toEqual(['0.33', '0.33', '0.34']);
  });

  it('carries a below-minimum leg until the carried sum reaches the minimum (three cycles)', () => {
    const instruments = { A: rules(), B: rules({ minInitialAmountSek: '100' }) };
    const cycle = (carry: Record<string, string>) =>
      splitDeposit({
        amount: '400',
        allocation: [
          { instrument: 'A', percent: '90' },
          { instrument: 'B', percent: '10' },
        ],
        instruments,
        carry,
        policy: { belowMinimum: 'carry' },
      });

    const first = cycle({});
    expect(first.orders).toEqual([{ instrument: 'A', amount: '360.00', estimatedUnits: '3.6000' }]);
    expect(first.carry).toEqual({ B: '40.00' });
    expect(first.explanation[1]).toBe(
      `B: ${kr('40,00')} is below the fund's initial minimum of ${kr('100,00')}; carried to the next cycle.`
    );

    const second = cycle(first.carry);
    expect(second.carry).toEqual({ B: '80.00' });
    expect(second.orders.map((o) => o.instrument)).toEqual(['A']);

    const third = cycle(second.carry);
    expect(third.carry).toEqual({});
    expect(third.orders).toEqual([
      { instrument: 'A', amount: '360.00', estimatedUnits: '3.6000' },
      { instrument: 'B', amount: '120.00', estimatedUnits: '1.2000' },
    ]);
    expect(third.explanation[1]).toBe(
      `B: ${kr('120,00')} ordered (estimated 1.2000 units) for its 10% allocation, including ${kr('80,00')} carried ` +
        'from earlier cycles.'
    );
  });

  it('holds a blocked leg at its full amount, its carry included, to be retried', () => {
    const decision = splitDeposit({
      amount: '1000',
      allocation: [
        { instrument: 'SE0000000001SEK', percent: '70' },
        { instrument: 'SE0000000002SEK', percent: '30' },
      ],
      instruments: { SE0000000001SEK: rules({ isTradable: false }), SE0000000002SEK: rules({ isTradable: false }) },
      carry: { SE0000000002SEK: '20' },
    });
    expect(decision.orders).toEqual([]);
    expect(decision.held).toEqual([
      { instrument: 'SE0000000001SEK', amount: '700.00', reason: 'not-tradable' },
      { instrument: 'SE0000000002SEK', amount: '320.00', reason: 'not-tradable' },
    ]);
    expect(decision.explanation).toEqual([
      `SE0000000001SEK: ${kr('700,00')} held — fund is not tradable; will retry.`,
      `SE0000000002SEK: ${kr('320,00')} (including ${kr('20,00')} carried from earlier cycles) held — fund is not ` +
        'tradable; will retry.',
    ]);
  });

  it('reports not-buyable before not-tradable', () => {
    const decision = splitDeposit({
      amount: '100',
      allocation: [{ instrument: 'A', percent: '100' }],
      instruments: { A: rules({ isBuyable: false, isTradable: false }) },
    });
    expect(decision.held).toEqual([{ instrument: 'A', amount: '100.00', reason: 'not-buyable' }]);
  });

  it('redistributes a blocked leg pro rata over the other legs', () => {
    const decision = splitDeposit({
      amount: '1000',
      allocation: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '30' },
        { instrument: 'C', percent: '20' },
      ],
      instruments: { A: rules(), B: rules({ isBuyable: false }), C: rules() },
      carry: { B: '10' },
      policy: { blocked: 'redistribute' },
    });
    // 1010 over 50:20 → 721.428… and 288.571…, rounded down to öre, the left-over öre to A's larger remainder
    expect(decision.orders.map((o) => [o.instrument, o.amount])).toEqual([
      ['A', '721.43'],
      ['C', '288.57'],
    ]);
    expect(decision.held).toEqual([]);
    expect(decision.explanation[1]).toBe(
      `B: fund is not buyable; its 30% share (${kr('310,00')}, including ${kr('10,00')} carried from earlier cycles) ` +
        'was redistributed to the other funds.'
    );
    expect(decision.explanation[0]).toContain('plus weight redistributed from other funds');
  });

  it('drops the leg furthest below its minimum first and re-splits until every leg is orderable', () => {
    const input: SplitInput = {
      amount: '600',
      allocation: [
        { instrument: 'A', percent: '80' },
        { instrument: 'B', percent: '15' },
        { instrument: 'C', percent: '5' },
      ],
      instruments: { A: rules(), B: rules({ minInitialAmountSek: '100' }), C: rules({ minInitialAmountSek: '100' }) },
    };
    // A 480, B 90 (ratio 0.9), C 30 (0.3): C goes first; then B gets 94.74, still below 100, and goes too.
    const decision = splitDeposit(input);
    expect(decision.orders).toEqual([{ instrument: 'A', amount: '600.00', estimatedUnits: '6.0000' }]);
    expect(decision.explanation).toEqual([
      `A: ${kr('600,00')} ordered (estimated 6.0000 units) for its 80% allocation plus weight redistributed from ` +
        'other funds.',
      `B: ${kr('94,74')} is below the fund's initial minimum of ${kr('100,00')}; its share was redistributed to the ` +
        'other funds.',
      `C: ${kr('30,00')} is below the fund's initial minimum of ${kr('100,00')}; its share was redistributed to the ` +
        'other funds.',
    ]);

    // Holding B switches it to the subsequent minimum (50): only C is dropped.
    const holding = splitDeposit({
      ...input,
      instruments: { ...input.instruments, B: rules({ minInitialAmountSek: '100', minSubsequentAmountSek: '50' }) },
      holdings: { B: '1.5' },
    });
    expect(holding.orders.map((o) => [o.instrument, o.amount])).toEqual([
      ['A', '505.26'],
      ['B', '94.74'],
    ]);
  });

  it('uses the larger of the initial/subsequent minimum and minInvestmentAmountSEK', () => {
    const decision = splitDeposit({
      amount: '300',
      allocation: [{ instrument: 'A', percent: '100' }],
      instruments: { A: rules({ minInitialAmountSek: '100', minInvestmentAmountSEK: '500' }) },
      policy: { belowMinimum: 'carry' },
    });
    expect(decision.carry).toEqual({ A: '300.00' });
    expect(decision.explanation).toEqual([
      `A: ${kr('300,00')} is below the fund's minimum investment of ${kr('500,00')}; carried to the next cycle.`,
    ]);
  });

  it('treats a leg whose estimate is zero units as below minimum', () => {
    const decision = splitDeposit({
      amount: '1000',
      allocation: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules(), B: rules({ closePrice: '5000', decimalsUnits: 0 }) },
    });
    expect(decision.orders).toEqual([{ instrument: 'A', amount: '1000.00', estimatedUnits: '10.0000' }]);
    expect(decision.explanation[1]).toBe(
      `B: ${kr('500,00')} would buy zero units at 5000 SEK per unit with 0 unit decimals; its share was ` +
        'redistributed to the other funds.'
    );
  });

  it('clamps unit decimals above 7 to 7', () => {
    const decision = splitDeposit({
      amount: '1',
      allocation: [{ instrument: 'A', percent: '100' }],
      instruments: { A: rules({ closePrice: '3', decimalsUnits: 12 }) },
    });
    expect(decision.orders[0]?.estimatedUnits).toBe('0.3333333');
  });

  it('leaves everything as residual cash when no leg can reach its minimum', () => {
    const decision = splitDeposit({
      amount: '500',
      allocation: [{ instrument: 'A', percent: '100' }],
      instruments: { A: rules({ minInitialAmountSek: '1000' }) },
      carry: { A: '25' },
    });
    expect(decision).toEqual({
      orders: [],
      held: [],
      carry: {},
      residual: '525.00',
      explanation: [
        `A: ${kr('525,00')} is below the fund's initial minimum of ${kr('1 000,00')}; no other fund could take it, so ` +
          'it stays as cash.',
        `Residual: ${kr('525,00')} stays as cash — no fund in the allocation could take it.`,
      ],
    });
  });

  it('splits the carry of a fund no longer in the allocation across the current allocation, and says so', () => {
    const decision = splitDeposit({
      amount: '100',
      allocation: [
        { instrument: 'A', percent: '50' },
        { instrument: 'B', percent: '50' },
      ],
      instruments: { A: rules(), B: rules() },
      carry: { OLD: '20.50', A: '0' },
    });
    expect(decision.orders.map((o) => [o.instrument, o.amount])).toEqual([
      ['A', '60.25'],
      ['B', '60.25'],
    ]);
    expect(decision.explanation[2]).toBe(
      `OLD: ${kr('20,50')} carried from earlier cycles; the fund is no longer in the allocation, so it was split ` +
        'across the current allocation.'
    );
  });

  it('neither orders nor carries a leg whose share rounds to zero öre', () => {
    const decision = splitDeposit({
      amount: '0.01',
      allocation: [
        { instrument: 'A', percent: '99' },
        { instrument: 'B', percent: '1' },
      ],
      instruments: { A: rules({ closePrice: '0.01' }), B: rules({ closePrice: '0.01' }) },
      policy: { belowMinimum: 'carry' },
    });
    expect(decision.orders).toEqual([{ instrument: 'A', amount: '0.01', estimatedUnits: '1.0000' }]);
    expect(decision.carry).toEqual({});
    expect(decision.explanation[1]).toBe(`B: its 1% share rounds to ${kr('0,00')}; nothing to order or carry.`);
  });
});

describe('splitDeposit: bad input', () => {
  const valid: SplitInput = {
    amount: '100',
    allocation: [
      { instrument: 'A', percent: '60' },
      { instrument: 'B', percent: '40' },
    ],
    instruments: { A: rules(), B: rules() },
  };

  const cases: [string, unknown, string][] = [
    [
      'weights not summing to 100',
      {
        ...valid,
        allocation: [
          { instrument: 'A', percent: '59.99' },
          { instrument: 'B', percent: '40' },
        ],
      },
      'invalid deposit split input: allocation percentages sum to 99.99, expected exactly 100',
    ],
    [
      'an unknown instrument',
      { ...valid, instruments: { A: rules() } },
      'invalid deposit split input: allocation instrument "B" is not in instruments',
    ],
    [
      'a duplicate instrument',
      {
        ...valid,
        allocation: [
          { instrument: 'A', percent: '50' },
          { instrument: 'A', percent: '50' },
        ],
      },
      'invalid deposit split input: allocation lists instrument "A" more than once',
    ],
    [
      'an empty allocation',
      { ...valid, allocation: [] },
      'invalid deposit split input: allocation is empty, expected weights summing to exactly 100',
    ],
    [
      'a negative amount',
      { ...valid, amount: '-5' },
      'invalid deposit split input: amount: must not be negative, got "-5"',
    ],
    ['a zero amount', { ...valid, amount: '0' }, 'invalid deposit split input: amount: must be greater than zero'],
    [
      'an amount with öre fractions',
      { ...valid, amount: '10.005' },
      'invalid deposit split input: amount: must have at most 2 decimals, got "10.005"',
    ],
    [
      'an amount as a number',
      { ...valid, amount: 100 },
      'invalid deposit split input: amount: Invalid input: expected string, received number',
    ],
    [
      'an amount in exponent notation',
      { ...valid, amount: '1e3' },
      'invalid deposit split input: amount: must be a decimal string like "123.45", got "1e3"',
    ],
    [
      'a zero percent',
      {
        ...valid,
        allocation: [
          { instrument: 'A', percent: '0' },
          { instrument: 'B', percent: '100' },
        ],
      },
      'invalid deposit split input: allocation[0].percent: must be greater than zero',
    ],
    [
      'a negative carry',
      { ...valid, carry: { A: '-1' } },
      'invalid deposit split input: carry.A: must not be negative, got "-1"',
    ],
    [
      'malformed holdings',
      { ...valid, holdings: { A: '1.123456789' } },
      'invalid deposit split input: holdings.A: must have at most 7 decimals, got "1.123456789"',
    ],
    [
      'a zero price',
      { ...valid, instruments: { A: rules({ closePrice: '0' }), B: rules() } },
      'invalid deposit split input: instruments.A.closePrice: must be greater than zero',
    ],
    [
      'fractional unit decimals',
      { ...valid, instruments: { A: rules({ decimalsUnits: 2.5 }), B: rules() } },
      'invalid deposit split input: instruments.A.decimalsUnits: Invalid input: expected int, received number',
    ],
    [
      'an unknown policy',
      { ...valid, policy: { blocked: 'skip' } },
      'invalid deposit split input: policy.blocked: Invalid option: expected one of "hold"|"redistribute"',
    ],
    ['not an object', null, 'invalid deposit split input: Invalid input: expected object, received null'],
  ];

  it.each(cases)('rejects %s with one specific error naming the problem', (_, input, message) => {
    const attempt = () => splitDeposit(input as SplitInput);
    expect(attempt).toThrow(DomainInputError);
    expect(attempt).toThrow(new Error(message)); // the whole message, exactly
  });

  it('names every problem it finds', () => {
    const attempt = () => splitDeposit({ ...valid, amount: '-1.001', carry: { A: 'x' } });
    expect(attempt).toThrow(
      'invalid deposit split input: amount: must have at most 2 decimals, got "-1.001"; amount: must not be negative, ' +
        'got "-1.001"; carry.A: must be a decimal string like "123.45", got "x"'
    );
  });

  it('never answers an instrument id with an inherited member', () => {
    expect(() => splitDeposit({ ...valid, allocation: [{ instrument: 'toString', percent: '100' }] })).toThrow(
      'allocation instrument "toString" is not in instruments'
    );
  });
});
