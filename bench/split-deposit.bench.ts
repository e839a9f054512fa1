/**
 * Benchmark: `splitDeposit` on a 5-fund plan (target ≥ 100,000 decisions/s on one core).
 *
 * Run: npx tsx bench/split-deposit.bench.ts
 *
 * The inputs cycle through 64 deposits on a plan that already holds two of its five funds, with carry on every
 * fourth cycle; most decisions order all five legs, some drop a leg below its minimum (the redistribution loop),
 * and every decision writes its explanation sentences.
 */
import os from 'node:os';
import { Bench } from 'tinybench';
import { type SplitInput, splitDeposit } from '../shared/allocation';
import { type InstrumentRules } from '../shared/instrument-rules';

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

/** Measured throughput: wall clock (mean and median latency) and CPU time of this process. */
export interface Throughput {
  meanPerSecond: number;
  medianPerSecond: number;
  cpuPerSecond: number;
}

/** Runs the benchmark: tinybench for wall-clock latency, then a plain loop timed by process CPU time. */
export async function benchSplitDeposit(timeMs = 3000): Promise<Throughput> {
  const inputs = splitInputs();
  let next = 0;
  const decide = () => splitDeposit(inputs[next++ & 63] as SplitInput);
  const bench = new Bench({ time: timeMs, warmupTime: 500 });
  bench.add('splitDeposit, 5-fund plan', decide);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result?.state !== 'completed') throw new Error('benchmark did not complete');
  const cpu = process.cpuUsage();
  const runs = 200_000;
  for (let i = 0; i < runs; i++) decide();
  const used = process.cpuUsage(cpu);
  return {
    meanPerSecond: 1000 / result.period,
    medianPerSecond: 1000 / result.latency.p50,
    cpuPerSecond: runs / ((used.user + used.system) / 1e6),
  };
}

if (require.main === module) {
  void benchSplitDeposit().then((t) => {
    const rate = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}`);
    console.log(
      `splitDeposit (5 funds): ${rate(t.meanPerSecond)} decisions/s (wall clock, mean), ` +
        `${rate(t.medianPerSecond)} (median), ${rate(t.cpuPerSecond)} per CPU-second`
    );
  });
}
