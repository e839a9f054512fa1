/**
 * Benchmark: `planRebalance` on a 20-fund portfolio (target ≥ 20,000 decisions/s on one core).
 *
 * Run: npx tsx bench/plan-rebalance.bench.ts
 *
 * The inputs cycle through 32 drifted portfolios of 20 target funds at 5 % each plus one held fund outside the
 * targets, in full mode with a breached 1 pp band, a 0.25 % cash buffer and a 100 SEK minimum trade; one fund is
 * not buyable and one not sellable. Each decision measures drift before and after, sells about eight overweight
 * funds and buys about eleven underweight ones.
 */
import { formatScaled } from '../shared/fixed-point';
import { type SellableInstrumentRules } from '../shared/instrument-rules';
import { planRebalance, type RebalanceInput } from '../shared/rebalance';
import { measureThroughput, printThroughput, type Throughput } from './throughput';

const ids = Array.from({ length: 20 }, (_, i) => `SE00000000${i + 10}SEK`);
const OFF_TARGET = 'SE0000000099SEK';

function rules(i: number): SellableInstrumentRules {
  return {
    closePrice: `${100 + i * 37}.${String(1000 + i * 7919).slice(-4)}`,
    decimalsUnits: i % 3 === 0 ? 2 : 4,
    minInitialAmountSek: i % 4 === 0 ? '500' : '100',
    minSubsequentAmountSek: '100',
    minInvestmentAmountSEK: '0',
    isBuyable: i !== 7,
    isTradable: true,
    isSellable: i !== 11,
  };
}

/** 32 portfolios: fund i holds 50 units drifted by −60 … +60 % (plus i/10 units), valued at its close price. */
export function rebalanceInputs(): RebalanceInput[] {
  const instruments = Object.fromEntries([...ids, OFF_TARGET].map((id, i) => [id, rules(i)]));
  return Array.from({ length: 32 }, (_, k) => {
    const positions = Object.fromEntries(
      ids.map((id, i) => {
        const driftPct = ((i * 7 + k * 13) % 121) - 60;
        const tenThousandths = 5_000 * (100 + driftPct) + i * 1_000; // units × 10^4
        return [id, { units: formatScaled(BigInt(tenThousandths), 4), price: rules(i).closePrice }];
      })
    );
    positions[OFF_TARGET] = { units: '3.5', price: '250' };
    return {
      positions,
      cash: `${1000 + k * 250}.00`,
      targets: ids.map((instrument) => ({ instrument, percent: '5' })),
      instruments,
      policy: { mode: 'full', band: { absolutePp: '1' }, minTradeAmount: '100', cashBufferPct: '0.25' },
    };
  });
}

/** Runs the benchmark over the cycled inputs. */
export async function benchPlanRebalance(timeMs = 3000): Promise<Throughput> {
  const inputs = rebalanceInputs();
  let next = 0;
  return measureThroughput(
    'planRebalance, 20 funds, full mode',
    () => planRebalance(inputs[next++ & 31] as RebalanceInput),
    timeMs,
    40_000
  );
}

if (require.main === module) {
  void benchPlanRebalance().then((t) => printThroughput('planRebalance (20 funds)', t));
}
