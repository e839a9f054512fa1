import fc from 'fast-check';
import {
  nextQuietReadAt,
  ORDER_QUIET_POLICY,
  PAYMENT_QUIET_POLICY,
  QUIET_PERIOD_MS,
  quietInterval,
} from '../../shared/quiet-period';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2027-01-04T07:00:00.000Z');

describe('quiet-period safety net schedule', () => {
  it('orders: reads once after the quiet period, then backs off ×4 up to the old 12-hour order poll', () => {
    const at = (k: number) => (nextQuietReadAt(T0, k, ORDER_QUIET_POLICY) - T0) / MIN;
    expect(QUIET_PERIOD_MS).toBe(15 * MIN);
    // 15 min, 1 h 15, 5 h 15, 17 h 15, then every 12 h.
    expect([0, 1, 2, 3, 4, 5, 6].map(at)).toEqual([15, 75, 315, 1035, 1755, 2475, 3195]);
  });

  it('payments back off to the old 6-hour payment poll', () => {
    const at = (k: number) => (nextQuietReadAt(T0, k, PAYMENT_QUIET_POLICY) - T0) / MIN;
    // 15 min, 45 min, 1 h 45, 3 h 45, 7 h 45 (a 4 h step is still below the cap), then every 6 h.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(at)).toEqual([15, 45, 105, 225, 465, 825, 1185, 1545]);
    expect(quietInterval(4, PAYMENT_QUIET_POLICY)).toBe(4 * HOUR);
    expect(quietInterval(5, PAYMENT_QUIET_POLICY)).toBe(6 * HOUR);
  });

  it('stays finite and capped for any number of attempts', () => {
    expect(quietInterval(5000, ORDER_QUIET_POLICY)).toBe(12 * HOUR);
    expect(nextQuietReadAt(T0, 10_000, ORDER_QUIET_POLICY)).toBe(T0 + 315 * MIN + (10_000 - 2) * 12 * HOUR);
    expect(nextQuietReadAt(T0, 10_000, PAYMENT_QUIET_POLICY)).toBe(T0 + 465 * MIN + (10_000 - 4) * 6 * HOUR);
  });

  it('refuses a negative or fractional attempt and an inconsistent policy', () => {
    expect(() => quietInterval(-1, ORDER_QUIET_POLICY)).toThrow(RangeError);
    expect(() => quietInterval(1.5, ORDER_QUIET_POLICY)).toThrow(RangeError);
    expect(() => quietInterval(0, { quietMs: 0, maxIntervalMs: HOUR, growth: 2 })).toThrow(RangeError);
    expect(() => quietInterval(0, { quietMs: 2 * HOUR, maxIntervalMs: HOUR, growth: 2 })).toThrow(RangeError);
    expect(() => quietInterval(0, { quietMs: HOUR, maxIntervalMs: HOUR, growth: 0.5 })).toThrow(RangeError);
  });

  it('property: reads are strictly later with each attempt, never more than the cap apart, first after the quiet period', () => {
    const policy = fc
      .record({
        quietMs: fc.integer({ min: 1_000, max: 6 * HOUR }),
        factor: fc.integer({ min: 1, max: 100 }),
        growth: fc.integer({ min: 1, max: 8 }),
      })
      .map(({ quietMs, factor, growth }) => ({ quietMs, maxIntervalMs: quietMs * factor, growth }));
    fc.assert(
      fc.property(policy, fc.integer({ min: 0, max: 200 }), (p, k) => {
        const a = nextQuietReadAt(T0, k, p);
        const b = nextQuietReadAt(T0, k + 1, p);
        expect(nextQuietReadAt(T0, 0, p)).toBe(T0 + p.quietMs);
        expect(b).toBeGreaterThan(a);
        expect(b - a).toBeLessThanOrEqual(p.maxIntervalMs);
        expect(b - a).toBe(quietInterval(k + 1, p));
      })
    );
  });
});
