import { LosslessNumber } from 'lossless-json';
import {
  normaliseDateTime,
  parseJson,
  stringifyJson,
  WireDateSchema,
  WireDateTimeSchema,
  WireDecimalSchema,
  WireIntSchema,
  wireNumber,
} from '../../fondo/wire';

describe('parseJson', () => {
  it('keeps every number as its exact source text', () => {
    expect(parseJson('{"amount":110.50,"units":0.1234567,"big":12345678901234567890.123,"tiny":1e-7}')).toEqual({
      amount: '110.50',
      units: '0.1234567',
      big: '12345678901234567890.123',
      tiny: '1e-7',
    });
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseJson('<html>')).toThrow(SyntaxError);
  });
});

describe('stringifyJson / wireNumber', () => {
  it('writes decimal strings as exact JSON numbers', () => {
    expect(stringifyJson({ amount: wireNumber('110.50'), units: wireNumber('0.1234567'), ref: 'x' })).toBe(
      '{"amount":110.50,"units":0.1234567,"ref":"x"}'
    );
  });

  it('refuses anything but a plain decimal string', () => {
    expect(() => wireNumber('1e3')).toThrow(TypeError);
    expect(() => wireNumber('12,5')).toThrow(TypeError);
    expect(wireNumber('-3.5')).toBeInstanceOf(LosslessNumber);
  });
});

describe('WireDecimalSchema', () => {
  it.each([
    ['110.50', '110.5'],
    ['100', '100'],
    ['1e-7', '0.0000001'],
    ['1.5E+3', '1500'],
    ['-0', '0'],
    ['0.1234567', '0.1234567'],
    ['98765432109876543210.0123456', '98765432109876543210.0123456'],
  ])('normalises number text %s to %s', (input, output) => {
    expect(WireDecimalSchema.parse(input)).toBe(output);
  });

  it('accepts plain JS numbers for robustness', () => {
    expect(WireDecimalSchema.parse(123.45)).toBe('123.45');
    expect(WireDecimalSchema.parse(0)).toBe('0');
  });

  it.each(['abc', '', '1,5', '.5', 'NaN', '0x10'])('rejects %j without echoing it', (input) => {
    const result = WireDecimalSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('expected a decimal number');
  });

  it('rejects non-finite numbers and other types', () => {
    expect(WireDecimalSchema.safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
    expect(WireDecimalSchema.safeParse(true).success).toBe(false);
  });
});

describe('WireIntSchema', () => {
  it('turns integer number text into a number', () => {
    expect(WireIntSchema.parse('7')).toBe(7);
    expect(WireIntSchema.parse(432000)).toBe(432000);
  });

  it.each(['7.5', '-1', '1e3', 'x'])('rejects %j', (input) => {
    expect(WireIntSchema.safeParse(input).success).toBe(false);
  });
});

describe('date-times', () => {
  it.each([
    ['2018-12-13t23:59:00.001z', '2018-12-13T23:59:00.001Z'],
    ['2018-12-13T23:59:00.001Z', '2018-12-13T23:59:00.001Z'],
    ['2024-01-01T00:00:01Z', '2024-01-01T00:00:01Z'],
    ['2024-01-01T00:00:01.123456Z', '2024-01-01T00:00:01.123456Z'],
    ['2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.000Z'],
  ])('normalises %s to %s', (input, output) => {
    expect(normaliseDateTime(input)).toBe(output);
    expect(WireDateTimeSchema.parse(input)).toBe(output);
  });

  it.each(['2018-12-13', '2018-13-13T00:00:00Z', '13/12/2018 23:59', '2018-12-13T23:59:00'])('rejects %j', (input) => {
    expect(normaliseDateTime(input)).toBeUndefined();
    expect(WireDateTimeSchema.safeParse(input).success).toBe(false);
  });

  it('keeps plain dates as YYYY-MM-DD', () => {
    expect(WireDateSchema.parse('2019-08-24')).toBe('2019-08-24');
    expect(WireDateSchema.safeParse('2019-08-24T00:00:00Z').success).toBe(false);
  });
});
