/**
 * Properties of the plan ledger over random sequences of cycles, blocks, cancels, refusals, releases and
 * rebalances. An independent model (decimal.js, written from the account's point of view) follows the same
 * sequence: the money on the account must equal free + held + carried, and the invested money the ledger's settled.
 */
import fc from 'fast-check';
import {
  ATTENTION_AFTER_CYCLES,
  compactLedger,
  emptyLedger,
  type Ledger,
  type LedgerEntry,
  LedgerError,
  ledgerTotals,
  moneyNeedingAttention,
  post,
} from '../../shared/ledger';
import { Decimal, sum } from '../../shared/money';

const FUNDS = ['SE0000000401SEK', 'SE0000000402SEK', 'SE0000000403SEK'];

type Op =
  | { op: 'collect'; ore: number }
  | { op: 'buy'; fund: number; share: number }
  | { op: 'sell'; fund: number; ore: number }
  | { op: 'hold'; fund: number; share: number }
  | { op: 'carry'; fund: number; share: number }
  | { op: 'settle'; pick: number; share: number }
  | { op: 'cancel'; pick: number }
  | { op: 'refuse'; pick: number }
  | { op: 'release'; fund: number }
  | { op: 'uncarry'; fund: number }
  | { op: 'close'; failed: boolean }
  | { op: 'overspend' }
  | { op: 'compact' };

const fund = fc.integer({ min: 0, max: FUNDS.length - 1 });
const share = fc.integer({ min: 1, max: 100 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('collect' as const), ore: fc.integer({ min: 1, max: 500_000 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('buy' as const), fund, share }), weight: 4 },
  {
    arbitrary: fc.record({ op: fc.constant('sell' as const), fund, ore: fc.integer({ min: 0, max: 300_000 }) }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant('hold' as const), fund, share }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('carry' as const), fund, share }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), share }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('refuse' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('release' as const), fund }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('uncarry' as const), fund }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('close' as const), failed: fc.boolean() }), weight: 2 },
  { arbitrary: fc.constant({ op: 'overspend' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'compact' as const }), weight: 1 }
);

const sek = (ore: bigint | number) => new Decimal(ore.toString()).div(100).toFixed(2);
const oreOf = (s: string) => BigInt(new Decimal(s).times(100).toFixed(0));
/** share % of `ore`, rounded down to öre. */
const part = (ore: bigint, pct: number) => (ore * BigInt(pct)) / 100n;

/** The account as Fondo sees it: cash moves on payments, buys, cancels/refusals, settlements and sells. */
interface Model {
  cash: Decimal;
  invested: Decimal;
  collected: Decimal;
  open: Map<string, { side: 'buy' | 'sell'; amount: Decimal }>;
  seq: number;
}

/** Turns an op into a valid entry for the current ledger (or undefined when it does not apply), updating the model. */
function entryFor(op: Op, ledger: Ledger, model: Model): LedgerEntry | undefined {
  const totals = ledgerTotals(ledger);
  const free = oreOf(totals.free);
  const openRefs = [...model.open.keys()];
  const ref = () => `plan-1:ref-${++model.seq}`;
  switch (op.op) {
    case 'collect':
      model.cash = model.cash.plus(sek(op.ore));
      model.collected = model.collected.plus(sek(op.ore));
      return { kind: 'payment-collected', paymentRef: ref(), amount: sek(op.ore) };
    case 'buy': {
      const amount = part(free, op.share);
      if (amount === 0n) return undefined;
      const orderRef = ref();
      model.cash = model.cash.minus(sek(amount));
      model.open.set(orderRef, { side: 'buy', amount: new Decimal(sek(amount)) });
      return { kind: 'order-placed', orderRef, instrument: FUNDS[op.fund] as string, side: 'buy', amount: sek(amount) };
    }
    case 'sell': {
      const orderRef = ref();
      model.open.set(orderRef, { side: 'sell', amount: new Decimal(sek(op.ore)) });
      return {
        kind: 'order-placed',
        orderRef,
        instrument: FUNDS[op.fund] as string,
        side: 'sell',
        amount: sek(op.ore),
      };
    }
    case 'hold':
    case 'carry': {
      const amount = part(free, op.share);
      if (amount === 0n) return undefined;
      const instrument = FUNDS[op.fund] as string;
      return op.op === 'hold'
        ? { kind: 'leg-held', instrument, amount: sek(amount), rule: 'not-tradable', deadline: '2027-01-01T00:00:00Z' }
        : { kind: 'carried', instrument, amount: sek(amount), minimum: '1000.00' };
    }
    case 'settle':
    case 'cancel':
    case 'refuse': {
      if (openRefs.length === 0) return undefined;
      const orderRef = openRefs[op.pick % openRefs.length] as string;
      const order = model.open.get(orderRef) as { side: 'buy' | 'sell'; amount: Decimal };
      model.open.delete(orderRef);
      if (op.op !== 'settle') {
        if (order.side === 'buy') model.cash = model.cash.plus(order.amount);
        return { kind: op.op === 'cancel' ? 'order-canceled' : 'order-refused', orderRef };
      }
      // a buy settles at most its amount (units × NAV rounded); a sell's proceeds differ from the estimate
      const settled =
        order.side === 'buy'
          ? sek(part(oreOf(order.amount.toFixed(2)), op.share))
          : order.amount.times(op.share).div(50).toFixed(2, Decimal.ROUND_DOWN);
      if (order.side === 'buy') {
        model.cash = model.cash.plus(order.amount.minus(settled));
        model.invested = model.invested.plus(settled);
      } else {
        model.cash = model.cash.plus(settled);
        model.invested = model.invested.minus(settled);
      }
      return { kind: 'order-settled', orderRef, amount: settled };
    }
    case 'release':
      return ledger.held[FUNDS[op.fund] as string]
        ? { kind: 'held-released', instrument: FUNDS[op.fund] as string }
        : undefined;
    case 'uncarry':
      return ledger.carried[FUNDS[op.fund] as string]
        ? { kind: 'carry-released', instrument: FUNDS[op.fund] as string }
        : undefined;
    case 'close':
      return { kind: 'cycle-closed', outcome: op.failed ? 'failed' : 'invested' };
    case 'overspend':
    case 'compact':
      return undefined;
  }
}

describe('plan ledger: properties', () => {
  it('keeps collected = settled + in orders + held + carried + free, and matches the account, after every posting', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        let ledger = emptyLedger();
        const model: Model = {
          cash: new Decimal(0),
          invested: new Decimal(0),
          collected: new Decimal(0),
          open: new Map(),
          seq: 0,
        };
        for (const op of ops) {
          if (op.op === 'compact') {
            ledger = compactLedger(ledger);
          } else if (op.op === 'overspend') {
            const before = JSON.stringify(ledger);
            const tooMuch = sek(oreOf(ledgerTotals(ledger).free) + 1n);
            const entry: LedgerEntry = {
              kind: 'order-placed',
              orderRef: 'plan-1:over',
              instrument: FUNDS[0] as string,
              side: 'buy',
              amount: tooMuch,
            };
            expect(() => post(ledger, entry)).toThrow(LedgerError);
            expect(JSON.stringify(ledger)).toBe(before);
          } else {
            const entry = entryFor(op, ledger, model);
            if (entry !== undefined) ledger = post(JSON.parse(JSON.stringify(ledger)) as Ledger, entry);
          }
          const t = ledgerTotals(ledger);
          const accounted = sum([t.settled, t.inOrders, t.held, t.carried, t.free]);
          expect(accounted.toFixed(2)).toBe(t.collected);
          expect(t.collected).toBe(model.collected.toFixed(2));
          // the account's cash (buys placed leave it) is exactly the plan's free + held + carried money
          expect(sum([t.free, t.held, t.carried]).toFixed(2)).toBe(model.cash.toFixed(2));
          expect(t.settled).toBe(model.invested.toFixed(2));
          const openBuys = sum([...model.open.values()].filter((o) => o.side === 'buy').map((o) => o.amount));
          expect(t.inOrders).toBe(openBuys.toFixed(2));
          for (const pocket of [t.inOrders, t.held, t.carried, t.free]) expect(new Decimal(pocket).gte(0)).toBe(true);
        }
      }),
      { numRuns: 400 }
    );
  });

  it('flags money left uninvested for 3 cycle ends, and only such money', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 7 }),
        (deposits, investAt) => {
          let ledger = emptyLedger();
          deposits.forEach((ore, i) => {
            ledger = post(ledger, { kind: 'payment-collected', paymentRef: `p-${i}`, amount: sek(ore) });
            if (i === investAt) {
              const free = ledgerTotals(ledger).free;
              ledger = post(ledger, {
                kind: 'order-placed',
                orderRef: `o-${i}`,
                instrument: FUNDS[0] as string,
                side: 'buy',
                amount: free,
              });
            }
            ledger = post(ledger, {
              kind: 'cycle-closed',
              outcome: 'invested',
              blockedBy: { instrument: FUNDS[1] as string, minimum: '5000' },
            });
          });
          // the money still free came from the deposits after the investment; the oldest has seen this many ends
          const firstFree = investAt < deposits.length ? investAt + 1 : 0;
          const ends = deposits.length - firstFree;
          const items = moneyNeedingAttention(ledger);
          if (ends >= ATTENTION_AFTER_CYCLES) {
            expect(items).toHaveLength(1);
            expect(items[0]).toMatchObject({
              pocket: 'free',
              instrument: FUNDS[1],
              minimum: '5000.00',
              cycles: ends,
              amount: ledgerTotals(ledger).free,
            });
          } else {
            expect(items).toEqual([]);
          }
        }
      ),
      { numRuns: 300 }
    );
  });
});
