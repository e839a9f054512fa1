/**
 * Issue 11 ("Plan money books"), engine half of items 2 and 4: the pool is deposit + the plan's free cash + carry;
 * a released held leg is re-decided against the fund's current rules. Repro 2 and repro 3 as pure tests; repro 3 runs
 * the split and the plan ledger together over several cycles.
 */
import fc from 'fast-check';
import { redecideReleasedLeg, splitDeposit, type SplitDecision } from '../../shared/allocation';
import { type InstrumentRules } from '../../shared/instrument-rules';
import { emptyLedger, freeCash, type Ledger, type LedgerEntry, ledgerTotals, postAll } from '../../shared/ledger';
import { Decimal, sum } from '../../shared/money';
import { oreAmount } from '../helpers/domain-arbitraries';

const NORRSKEN = 'SE0000000101SEK';
const EKSKOG = 'SE0000000102SEK';
const LODJUR = 'SE0000000103SEK';

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

const allocation = [
  { instrument: NORRSKEN, percent: '60' },
  { instrument: EKSKOG, percent: '20' },
  { instrument: LODJUR, percent: '20' },
];
const instruments = {
  [NORRSKEN]: rules({ closePrice: '254.81', minInitialAmountSek: '100' }),
  [EKSKOG]: rules({ closePrice: '98.4', minInitialAmountSek: '100' }),
  // reopened, but its initial minimum is 1 000
  [LODJUR]: rules({ closePrice: '137.45', minInitialAmountSek: '1000', minSubsequentAmountSek: '100' }),
};

const total = (d: SplitDecision) =>
  sum([...d.orders.map((o) => o.amount), ...d.held.map((h) => h.amount), ...Object.values(d.carry), d.residual]);

describe('repro 2: a released held leg is re-decided against the fund’s current rules', () => {
  it('never orders 400 SEK of a fund whose initial minimum is 1 000: redistributed to the other funds', () => {
    const decision = redecideReleasedLeg({ instrument: LODJUR, amount: '400.00', allocation, instruments });
    expect(decision.orders.some((o) => o.instrument === LODJUR)).toBe(false);
    // 400 over Norrsken 60 / Ekskog 20 → 75 % / 25 %
    expect(decision.orders).toEqual([
      { instrument: NORRSKEN, amount: '300.00', estimatedUnits: '1.1773' },
      { instrument: EKSKOG, amount: '100.00', estimatedUnits: '1.0162' },
    ]);
    expect(decision.residual).toBe('0.00');
    expect(decision.explanation[0]).toBe(
      `${LODJUR}: 400,00\u00a0kr released from hold; it is below the fund's current initial minimum of ` +
        '1\u00a0000,00\u00a0kr, so it was redistributed to the other funds.'
    );
  });

  it('carries it for the fund with belowMinimum: carry', () => {
    const decision = redecideReleasedLeg({
      instrument: LODJUR,
      amount: '400.00',
      allocation,
      instruments,
      policy: { belowMinimum: 'carry' },
    });
    expect(decision.orders).toEqual([]);
    expect(decision.carry).toEqual({ [LODJUR]: '400.00' });
  });

  it('orders it when it reaches the current minimum (subsequent, as the fund is held)', () => {
    const decision = redecideReleasedLeg({
      instrument: LODJUR,
      amount: '400.00',
      allocation,
      instruments,
      holdings: { [LODJUR]: '3' },
    });
    expect(decision.orders).toEqual([{ instrument: LODJUR, amount: '400.00', estimatedUnits: '2.9101' }]);
  });

  it('holds it again while the fund is still blocked', () => {
    const closed = { ...instruments, [LODJUR]: rules({ closePrice: '137.45', isTradable: false }) };
    const decision = redecideReleasedLeg({ instrument: LODJUR, amount: '400.00', allocation, instruments: closed });
    expect(decision.held).toEqual([{ instrument: LODJUR, amount: '400.00', reason: 'not-tradable' }]);
  });

  it('keeps it as residual cash when no other fund is in the allocation', () => {
    const decision = redecideReleasedLeg({
      instrument: LODJUR,
      amount: '400.00',
      allocation: [{ instrument: LODJUR, percent: '100' }],
      instruments,
    });
    expect(decision.orders).toEqual([]);
    expect(decision.residual).toBe('400.00');
  });

  it('property: never orders below the current minimum or zero units, and accounts for every öre', () => {
    const minimum = fc.constantFrom('0', '100', '500', '1000', '5000');
    const fundRules = fc.record({
      closePrice: fc.constantFrom('1', '98.4', '137.45', '254.81', '5000'),
      decimalsUnits: fc.integer({ min: 0, max: 7 }),
      minInitialAmountSek: minimum,
      minSubsequentAmountSek: minimum,
      minInvestmentAmountSEK: fc.constantFrom('0', '0', '250'),
      isBuyable: fc.boolean(),
      isTradable: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.tuple(fundRules, fundRules, fundRules),
        oreAmount(1_000_000n, 1n),
        fc.constantFrom('redistribute' as const, 'carry' as const),
        fc.constantFrom('hold' as const, 'redistribute' as const),
        fc.boolean(),
        ([n, e, l], amount, belowMinimum, blocked, lodjurHeld) => {
          const current: Record<string, InstrumentRules> = { [NORRSKEN]: n, [EKSKOG]: e, [LODJUR]: l };
          const holdings: Record<string, string> = lodjurHeld ? { [LODJUR]: '1' } : {};
          const decision = redecideReleasedLeg({
            instrument: LODJUR,
            amount,
            allocation,
            instruments: current,
            holdings,
            policy: { belowMinimum, blocked },
          });
          expect(total(decision).toFixed(2)).toBe(new Decimal(amount).toFixed(2));
          for (const order of decision.orders) {
            const r = current[order.instrument] as InstrumentRules;
            const held = order.instrument === LODJUR && lodjurHeld;
            const min = Decimal.max(held ? r.minSubsequentAmountSek : r.minInitialAmountSek, r.minInvestmentAmountSEK);
            expect(r.isBuyable && r.isTradable).toBe(true);
            expect(new Decimal(order.amount).gte(min)).toBe(true);
            expect(new Decimal(order.estimatedUnits).gt(0)).toBe(true);
          }
        }
      ),
      { numRuns: 1000 }
    );
  });
});

describe('repro 3: residual and settlement remainders re-enter the next pool', () => {
  const FUND = 'SE0000000104SEK';
  const single = [{ instrument: FUND, percent: '100' }];

  /** One cycle: the split of deposit + the ledger's free cash, posted to the ledger; orders settle at `settle`. */
  function cycle(
    ledger: Ledger,
    period: string,
    deposit: string,
    fundRules: InstrumentRules,
    settle: (amount: string) => string
  ): { ledger: Ledger; decision: SplitDecision } {
    const free = freeCash(ledger);
    const decision = splitDeposit({
      amount: deposit,
      allocation: single,
      instruments: { [FUND]: fundRules },
      ...(free === '0.00' ? {} : { freeCash: free }),
    });
    const entries: LedgerEntry[] = [{ kind: 'payment-collected', paymentRef: `p-${period}`, amount: deposit }];
    for (const order of decision.orders) {
      const orderRef = `p-${period}:${order.instrument}:1`;
      entries.push({ kind: 'order-placed', orderRef, instrument: order.instrument, side: 'buy', amount: order.amount });
      entries.push({ kind: 'order-settled', orderRef, amount: settle(order.amount) });
    }
    const blockedBy =
      decision.orders.length === 0 ? { instrument: FUND, minimum: fundRules.minInitialAmountSek } : undefined;
    entries.push({ kind: 'cycle-closed', outcome: 'invested', ...(blockedBy ? { blockedBy } : {}) });
    return { ledger: postAll(ledger, entries), decision };
  }

  it('a 300 SEK plan into a fund with a 500 SEK initial minimum invests once the pool reaches the minimum', () => {
    const fund = rules({ minInitialAmountSek: '500' });
    const settleAll = (amount: string) => amount;
    const first = cycle(emptyLedger(), '2026-01', '300.00', fund, settleAll);
    expect(first.decision.orders).toEqual([]);
    expect(first.decision.residual).toBe('300.00');
    expect(freeCash(first.ledger)).toBe('300.00');

    const second = cycle(first.ledger, '2026-02', '300.00', fund, settleAll);
    expect(second.decision.orders).toEqual([{ instrument: FUND, amount: '600.00', estimatedUnits: '6.0000' }]);
    expect(second.decision.explanation[0]).toBe(
      "Pool: 300,00\u00a0kr deposited plus 300,00\u00a0kr of the plan's free cash (money earlier cycles or orders left uninvested)."
    );
    expect(ledgerTotals(second.ledger)).toMatchObject({ collected: '600.00', settled: '600.00', free: '0.00' });
  });

  it('settlement remainders (200 SEK into a 0-decimal fund at NAV 137.45) are invested by the next cycles', () => {
    const fund = rules({ closePrice: '137.45', decimalsUnits: 0 });
    // Fondo books whole units × NAV; the rest of the ordered amount stays on the account
    const settleWholeUnits = (amount: string) =>
      new Decimal(amount).div('137.45').floor().times('137.45').toFixed(2, Decimal.ROUND_DOWN);
    let ledger = emptyLedger();
    const ordered: string[] = [];
    for (const period of ['2026-01', '2026-02', '2026-03']) {
      const next = cycle(ledger, period, '200.00', fund, settleWholeUnits);
      ordered.push(...next.decision.orders.map((o) => o.amount));
      ledger = next.ledger;
    }
    // 200.00 → 1 unit (137.45), 62.55 free; 262.55 → 1 unit, 125.10 free; 325.10 → 2 units (274.90), 50.20 free
    expect(ordered).toEqual(['200.00', '262.55', '325.10']);
    expect(ledgerTotals(ledger)).toMatchObject({ collected: '600.00', settled: '549.80', free: '50.20' });
  });
});
