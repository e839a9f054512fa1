import fc from 'fast-check';
import { addBankingDays, isBankingDay, stockholmDate, stockholmTime } from '../../shared/calendar';
import { usualFinalAt, usualTradeDate } from '../../shared/order-timeline';
import { nextCutoff } from '../../sandbox/orders';

const at = (date: string, time: string) => Date.parse(stockholmTime(date, time));

describe('order timeline: when a fund order is normally final', () => {
  it('placed by the 13:00 cut-off on a banking day: traded that day, settled two banking days later at 09:00', () => {
    // Monday 2031-03-03 → settled Wednesday 2031-03-05 09:00 Stockholm.
    expect(usualTradeDate(at('2031-03-03', '08:00'))).toBe('2031-03-03');
    expect(usualFinalAt(at('2031-03-03', '08:00'))).toBe(at('2031-03-05', '09:00'));
    expect(usualFinalAt(at('2031-03-03', '13:00'))).toBe(at('2031-03-05', '09:00'));
  });

  it('after the cut-off, on a weekend or a holiday: the next banking day trades', () => {
    expect(usualTradeDate(at('2031-03-03', '13:01'))).toBe('2031-03-04');
    expect(usualFinalAt(at('2031-03-03', '13:01'))).toBe(at('2031-03-06', '09:00'));
    // Friday after the cut-off → Monday's trade, settled Wednesday.
    expect(usualFinalAt(at('2031-03-07', '15:00'))).toBe(at('2031-03-12', '09:00'));
    // Saturday → Monday.
    expect(usualTradeDate(at('2031-03-08', '09:00'))).toBe('2031-03-10');
    // Christmas 2031: placed on julafton (not a banking day) → traded Monday 29 December.
    expect(usualTradeDate(at('2031-12-24', '09:00'))).toBe('2031-12-29');
  });

  it('is always a banking day at 09:00, at least ~44 hours after placement (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2035-12-31') }), (placed) => {
        const final = usualFinalAt(placed);
        const day = stockholmDate(new Date(final).toISOString());
        return isBankingDay(day) && final === at(day, '09:00') && final - placed >= 44 * 3_600_000;
      })
    );
  });

  it("matches the sandbox's default lifecycle (cut-off 13:00, settled T+2 09:00)", () => {
    for (const placed of [at('2031-03-03', '08:00'), at('2031-03-03', '14:00'), at('2031-03-08', '10:00')]) {
      const tradeDate = stockholmDate(new Date(nextCutoff(placed, '13:00')).toISOString());
      expect(usualFinalAt(placed)).toBe(at(addBankingDays(tradeDate, 2), '09:00'));
    }
  });
});
