import fc from 'fast-check';
import { LosslessNumber } from 'lossless-json';
import { SandboxEngine } from '../../sandbox/engine';
import { SandboxHttpError } from '../../sandbox/http-error';
import { cancelOrder, createOrder, forceCancelOrder } from '../../sandbox/orders';
import { createPaymentInstruction } from '../../sandbox/payments';
import { readSeedFile } from '../../sandbox/seed';
import { dec, sum } from '../../shared/money';
import { ACCOUNT, CLIENT_1, FUND, MONDAY_0900 } from '../helpers/sandbox';

// Random sequences of partner calls, control actions and clock moves; after every step the sandbox's own
// invariants hold (cash and units conserved per account, no negative balance, reservations consistent,
// one object per clientRef), and at the end every order and payment is terminal once time has run out.
const ACCOUNTS = [1, 2, 5, 6, 7].map(ACCOUNT); // active accounts of client 1 (5 has no mandate)
const FUNDS = [
  FUND.fjallsjo,
  FUND.norrsken,
  FUND.kustlinje,
  FUND.polarljus,
  FUND.vinterviken,
  FUND.granit,
  FUND.lodjur,
  FUND.klippan,
];

const amount = fc.integer({ min: 1, max: 300_000 }).map((ore) => new LosslessNumber((ore / 100).toFixed(2)));
const operation = fc.oneof(
  fc.record({
    op: fc.constant('pay' as const),
    account: fc.constantFrom(...ACCOUNTS),
    amount,
    ref: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({
    op: fc.constant('subscribe' as const),
    account: fc.constantFrom(...ACCOUNTS),
    fund: fc.constantFrom(...FUNDS),
    amount,
    ref: fc.integer({ min: 0, max: 60 }),
  }),
  fc.record({
    op: fc.constant('redeem' as const),
    account: fc.constantFrom(...ACCOUNTS),
    fund: fc.constantFrom(...FUNDS),
    units: fc.integer({ min: 1, max: 200_000 }).map((u) => new LosslessNumber((u / 10_000).toFixed(4))),
  }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), force: fc.boolean() }),
  fc.record({ op: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 80 }) }),
  fc.record({
    op: fc.constant('nav' as const),
    fund: fc.constantFrom(...FUNDS),
    price: fc.integer({ min: 500, max: 300_000 }).map((p) => (p / 100).toFixed(2)),
  }),
  fc.record({ op: fc.constant('tradable' as const), fund: fc.constantFrom(...FUNDS), value: fc.boolean() }),
  fc.record({
    op: fc.constant('fail' as const),
    account: fc.constantFrom(...ACCOUNTS),
    code: fc.constantFrom('1' as const, '2' as const, '4' as const, '9' as const),
  })
);

describe('sandbox conservation under random operations', () => {
  it('keeps every ledger invariant after every step', () => {
    const seed = readSeedFile();
    fc.assert(
      fc.property(fc.array(operation, { minLength: 20, maxLength: 120 }), (ops) => {
        const engine = new SandboxEngine({ seed, startMs: MONDAY_0900, clockMode: 'manual' });
        const attempt = (fn: () => unknown) => {
          try {
            fn();
          } catch (err) {
            if (!(err instanceof SandboxHttpError)) throw err; // business refusals are expected; crashes are not
          }
        };
        for (const op of ops) {
          switch (op.op) {
            case 'pay':
              attempt(() =>
                createPaymentInstruction(engine, CLIENT_1, {
                  type: 'autogiro',
                  payments: [{ amount: op.amount, clientRef: `pay-${op.ref}`, account: op.account }],
                })
              );
              break;
            case 'subscribe':
              attempt(() =>
                createOrder(
                  engine,
                  CLIENT_1,
                  {
                    orderType: 'subscription',
                    account: op.account,
                    instrument: op.fund,
                    amount: op.amount,
                    clientRef: `sub-${op.ref}`,
                  },
                  { validateOnly: false, withdrawal: false }
                )
              );
              break;
            case 'redeem':
              attempt(() =>
                createOrder(
                  engine,
                  CLIENT_1,
                  { orderType: 'redemption', account: op.account, instrument: op.fund, units: op.units },
                  { validateOnly: false, withdrawal: false }
                )
              );
              break;
            case 'cancel': {
              const orders = [...engine.store.orders.values()];
              const target = orders[op.pick % Math.max(orders.length, 1)];
              if (target)
                attempt(() =>
                  op.force ? forceCancelOrder(engine, target.id, 'random') : cancelOrder(engine, CLIENT_1, target.id)
                );
              break;
            }
            case 'advance':
              engine.clock.advance(op.hours * 3600_000);
              break;
            case 'nav':
              engine.updateInstrument(op.fund, { closePrice: op.price });
              break;
            case 'tradable':
              engine.updateInstrument(op.fund, { isTradable: op.value });
              break;
            case 'fail':
              engine.addPaymentFailure({ code: op.code, account: op.account, remaining: 1 });
              break;
          }
          const violations = engine.checkInvariants();
          if (violations.length) throw new Error(`after ${JSON.stringify(op)}: ${violations.join('; ')}`);
        }
        // Reopen every fund and let a month pass: every payment and order reaches a final state.
        for (const fund of FUNDS) engine.updateInstrument(fund, { isTradable: true });
        engine.clock.advance(31 * 86_400_000);
        expect(engine.checkInvariants()).toEqual([]);
        for (const p of engine.store.payments.values()) expect(['completed', 'failed']).toContain(p.status);
        for (const o of engine.store.orders.values()) expect(['settled', 'canceled']).toContain(o.status);
        // Whole-sandbox money: what came in by autogiro is in balances, or left through settled subscriptions.
        const all = engine.store.toData();
        const deposits = sum(all.cashTransactions.filter((t) => t.transactionType === 'deposit').map((t) => t.amount));
        const completed = sum(all.payments.filter((p) => p.status === 'completed').map((p) => p.amount));
        expect(deposits.equals(completed)).toBe(true);
        for (const a of all.accounts) expect(dec(a.reserved).isZero()).toBe(true);
      }),
      { numRuns: 60, seed: 20261121 }
    );
  });
});
