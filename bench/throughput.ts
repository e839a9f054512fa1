/**
 * Shared harness of the CPU-bound engine benchmarks: tinybench for wall-clock latency, then a plain loop timed by
 * this process's CPU time (so a busy machine lowers the wall-clock figures but not the per-CPU-second one).
 */
import os from 'node:os';
import { Bench } from 'tinybench';

/** Measured throughput: wall clock (mean and median latency) and CPU time of this process. */
export interface Throughput {
  meanPerSecond: number;
  medianPerSecond: number;
  cpuPerSecond: number;
}

/** Measures `decide` for `timeMs` of wall clock (after 500 ms warm-up), then `cpuRuns` calls by CPU time. */
export async function measureThroughput(
  name: string,
  decide: () => unknown,
  timeMs: number,
  cpuRuns: number
): Promise<Throughput> {
  const bench = new Bench({ time: timeMs, warmupTime: 500 });
  bench.add(name, decide);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result?.state !== 'completed') throw new Error(`benchmark ${name} did not complete`);
  const cpu = process.cpuUsage();
  for (let i = 0; i < cpuRuns; i++) decide();
  const used = process.cpuUsage(cpu);
  return {
    meanPerSecond: 1000 / result.period,
    medianPerSecond: 1000 / result.latency.p50,
    cpuPerSecond: cpuRuns / ((used.user + used.system) / 1e6),
  };
}

/** Prints the machine and one line of figures, e.g. `splitDeposit (5 funds): 120,000 decisions/s …`. */
export function printThroughput(label: string, t: Throughput): void {
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}`);
  console.log(
    `${label}: ${rate(t.meanPerSecond)} decisions/s (wall clock, mean), ` +
      `${rate(t.medianPerSecond)} (median), ${rate(t.cpuPerSecond)} per CPU-second`
  );
}
