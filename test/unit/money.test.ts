import {
  Decimal,
  dec,
  decimalCodec,
  decimalString,
  formatSek,
  isDecimalString,
  MoneyFormatError,
  PositiveSekAmountSchema,
  roundTo,
  sekString,
  sum,
  toFixed,
  toPlain,
  UnitsSchema,
} from '../../shared/money';

describe('decimal strings', () => {
  it.each(['0', '1', '-1', '0.5', '123.45', '1000000000.1234567', '-0.01'])('accepts %s', (s) => {
    expect(isDecimalString(s)).toBe(true);
  });
  it.each(['', ' 1', '1 ', '+1', '1e3', '1E-2', 'NaN', 'Infinity', '.5', '5.', '01', '1,5', '0x10', '--1'])(
    'rejects %j',
    (s) => {
      expect(isDecimalString(s)).toBe(false);
      expect(() => dec(s)).toThrow(MoneyFormatError);
    }
  );

  it('schemas name the problem', () => {
    const amount = PositiveSekAmountSchema;
    expect(amount.safeParse('100.00').success).toBe(true);
    expect(amount.safeParse('100.001').error?.issues[0]?.message).toBe('must have at most 2 decimals, got "100.001"');
    expect(amount.safeParse('-1').error?.issues[0]?.message).toBe('must not be negative, got "-1"');
    expect(amount.safeParse('0').error?.issues[0]?.message).toBe('must be greater than zero');
    expect(amount.safeParse('1e2').error?.issues[0]?.message).toMatch(/decimal string/);
    expect(amount.safeParse(100).success).toBe(false);
    expect(UnitsSchema.safeParse('1.1234567').success).toBe(true);
    expect(UnitsSchema.safeParse('1.12345678').success).toBe(false);
    expect(decimalString({ maxScale: 2, negative: true }).safeParse('-5.25').success).toBe(true);
  });

  it('codec decodes to Decimal and encodes back to a plain string', () => {
    const codec = decimalCodec({ maxScale: 7 });
    const d = codec.parse('12.3400000');
    expect(d).toBeInstanceOf(Decimal);
    expect(codec.encode(d)).toBe('12.34');
  });
});

describe('rounding always names scale and mode', () => {
  it.each([
    ['10.005', 2, 'down', '10'],
    ['10.005', 2, 'halfUp', '10.01'],
    ['10.005', 2, 'halfEven', '10'],
    ['10.015', 2, 'halfEven', '10.02'],
    ['10.001', 2, 'ceil', '10.01'],
    ['-10.001', 2, 'ceil', '-10'],
    ['-10.001', 2, 'floor', '-10.01'],
    ['-10.001', 2, 'down', '-10'],
    ['-10.001', 2, 'up', '-10.01'],
    ['1.23456789', 7, 'down', '1.2345678'],
  ] as const)('roundTo(%s, %d, %s) = %s', (value, scale, mode, expected) => {
    expect(roundTo(value, scale, mode).toFixed()).toBe(expected);
  });

  it('toFixed pads and rounds; toPlain strips trailing zeros', () => {
    expect(toFixed('110', 2, 'down')).toBe('110.00');
    expect(toFixed('0.129', 2, 'down')).toBe('0.12');
    expect(toPlain('110.50')).toBe('110.5');
    expect(toPlain(new Decimal('1e-7'))).toBe('0.0000001');
  });

  it('sekString refuses hidden rounding', () => {
    expect(sekString('5')).toBe('5.00');
    expect(() => sekString('5.001')).toThrow('more than 2 decimals');
  });

  it('arithmetic is exact where floats are not', () => {
    expect(sum(['0.1', '0.2']).toFixed()).toBe('0.3');
    expect(dec('1234567890123.45').plus('0.01').toFixed()).toBe('1234567890123.46');
  });
});

describe('formatSek', () => {
  it.each([
    ['0', '0,00\u00a0kr'],
    ['5', '5,00\u00a0kr'],
    ['1234.5', '1\u00a0234,50\u00a0kr'],
    ['1234567.89', '1\u00a0234\u00a0567,89\u00a0kr'],
    ['-12', '\u221212,00\u00a0kr'],
  ])('%s → %j', (value, expected) => {
    expect(formatSek(value)).toBe(expected);
  });
});
