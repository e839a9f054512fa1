/**
 * Billable actions and Fondo calls per 3-fund plan-month with real pacing (issue 14 goal: ≤ 12 actions per
 * plan-month, ≤ 6 Fondo calls per plan-cycle). The scale benchmark (bench/scale.bench.ts) runs Fondo's clock far
 * faster than Temporal's, so what depends on time — timers that fire, safety-net reads while orders settle — never
 * shows there. Here both clocks move together on the time-skipping server, one Fondo step at a time, and the event
 * bridge's signals are delivered a minute after each step (test/helpers/real-pacing.ts, the driver the plan-month
 * test asserts with). A plan runs `--months` periods; each month is its plan run and that period's cycle.
 *
 *   npm run bench:plan-month -- [--months 3]
 */
import { Command } from 'commander';
import { createSavingsEnv } from '../test/helpers/savings-env';
import { monthActions, runPlanMonths } from '../test/helpers/real-pacing';
import { ACTION_TYPES } from './billable-actions';
import { countServerRequests } from './request-counts';

const options = new Command()
  .option('--months <n>', 'periods the plan runs (≥ 2; the months after the first are the steady state)', '3')
  .parse()
  .opts<{ months: string }>();
const months = Number(options.months);
if (!Number.isInteger(months) || months < 2 || months > 12) throw new Error('--months must be 2–12');

/** The bridge stand-in's own reads (the real bridge follows Fondo's event stream): not a cycle's calls. */
const BRIDGE_STAND_IN = new Set(['GET /v2/partner/client/:id/order', 'GET /v2/partner/client/:id/transaction/cash']);

async function main(): Promise<void> {
  const counts = new Map<string, number>();
  let counting = false;
  countServerRequests(counts, () => counting);
  const s = await createSavingsEnv({ name: 'bench-plan-month' });
  try {
    const started = performance.now();
    const run = await runPlanMonths(s, {
      planId: 'bench-month',
      accountNumber: 9100,
      months,
      onPlanStarted: () => (counting = true), // the preflight check's reads are not a month's
    });
    counting = false;
    console.log(
      `${months} periods ${run.periods.join(', ')}: ${run.outcomes.join(', ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`
    );
    console.log('billable actions per plan-month (goal ≤ 12):');
    for (const [i, month] of run.months.entries()) {
      const { actions, total } = monthActions(month);
      const parts = ACTION_TYPES.filter((t) => actions[t] > 0).map((t) => `${t} ${actions[t]}`);
      const note = i === 0 ? ' (the first: a workflow start, the preflight left out)' : '';
      console.log(`  month ${i + 1}: ${total} — ${parts.join(', ')}${note}`);
    }
    const cycle = [...counts].filter(([route]) => !BRIDGE_STAND_IN.has(route) && !route.includes('/_sandbox'));
    const total = cycle.reduce((n, [, c]) => n + c, 0);
    console.log(`Fondo calls per plan-cycle (goal ≤ 6): ${(total / months).toFixed(1)}`);
    for (const [route, c] of cycle.sort((a, b) => b[1] - a[1]))
      console.log(`  ${(c / months).toFixed(2).padStart(6)}  ${route}`);
  } finally {
    await s.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
