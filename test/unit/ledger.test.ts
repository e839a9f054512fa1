import {
  compactLedger,
  emptyLedger,
  freeCash,
  type Ledger,
  LedgerError,
  ledgerTotals,
  moneyNeedingAttention,
  post,
  postAll,
} from '../../shared/ledger';

const A = 'SE0000000301SEK';
const B = 'SE0000000302SEK';
const C = 'SE0000000303SEK';
const DEADLINE = '2026-12-31T12:00:00.000Z';

function refusal(fn: () => unknown): LedgerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
  throw new Error('expected a LedgerError');
}

/** One 2 000 SEK cycle: A 1 200 and B 400 ordered, C's 400 held (not tradable). */
const oneCycle: Ledger = postAll(emptyLedger(), [
  { kind: 'payment-collected', paymentRef: 'p1:2026-01', amount: '2000.00' },
  { kind: 'order-placed', orderRef: 'p1:2026-01:A:1', instrument: A, side: 'buy', amount: '1200.00' },
  { kind: 'order-placed', orderRef: 'p1:2026-01:B:1', instrument: B, side: 'buy', amount: '400.00' },
  { kind: 'leg-held', instrument: C, amount: '400.00', rule: 'not-tradable', deadline: DEADLINE },
  { kind: 'cycle-closed', outcome: 'invested' },
]);

describe('plan ledger', () => {
  it('books a cycle: collected = settled + in orders + held + carried + free', () => {
    expect(ledgerTotals(oneCycle)).toEqual({
      collected: '2000.00',
      settled: '0.00',
      inOrders: '1600.00',
      held: '400.00',
      carried: '0.00',
      free: '0.00',
    });
    expect(oneCycle.held[C]).toEqual([{ amount: '400.00', rule: 'not-tradable', deadline: DEADLINE }]);
  });

  it('frees a settlement remainder and the cash of a refused order, per fund', () => {
    const after = postAll(oneCycle, [
      // 9 whole units × NAV 126.385 = 1 137.465 → Fondo books 1 137.46; 62.54 stays on the account
      { kind: 'order-settled', orderRef: 'p1:2026-01:A:1', amount: '1137.46' },
      { kind: 'order-refused', orderRef: 'p1:2026-01:B:1' },
    ]);
    expect(ledgerTotals(after)).toEqual({
      collected: '2000.00',
      settled: '1137.46',
      inOrders: '0.00',
      held: '400.00',
      carried: '0.00',
      free: '462.54',
    });
    expect(after.free).toEqual([
      { amount: '62.54', reason: 'settlement-remainder', instrument: A, cycles: 0 },
      { amount: '400.00', reason: 'order-refused', instrument: B, cycles: 0 },
    ]);
    expect(after.orders['p1:2026-01:A:1']).toMatchObject({ status: 'settled', settled: '1137.46' });
  });

  it('releases a held leg into free cash, to be re-decided like a fresh leg', () => {
    const released = post(oneCycle, { kind: 'held-released', instrument: C });
    expect(released.held).toEqual({});
    expect(released.free).toEqual([{ amount: '400.00', reason: 'released', instrument: C, cycles: 0 }]);
    expect(refusal(() => post(released, { kind: 'held-released', instrument: C })).code).toBe('nothing-held');
  });

  it('books a sell: no money moves until it settles; the proceeds are free cash, settled goes down', () => {
    const sold = postAll(oneCycle, [
      { kind: 'order-settled', orderRef: 'p1:2026-01:A:1', amount: '1200.00' },
      { kind: 'order-placed', orderRef: 'p1:rb:2026-06-30:A:sell', instrument: A, side: 'sell', amount: '300.00' },
    ]);
    expect(ledgerTotals(sold).free).toBe('0.00');
    const settled = post(sold, { kind: 'order-settled', orderRef: 'p1:rb:2026-06-30:A:sell', amount: '310.25' });
    expect(ledgerTotals(settled)).toMatchObject({ settled: '889.75', free: '310.25' });
  });

  it('refuses a posting without changing the ledger: duplicate payment, overspending, over-settling, final order', () => {
    const before = JSON.stringify(oneCycle);
    expect(
      refusal(() => post(oneCycle, { kind: 'payment-collected', paymentRef: 'p1:2026-01', amount: '2000.00' })).code
    ).toBe('duplicate');
    const overspend = refusal(() =>
      post(oneCycle, { kind: 'order-placed', orderRef: 'x', instrument: A, side: 'buy', amount: '0.01' })
    );
    expect(overspend.code).toBe('insufficient-free-cash');
    expect(overspend.message).toContain('the plan has 0,00');
    expect(
      refusal(() => post(oneCycle, { kind: 'order-settled', orderRef: 'p1:2026-01:B:1', amount: '400.01' })).code
    ).toBe('over-settled');
    const refused = post(oneCycle, { kind: 'order-refused', orderRef: 'p1:2026-01:B:1' });
    expect(refusal(() => post(refused, { kind: 'order-canceled', orderRef: 'p1:2026-01:B:1' })).code).toBe(
      'order-not-open'
    );
    expect(refusal(() => post(oneCycle, { kind: 'order-canceled', orderRef: 'nope' })).code).toBe('unknown-order');
    expect(
      refusal(() => post(oneCycle, { kind: 'payment-collected', paymentRef: 'p2', amount: '1.005' } as never)).code
    ).toBe('invalid');
    expect(JSON.stringify(oneCycle)).toBe(before);
  });

  it('refuses a ledger whose pockets do not add up (a hand-edited or corrupted state)', () => {
    const broken: Ledger = { ...oneCycle, settled: '0.01' };
    const error = refusal(() => post(broken, { kind: 'cycle-closed', outcome: 'invested' }));
    expect(error.code).toBe('invariant');
    expect(error.message).toContain('collected 2');
  });

  it("keeps a failed cycle's deposit as free cash, labelled failed-cycle", () => {
    const failed = postAll(emptyLedger(), [
      { kind: 'payment-collected', paymentRef: 'p1:2026-02', amount: '1500.00' },
      { kind: 'cycle-closed', outcome: 'failed' },
    ]);
    expect(failed.free).toEqual([{ amount: '1500.00', reason: 'failed-cycle', cycles: 1 }]);
    expect(freeCash(failed)).toBe('1500.00');
  });

  it('survives JSON (continue-as-new) and compaction keeps the totals', () => {
    const settled = post(oneCycle, { kind: 'order-settled', orderRef: 'p1:2026-01:A:1', amount: '1200.00' });
    const copy = JSON.parse(JSON.stringify(settled)) as Ledger;
    expect(copy).toEqual(settled);
    const compact = compactLedger(copy);
    expect(Object.keys(compact.orders)).toEqual(['p1:2026-01:B:1']);
    expect(ledgerTotals(compact)).toEqual(ledgerTotals(settled));
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(settled).length);
  });
});

describe('money needing attention', () => {
  /** A 300 SEK plan into a fund whose 1 000 SEK minimum blocks it: each cycle's residual stays free. */
  function stuckCycles(n: number): Ledger {
    let ledger = emptyLedger();
    for (let i = 1; i <= n; i++) {
      ledger = postAll(ledger, [
        { kind: 'payment-collected', paymentRef: `p1:2026-0${i}`, amount: '300.00' },
        { kind: 'cycle-closed', outcome: 'invested', blockedBy: { instrument: A, minimum: '1000' } },
      ]);
    }
    return ledger;
  }

  it('names the fund and its blocking minimum once money has stayed free for 3 cycles', () => {
    expect(moneyNeedingAttention(stuckCycles(2))).toEqual([]);
    expect(moneyNeedingAttention(stuckCycles(3))).toEqual([
      {
        pocket: 'free',
        reason: 'residual',
        instrument: A,
        minimum: '1000.00',
        amount: '900.00',
        cycles: 3,
        text:
          `900,00\u00a0kr free cash for ${A} (residual no fund could take) has stayed uninvested for 3 cycles, ` +
          "blocked by the fund's minimum of 1\u00a0000,00\u00a0kr.",
      },
    ]);
  });

  it('clears once the pool reaches the minimum and is invested, oldest money first', () => {
    const stuck = stuckCycles(3);
    const invested = postAll(stuck, [
      { kind: 'payment-collected', paymentRef: 'p1:2026-04', amount: '300.00' },
      { kind: 'order-placed', orderRef: 'p1:2026-04:A:1', instrument: A, side: 'buy', amount: '1200.00' },
      { kind: 'cycle-closed', outcome: 'invested' },
    ]);
    expect(moneyNeedingAttention(invested)).toEqual([]);
    expect(ledgerTotals(invested).free).toBe('0.00');
  });

  it('ages carried money across the pools it joins and names its minimum', () => {
    let ledger = emptyLedger();
    for (let i = 1; i <= 3; i++) {
      const carried = ledger.carried[B]?.amount;
      ledger = postAll(ledger, [
        { kind: 'payment-collected', paymentRef: `c${i}`, amount: '100.00' },
        ...(carried === undefined ? [] : [{ kind: 'carry-released' as const, instrument: B }]),
        { kind: 'carried', instrument: B, amount: `${100 * i}.00`, minimum: '500.00' },
        { kind: 'cycle-closed', outcome: 'invested' },
      ]);
    }
    expect(ledger.carried[B]).toEqual({ amount: '300.00', minimum: '500.00', cycles: 3 });
    expect(moneyNeedingAttention(ledger)).toMatchObject([
      { pocket: 'carried', reason: 'below-minimum', instrument: B, minimum: '500.00', amount: '300.00', cycles: 3 },
    ]);
  });
});
