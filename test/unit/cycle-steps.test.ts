import type { DepositFailure } from '../../shared/custodian';
import {
  afterBuyCanceled,
  afterBuyRefusal,
  afterDepositFailure,
  heldLegOpen,
  holdReasonOf,
  investedOutcome,
  MAX_ORDERS_PER_FUND,
} from '../../shared/cycle-steps';
import { fundRules } from '../helpers/fund-rules';

const rules = fundRules;

describe("a cycle's next step after a deposit attempt fails", () => {
  it.each<[DepositFailure, string]>([['insufficient-funds', 'insufficient funds']])(
    '%s → a renewed attempt while attempts remain, then stop',
    (failure, words) => {
      expect(afterDepositFailure(failure, '1', 1, 4)).toEqual({
        kind: 'renew',
        say: `Payment attempt 1 failed with code 1 (${words}); renewed attempt on the next banking day.`,
      });
      expect(afterDepositFailure(failure, '1', 4, 4)).toEqual({
        kind: 'stop',
        say: `Payment attempt 4 failed with code 1 (${words}); no renewed attempts left.`,
        why: 'payment failed with code 1 after 4 attempts',
      });
    }
  );

  it.each<[DepositFailure, string]>([
    ['no-mandate', 'no autogiro mandate'],
    ['mandate-pending', 'mandate pending'],
    ['other', 'rejected by the bank'],
    // A collection the bank was renewing itself is never doubled by a new one (issue 11, item 8).
    ['renewed-by-bank', 'coverage renewed by the bank'],
  ])('%s → stop at once, naming the class and the bank code', (failure, words) => {
    const step = afterDepositFailure(failure, '2', 1, 4);
    expect(step).toEqual({
      kind: 'stop',
      say: `Payment attempt 1 failed with code 2 (${words}): not retried.`,
      why: `payment rejected by the bank with code 2 (${words}); not retried`,
    });
  });

  it('an unknown code is reported as ?', () => {
    expect(afterDepositFailure('other', null, 1, 1)).toMatchObject({
      kind: 'stop',
      why: expect.stringContaining('code ?'),
    });
  });
});

describe("a cycle's next step after an order refusal or cancel", () => {
  it.each(['kyc', 'not-tradable', 'not-buyable'] as const)('%s → hold and re-check', (reason) => {
    expect(afterBuyRefusal(reason, 'x')).toEqual({ kind: 'hold', reason });
  });
  it('below the minimum → carried without attention; anything else → carried with attention', () => {
    expect(afterBuyRefusal('below-minimum', 'below_minimum')).toEqual({
      kind: 'carry',
      reason: 'order refused by the custodian (below-minimum, below_minimum)',
      attention: false,
    });
    expect(afterBuyRefusal('insufficient-funds', 'insufficient_funds')).toMatchObject({
      kind: 'carry',
      attention: true,
    });
    expect(afterBuyRefusal('other', 'whatever')).toMatchObject({ kind: 'carry', attention: true });
  });

  it('a canceled buy is placed again while the fund is open, up to the limit', () => {
    expect(afterBuyCanceled(1, rules())).toEqual({ kind: 'place-again' });
    expect(afterBuyCanceled(MAX_ORDERS_PER_FUND, rules())).toEqual({ kind: 'carry', reason: 'canceled 3 times' });
    expect(afterBuyCanceled(1, rules({ isTradable: false }))).toEqual({ kind: 'hold', reason: 'not-tradable' });
    expect(afterBuyCanceled(1, rules({ isBuyable: false }))).toEqual({ kind: 'hold', reason: 'not-buyable' });
    expect(afterBuyCanceled(1, undefined)).toEqual({ kind: 'hold', reason: 'not-buyable' });
  });

  it('a fund priced in another currency is held with that reason', () => {
    const eur = rules({ isBuyable: false, isTradable: false, unsupported: { kind: 'currency', currency: 'EUR' } });
    expect(holdReasonOf(eur)).toBe('unsupported-currency EUR');
  });

  it('a held leg opens when its fund is buyable and tradable (and KYC allows, for a KYC hold)', () => {
    expect(heldLegOpen('not-tradable', rules(), false)).toBe(true);
    expect(heldLegOpen('kyc', rules(), false)).toBe(false);
    expect(heldLegOpen('kyc', rules(), true)).toBe(true);
    expect(heldLegOpen('not-buyable', rules({ isBuyable: false }), true)).toBe(false);
    expect(heldLegOpen('not-tradable', undefined, true)).toBe(false);
  });

  it("the cycle's outcome", () => {
    expect(investedOutcome(null, true)).toBe('invested');
    expect(investedOutcome('x', true)).toBe('partially-invested');
    expect(investedOutcome('x', false)).toBe('needs-attention');
  });

  it('a cycle that leaves money uninvested never says invested (issue 11.2)', () => {
    expect(investedOutcome(null, true, true)).toBe('partially-invested');
    expect(investedOutcome(null, false, true)).toBe('not-invested');
    expect(investedOutcome('x', false, true)).toBe('needs-attention');
    expect(investedOutcome(null, true, false)).toBe('invested');
  });
});
