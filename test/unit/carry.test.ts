import fc from 'fast-check';
import { addCarry, carryOutOf, carryTotal, conservationBreach } from '../../shared/carry';
import { dec, sum } from '../../shared/money';
import { oreAmount } from '../helpers/domain-arbitraries';

describe('carry bookkeeping', () => {
  it('adds per fund, exactly, with 2 decimals', () => {
    expect(addCarry({ A: '10.50' }, { A: '0.5', B: '3' })).toEqual({ A: '11.00', B: '3.00' });
    expect(addCarry({}, {})).toEqual({});
  });

  it('refuses to hide a third decimal', () => {
    expect(() => addCarry({ A: '1.00' }, { A: '0.005' })).toThrow(/more than 2 decimals/);
  });

  it('sums carried legs per fund into the carry-out record', () => {
    const legs = [
      { instrument: 'A', amount: '100.00' },
      { instrument: 'B', amount: '0.01' },
      { instrument: 'A', amount: '50.50' },
    ];
    expect(carryOutOf(legs)).toEqual({ A: '150.50', B: '0.01' });
    expect(carryTotal(carryOutOf(legs))).toBe('150.51');
  });

  it('property: adding carry never creates or loses an öre, in any order', () => {
    const record = fc.dictionary(fc.constantFrom('A', 'B', 'C'), oreAmount(10_000_000n, 1n));
    fc.assert(
      fc.property(record, record, record, (a, b, c) => {
        const left = addCarry(addCarry(a, b), c);
        const right = addCarry(a, addCarry(c, b));
        expect(left).toEqual(right);
        expect(dec(carryTotal(left)).equals(sum([...Object.values(a), ...Object.values(b), ...Object.values(c)]))).toBe(
          true
        );
      })
    );
  });

  it('conservation: paid + carry in = settled + remainder + carry out + residual, to the öre', () => {
    const books = {
      paidAmount: '1000.00',
      carryIn: { A: '20.00' },
      settled: ['599.97', '400.00'],
      settlementRemainder: '0.03',
      carryOut: { A: '20.00' },
      residual: '0.00',
    };
    expect(conservationBreach(books)).toBeNull();
    expect(conservationBreach({ ...books, residual: '0.01' })).toBe('in 1020, out 1020.01');
  });
});
