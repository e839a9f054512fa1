/**
 * Carry bookkeeping: money per fund carried from one cycle into the next (legs below a fund's minimum, legs still
 * blocked at their deadline, a deposit kept as cash when KYC never allowed orders), and the conservation rule every
 * cycle must satisfy to the öre. Amounts are SEK decimal strings with at most 2 decimals; sums are exact (no
 * rounding: `sekString` refuses a third decimal rather than hide it).
 */
import { dec, sekString, sum } from './money';

/** A carry record: SEK per fund. */
export type Carry = Record<string, string>;

/** `carry` plus `more`, per fund (a new record; zero amounts are kept out). */
export function addCarry(carry: Readonly<Carry>, more: Readonly<Carry>): Carry {
  const out: Carry = { ...carry };
  for (const [fund, amount] of Object.entries(more)) {
    const total = dec(out[fund] ?? '0').plus(amount);
    if (total.isZero()) delete out[fund];
    else out[fund] = sekString(total);
  }
  return out;
}

/** The carry-out record of a cycle's carried legs (summed per fund). */
export function carryOutOf(legs: readonly { instrument: string; amount: string }[]): Carry {
  return legs.reduce<Carry>((acc, leg) => addCarry(acc, { [leg.instrument]: leg.amount }), {});
}

/** Total money in a carry record. */
export function carryTotal(carry: Readonly<Carry>): string {
  return sekString(sum(Object.values(carry)));
}

export interface CycleBooks {
  paidAmount: string;
  carryIn: Readonly<Carry>;
  /** The plan's free cash handed to the cycle's pool (absent: none). */
  freeCashIn?: string;
  /** Cash each settled order actually moved. */
  settled: readonly string[];
  settlementRemainder: string;
  carryOut: Readonly<Carry>;
  residual: string;
}

/**
 * paid + Σ carry in + free cash in = Σ settled + settlement remainder + Σ carry out + residual, to the öre. Returns the breach as
 * a sentence (no personal data: amounts only), or null when the books balance.
 */
export function conservationBreach(b: CycleBooks): string | null {
  const inflow = dec(b.paidAmount)
    .plus(sum(Object.values(b.carryIn)))
    .plus(b.freeCashIn ?? '0');
  const outflow = sum(b.settled)
    .plus(b.settlementRemainder)
    .plus(sum(Object.values(b.carryOut)))
    .plus(b.residual);
  return inflow.equals(outflow) ? null : `in ${inflow.toFixed()}, out ${outflow.toFixed()}`;
}
