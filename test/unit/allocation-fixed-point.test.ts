import fc from 'fast-check';
import {
  decimalScale,
  divide,
  formatScaled,
  formatSekOre,
  formatTrimmed,
  isZeroString,
  parseScaled,
  pow10,
} from '../../shared/fixed-point';
import { Decimal, formatSek, isDecimalString, Rounding, type RoundingMode } from '../../shared/money';

// The engine's BigInt arithmetic is checked against decimal.js (shared/money.ts), the project's reference.

const MODES = Object.keys(Rounding) as RoundingMode[];
const bigints = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });

describe('fixed-point helpers agree with decimal.js', () => {
  it('divide rounds like Decimal#toDecimalPlaces(0, mode) for every named mode', () => {
    fc.assert(
      fc.property(bigints, fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.constantFrom(...MODES), (n, d, mode) => {
        const expected = new Decimal(n.toString()).div(d.toString()).toDecimalPlaces(0, Rounding[mode]);
        expect(divide(n, d, mode).toString()).toBe(expected.toFixed(0));
      }),
      { numRuns: 2000 }
    );
  });

  it('divide handles exact ties per mode', () => {
    expect([5n, -5n].map((n) => MODES.map((mode) => divide(n, 2n, mode)))).toEqual([
      [2n, 3n, 3n, 2n, 3n, 2n],
      [-2n, -3n, -2n, -3n, -3n, -2n],
    ]);
    expect(() => divide(1n, 0n, 'down')).toThrow(RangeError);
  });

  it('parseScaled/formatScaled round-trip every plain decimal string within the scale', () => {
    fc.assert(
      fc.property(bigints, fc.integer({ min: 0, max: 12 }), (units, scale) => {
        const text = formatScaled(units, scale);
        expect(text).toBe(new Decimal(units.toString()).div(pow10(scale).toString()).toFixed(scale));
        expect(parseScaled(text, scale)).toBe(units);
        expect(formatTrimmed(units, scale)).toBe(new Decimal(text).toFixed());
      }),
      { numRuns: 2000 }
    );
  });

  it('parseScaled refuses malformed strings and hidden rounding', () => {
    for (const bad of ['', '-', '.5', '5.', '01', '1e3', ' 1', '1 ', '+1', '1.2.3', 'NaN', '1,5']) {
      expect(parseScaled(bad, 4)).toBeUndefined();
    }
    expect(parseScaled('1.005', 2)).toBeUndefined();
    expect(parseScaled('-0.50', 2)).toBe(-50n);
    expect(parseScaled('0', 7)).toBe(0n);
  });

  it('parseScaled is exact on both sides of the 15-digit fast path', () => {
    expect(parseScaled('999999999999999', 0)).toBe(999_999_999_999_999n);
    expect(parseScaled('9999999999999999', 0)).toBe(9_999_999_999_999_999n);
    expect(parseScaled('9007199254740993', 2)).toBe(900_719_925_474_099_300n); // 2^53 + 1
    expect(parseScaled('-0.000000000000001', 15)).toBe(-1n);
    expect(parseScaled('12345678901234.56789', 5)).toBe(1_234_567_890_123_456_789n);
  });

  it('decimalScale accepts exactly the language of isDecimalString', () => {
    const chars = fc.constantFrom('0', '1', '5', '9', '.', '-', 'e', ' ', '+');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 8 }).map((cs) => cs.join('')),
        (text) => {
          const scale = decimalScale(text);
          expect(scale >= 0).toBe(isDecimalString(text));
          if (scale >= 0) {
            const dot = text.indexOf('.');
            expect(scale).toBe(dot < 0 ? 0 : text.length - dot - 1);
            expect(isZeroString(text)).toBe(new Decimal(text).isZero());
          }
        }
      ),
      { numRuns: 5000 }
    );
  });

  it('formatSekOre formats exactly like formatSek', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (ore) => {
        expect(formatSekOre(ore)).toBe(formatSek(formatScaled(ore, 2)));
      }),
      { numRuns: 2000 }
    );
    expect(formatSekOre(123456750n)).toBe('1\u00a0234\u00a0567,50\u00a0kr');
    expect(formatSekOre(5n)).toBe('0,05\u00a0kr');
  });

  it('pow10 refuses out-of-range exponents', () => {
    expect(pow10(0)).toBe(1n);
    expect(() => pow10(61)).toThrow(RangeError);
  });
});
