/**
 * The savings admin CLI: `npm run savings -- <command>` (human output; `--json` for scripts).
 *   create, list, status, pause, resume, skip, retry, cancel, change-amount, change-day, change-allocation,
 *   rebalance-now, set-rebalance-policy, check, statement, reconcile
 * Exit codes: 0 done; 1 the operation failed (Temporal unreachable, plan not found, refused by the plan);
 * 2 bad input (nothing was sent); 3 reconcile found differences. Connection settings: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE
 * (defaults: the local stack).
 */
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { Command, Option } from 'commander';
import { planWorkflowId } from '../shared/ids';
import {
  cancelPlanSignal,
  changeAllocationOverrideUpdate,
  changeAmountUpdate,
  changeDayOfMonthUpdate,
  changeRebalancePolicyUpdate,
  pauseSignal,
  rebalanceNowSignal,
  resumeSignal,
  retryNowSignal,
  skipNextPeriodSignal,
} from '../shared/messages';
import { MonthlyAmountSchema, describeIssue } from '../shared/plan';
import { PlanIdSchema } from '../shared/ids';
import { FondoClientIdKey, NextDebitDateKey, PlanStateKey, SavingsPlanIdKey } from '../shared/search-attributes';
import { parseEnv, TemporalConfigSchema } from '../workers/config';
import { loadDataConverter } from '../workers/data-converter';
import { connectivityCheck, savingsPlanWorkflow } from '../workflows';
import { FondoClient, loadFondoConfig } from '../fondo';
import { PeriodSchema } from '../shared/calendar';
import { reconcilePlan } from '../shared/reconcile';
import { formatList, formatStatus, type PlanListRow } from './format';
import { nextAction } from './next-action';
import { PlanNotFound, readPlanView } from './plan-view';
import {
  booksOf,
  DIFFERENCES_EXIT_CODE,
  formatReconciliation,
  readCustodianRecords,
  recordsSince,
  type PlanReconciliation,
} from './reconcile';
import { buildStatement, formatStatement } from './statement';
import {
  CliInputError,
  parseDay,
  parseWeights,
  planFrom,
  rebalancePolicyFrom,
  type CreateOptions,
  type RebalanceOptions,
} from './plan-options';

class CliFailure extends Error {
  override name = 'CliFailure' as const;
}

interface Globals {
  json?: boolean;
}

const program = new Command('savings')
  .description('Operate savings plans on Temporal (no personal data is ever shown or sent here)')
  .option('--json', 'machine-readable output')
  .showHelpAfterError();

function globals(): Globals {
  return program.opts<Globals>();
}

function print(human: string, json: unknown): void {
  console.log(globals().json ? JSON.stringify(json, null, 2) : human);
}

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const config = parseEnv(TemporalConfigSchema);
  const dataConverter = loadDataConverter(); // payload encryption keys (workers/data-converter.ts)
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5 seconds' });
  } catch (err) {
    throw new CliFailure(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`);
  }
  try {
    return await fn(
      new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }),
      config.TEMPORAL_TASK_QUEUE
    );
  } finally {
    await connection.close();
  }
}

function planId(raw: string): string {
  const parsed = PlanIdSchema.safeParse(raw);
  if (!parsed.success) throw new CliInputError(`plan id: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** A running plan's handle; a missing or finished plan is reported as such. */
async function runningPlan(client: Client, id: string): Promise<WorkflowHandle<typeof savingsPlanWorkflow>> {
  const handle = client.workflow.getHandle<typeof savingsPlanWorkflow>(planWorkflowId(id));
  try {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') throw new CliFailure(`plan ${id} is not running (${status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliFailure(`no savings plan ${id}`);
    throw err;
  }
  return handle;
}

async function update<R>(run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new CliInputError(`refused by the plan: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}

function signalCommand(
  name: string,
  description: string,
  send: (h: WorkflowHandle<typeof savingsPlanWorkflow>, reason?: string) => Promise<void>,
  withReason = false
): void {
  const cmd = program.command(name).description(description).argument('<planId>');
  if (withReason) cmd.option('--reason <text>', 'why (shown in the plan status; no personal data)');
  cmd.action(async (raw: string, opts: { reason?: string }) => {
    const id = planId(raw);
    await withClient(async (client) => {
      const handle = await runningPlan(client, id);
      await send(handle, opts.reason);
      print(`${name}: sent to plan ${id}`, { planId: id, sent: name });
    });
  });
}

function rebalanceFlags(cmd: Command): Command {
  return cmd
    .option('--rebalance-band-abs <pp>', 'rebalance when a fund drifts more than this many percentage points')
    .option('--rebalance-band-rel <pct>', 'rebalance when a fund drifts more than this % of its target')
    .option(
      '--rebalance-calendar <spec>',
      'monthly:DAY, quarterly:DAY:FIRSTMONTH or yearly:DAY:MONTH (DAY 1–28 or last)'
    )
    .option('--cooldown-days <n>', 'days after a rebalance before drift may trigger another (default 31)')
    .option('--min-trade <sek>', 'skip trades below this amount (default 100.00)')
    .option('--cash-buffer <pct>', 'cash kept uninvested, % of the portfolio (default 0.25)')
    .option('--no-cash-flow', 'invest deposits by plain weights instead of underweight funds first');
}

function rebalanceOptions(o: Record<string, unknown>, off = false): RebalanceOptions {
  const str = (k: string) => (typeof o[k] === 'string' ? o[k] : undefined);
  return {
    off,
    ...(str('rebalanceBandAbs') ? { bandAbs: str('rebalanceBandAbs') } : {}),
    ...(str('rebalanceBandRel') ? { bandRel: str('rebalanceBandRel') } : {}),
    ...(str('rebalanceCalendar') ? { calendar: str('rebalanceCalendar') } : {}),
    ...(str('cooldownDays') ? { cooldownDays: str('cooldownDays') } : {}),
    ...(str('minTrade') ? { minTrade: str('minTrade') } : {}),
    ...(str('cashBuffer') ? { cashBuffer: str('cashBuffer') } : {}),
    ...(typeof o.cashFlow === 'boolean' ? { cashFlow: o.cashFlow } : {}),
  };
}

rebalanceFlags(
  program
    .command('create')
    .description('create a savings plan and start its workflow (refuses an existing plan id)')
    .requiredOption('--plan-id <id>', 'opaque plan id (a–z, 0–9, -; never personal data)')
    .requiredOption('--client <clientId>', 'Fondo client id')
    .requiredOption('--account <accountId>', 'Fondo investment account id')
    .requiredOption('--amount <sek>', 'monthly amount, e.g. 1500.00')
    .requiredOption('--day <day>', 'debit day 1–28 or "last" (moved to the next banking day when needed)')
    .option('--first-period <YYYY-MM>', 'first period (default: the next one that can still be submitted on time)')
    .option('--last-period <YYYY-MM>', 'last period (default: none)')
    .option('--start-now', 'submit the first period at once (current month, earliest banking day)')
    .option('--weights <list>', "override weights FUND=PCT,… (default: the account's Fondo allocation plan)")
    .addOption(new Option('--below-minimum <policy>', 'legs below a fund minimum').choices(['redistribute', 'carry']))
    .option('--blocked-deadline-days <n>', "banking days a closed fund's leg is retried (default 10)")
    .addOption(new Option('--blocked-at-deadline <policy>', 'then').choices(['carry', 'redistribute']))
    .option('--kyc-deadline-days <n>', 'days to wait for KYC before needs-attention (default 30)')
).action(async (opts: CreateOptions & Record<string, unknown>) => {
  const plan = planFrom(opts, rebalanceOptions(opts), new Date().toISOString());
  await withClient(async (client, taskQueue) => {
    try {
      await client.workflow.start(savingsPlanWorkflow, {
        taskQueue,
        workflowId: planWorkflowId(plan.planId),
        args: [plan],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `savings plan ${plan.planId}: ${plan.amount} SEK monthly`,
        typedSearchAttributes: [
          { key: SavingsPlanIdKey, value: plan.planId },
          { key: FondoClientIdKey, value: plan.clientId },
          { key: PlanStateKey, value: 'active' },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new CliInputError(`a savings plan ${plan.planId} already exists`);
      throw err;
    }
    print(
      `created plan ${plan.planId}: ${plan.amount} SEK on day ${plan.dayOfMonth}, first period ${plan.firstPeriod}${plan.startImmediately ? ' (submitted now)' : ''}`,
      { planId: plan.planId, workflowId: planWorkflowId(plan.planId), firstPeriod: plan.firstPeriod }
    );
  });
});

program
  .command('list')
  .description('list savings plans (running by default)')
  .option('--state <state>', 'filter by PlanState, e.g. blocked-kyc, needs-attention, paused')
  .option('--client <clientId>', 'filter by Fondo client id')
  .option('--all', 'include finished plans')
  .action(async (opts: { state?: string; client?: string; all?: boolean }) => {
    for (const [flag, value] of [
      ['--state', opts.state],
      ['--client', opts.client],
    ] as const) {
      if (value !== undefined && !/^[A-Za-z0-9-]+$/.test(value))
        throw new CliInputError(`${flag}: only letters, digits and "-" are allowed`);
    }
    const query = [
      "WorkflowType = 'savingsPlanWorkflow'",
      opts.all ? '' : "ExecutionStatus = 'Running'",
      opts.state ? `PlanState = '${opts.state}'` : '',
      opts.client ? `FondoClientId = '${opts.client}'` : '',
    ]
      .filter(Boolean)
      .join(' AND ');
    await withClient(async (client) => {
      const rows: PlanListRow[] = [];
      for await (const wf of client.workflow.list({ query })) {
        const sa = wf.typedSearchAttributes;
        rows.push({
          planId: sa.get(SavingsPlanIdKey) ?? wf.workflowId.replace(/^savings-plan:/, ''),
          clientId: sa.get(FondoClientIdKey) ?? '',
          state: sa.get(PlanStateKey) ?? '',
          nextDebitDate: sa.get(NextDebitDateKey) ?? '',
          status: wf.status.name.toLowerCase(),
        });
      }
      print(formatList(rows), rows);
    });
  });

program
  .command('status')
  .description("a plan's state, what happens next, running cycles, blocked reasons, carry-over, last cycles and runs")
  .argument('<planId>')
  .action(async (raw: string) => {
    const id = planId(raw);
    await withClient(async (client) => {
      const view = await planView(client, id);
      const next = nextAction(view.status, view.runningCycles);
      print(`${formatStatus(view.status, view.runningCycles)}\n\nNext: ${next}`, {
        ...view.status,
        runningCycles: view.runningCycles,
        nextAction: next,
      });
    });
  });

async function planView(client: Client, id: string): ReturnType<typeof readPlanView> {
  try {
    return await readPlanView(client, id);
  } catch (err) {
    if (err instanceof PlanNotFound) throw new CliFailure(err.message);
    throw err;
  }
}

program
  .command('statement')
  .description("the full story of a plan's periods: payments and their codes, legs, units, prices, carry, cash")
  .argument('<planId>')
  .option('--period <YYYY-MM>', 'one period (default: every period the plan still keeps)')
  .action(async (raw: string, opts: { period?: string }) => {
    const id = planId(raw);
    if (opts.period !== undefined && !PeriodSchema.safeParse(opts.period).success)
      throw new CliInputError(`--period: expected YYYY-MM, got ${JSON.stringify(opts.period)}`);
    await withClient(async (client) => {
      const view = await planView(client, id);
      const statement = buildStatement(view.status, view.runningCycles, opts.period);
      print(formatStatement(statement), statement);
    });
  });

program
  .command('reconcile')
  .description("compare plans' books with Fondo's records of their accounts (read-only); exit 3 on any difference")
  .argument('[planId]')
  .option('--all', 'every running plan')
  .action(async (raw: string | undefined, opts: { all?: boolean }) => {
    if (Boolean(raw) === Boolean(opts.all)) throw new CliInputError('give a plan id or --all, not both');
    const ids = raw ? [planId(raw)] : undefined;
    const fondo = new FondoClient(loadFondoConfig());
    await withClient(async (client) => {
      const planIds = ids ?? (await runningPlanIds(client));
      const results: PlanReconciliation[] = [];
      for (const id of planIds) {
        const view = await planView(client, id);
        const books = booksOf(view);
        const records = await readCustodianRecords(
          fondo,
          view.status.clientId,
          view.status.accountId,
          recordsSince(books)
        );
        results.push({ planId: id, differences: reconcilePlan(books, records) });
      }
      print(formatReconciliation(results), results);
      if (results.some((r) => r.differences.length > 0)) process.exitCode = DIFFERENCES_EXIT_CODE;
    });
  });

async function runningPlanIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  const query = "WorkflowType = 'savingsPlanWorkflow' AND ExecutionStatus = 'Running'";
  for await (const wf of client.workflow.list({ query }))
    ids.push(wf.typedSearchAttributes.get(SavingsPlanIdKey) ?? wf.workflowId.replace(/^savings-plan:/, ''));
  return ids.sort();
}

signalCommand(
  'pause',
  'stop submitting payments until resumed (a period due meanwhile is skipped)',
  (h, reason) => h.signal(pauseSignal, reason ? { reason } : {}),
  true
);
signalCommand('resume', 'resume a paused plan and clear its attention items', (h) => h.signal(resumeSignal));
signalCommand('skip', 'skip the next period not yet submitted', (h) => h.signal(skipNextPeriodSignal));
signalCommand('retry', 're-check blocked work now (KYC, closed funds)', (h) => h.signal(retryNowSignal));
signalCommand(
  'cancel',
  'stop the plan; cycles already paid finish investing',
  (h, reason) => h.signal(cancelPlanSignal, reason ? { reason } : {}),
  true
);
signalCommand('rebalance-now', 'rebalance as soon as no savings cycle is investing (ignores cooldown)', (h) =>
  h.signal(rebalanceNowSignal)
);

program
  .command('change-amount')
  .description('change the monthly amount from the next period not yet submitted')
  .argument('<planId>')
  .argument('<amount>', 'SEK, e.g. 2000.00')
  .action(async (raw: string, amount: string) => {
    const id = planId(raw);
    const parsed = MonthlyAmountSchema.safeParse(amount);
    if (!parsed.success) throw new CliInputError(`amount: ${describeIssue(parsed.error)}`);
    await withClient(async (client) => {
      const result = await update(async () =>
        (await runningPlan(client, id)).executeUpdate(changeAmountUpdate, { args: [{ amount: parsed.data }] })
      );
      print(`amount of ${id} is ${parsed.data} SEK from ${result.appliesFrom}`, result);
    });
  });

program
  .command('change-day')
  .description('change the debit day (1–28 or last) from the next period that can still be submitted')
  .argument('<planId>')
  .argument('<day>')
  .action(async (raw: string, day: string) => {
    const id = planId(raw);
    const dayOfMonth = parseDay(day);
    await withClient(async (client) => {
      const result = await update(async () =>
        (await runningPlan(client, id)).executeUpdate(changeDayOfMonthUpdate, { args: [{ dayOfMonth }] })
      );
      print(
        `debit day of ${id} is ${dayOfMonth} from ${result.appliesFrom} (next debit ${result.nextDebitDate})`,
        result
      );
    });
  });

program
  .command('change-allocation')
  .description("override the plan's weights, or return to the account's Fondo allocation plan")
  .argument('<planId>')
  .option('--weights <list>', 'FUND=PCT,… summing to exactly 100')
  .option('--fondo', "use the account's Fondo allocation plan again")
  .action(async (raw: string, opts: { weights?: string; fondo?: boolean }) => {
    const id = planId(raw);
    if (Boolean(opts.weights) === Boolean(opts.fondo))
      throw new CliInputError('give exactly one of --weights or --fondo');
    const weights = opts.weights ? parseWeights(opts.weights) : null;
    await withClient(async (client) => {
      const result = await update(async () =>
        (await runningPlan(client, id)).executeUpdate(changeAllocationOverrideUpdate, { args: [{ weights }] })
      );
      print(`allocation of ${id} changed from ${result.appliesFrom}`, result);
    });
  });

rebalanceFlags(
  program
    .command('set-rebalance-policy')
    .description("replace a plan's rebalance policy (triggers enable it; --off disables it)")
    .argument('<planId>')
    .option('--off', 'no automatic rebalancing (admin rebalance-now still works)')
).action(async (raw: string, opts: Record<string, unknown>) => {
  const id = planId(raw);
  const policy = rebalancePolicyFrom(rebalanceOptions(opts, opts.off === true));
  await withClient(async (client) => {
    const result = await update(async () =>
      (await runningPlan(client, id)).executeUpdate(changeRebalancePolicyUpdate, { args: [{ policy }] })
    );
    print(`rebalance policy of ${id}: ${result.policy.enabled ? 'on' : 'off'}`, result);
  });
});

program
  .command('check')
  .description('run the connectivity check workflow: CLI → Temporal → worker → Fondo')
  .action(async () => {
    await withClient(async (client, taskQueue) => {
      const report = await client.workflow.execute(connectivityCheck, {
        taskQueue,
        workflowId: `connectivity-check:${Date.now()}`,
        workflowExecutionTimeout: '1 minute',
      });
      print(`ok: workflow ${report.workflowId} ran at ${report.checkedAt}; Fondo answered ${report.fondoTime}`, report);
    });
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CliInputError) {
      console.error(`error: ${err.message}`);
      process.exitCode = 2;
    } else if (err instanceof CliFailure) {
      console.error(`error: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(`error: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }
}

void main();
