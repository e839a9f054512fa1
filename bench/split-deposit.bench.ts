/**
 * Benchmark: `splitDeposit` on a 5-fund plan (target ≥ 100,000 decisions/s on one core).
 *
 * Run: npx tsx bench/split-deposit.bench.ts
 *
 * The inputs cycle through 64 deposits on a plan that already holds two of its five funds, with carry on every
 * fourth cycle; most decisions order all five legs, some drop a leg below its minimum (the redistribution loop),
 * and every decision writes its explanation sentences.
 */
import { type SplitInput, splitDeposit } from '../shared/allocation';
import { type InstrumentRules } from '../shared/instrument-rules';
import { measureThroughput, printThroughput, type Throughput } from './throughput';

const FUNDS: [string, string, InstrumentRules][] = [
  ['SE0000000001SEK', '35', fund('187.4512', 4, '100', '50')],
  ['SE0000000002SEK', '25', fund('1342.77', 3, '500', '100')],
  ['SE0000000003SEK', '20', fund('98.0311', 2, '100', '100')],
  ['SE0000000004SEK', '12.5', fund('12.5', 0, '0', '0')],
  ['SE0000000005SEK', '7.5', fund('251.0094', 4, '300', '300')],
];

function fund(closePrice: string, decimalsUnits: number, initial: string, subsequent: string): InstrumentRules {
  return {
    closePrice,
    decimalsUnits,
    minInitialAmountSek: initial,
    minSubsequentAmountSek: subsequent,
    minInvestmentAmountSEK: '0',
    isBuyable: true,
    isTradable: true,
  };
}

/** 64 deposits from 500.00 to 6 800.63 SEK. */
export function splitInputs(): SplitInput[] {
  return Array.from({ length: 64 }, (_, i): SplitInput => {
    const carry: Record<string, string> = i % 4 === 0 ? { SE0000000005SEK: '120.00' } : {};
    return {
      amount: `${500 + i * 100}.${String(i).padStart(2, '0')}`,
      allocation: FUNDS.map(([instrument, percent]) => ({ instrument, percent })),
      instruments: Object.fromEntries(FUNDS.map(([id, , rules]) => [id, rules])),
      holdings: { SE0000000001SEK: '12.3456', SE0000000003SEK: '4.05' },
      carry,
    };
  });
}

/** Runs the benchmark over the cycled inputs. */
export async function benchSplitDeposit(timeMs = 3000): Promise<Throughput> {
  const inputs = splitInputs();
  let next = 0;
  return measureThroughput(
    'splitDeposit, 5-fund plan',
    () => splitDeposit(inputs[next++ & 63] as SplitInput),
    timeMs,
    200_000
  );
}

if (require.main === module) {
  void benchSplitDeposit().then((t) => printThroughput('splitDeposit (5 funds)', t));
}
