/**
 * The savings admin CLI as a function: `runSavings(argv, io)` parses, runs one command and returns the exit code
 * (cli/savings.ts is the process entry, `savings` the npm bin). Human output; `--json` for scripts.
 *   create, list, status, pause, resume, skip, retry, cancel, change-amount, change-day, change-allocation,
 *   rebalance-now, set-rebalance-policy, check, statement, reconcile
 *
 * Exit codes (README "Operating plans", `savings --help`):
 *   0  done
 *   2  refused input, nothing changed: every usage error (unknown command or option, missing or invalid option,
 *      bad value), personal data in free text, a plan or change the preflight check refused, an update the plan
 *      refused, a plan id already taken
 *   1  the operation failed: Temporal unreachable or misconfigured, no such plan or not running, the check could
 *      not reach Fondo, anything unexpected
 *   3  reconcile found differences between a plan's books and Fondo's records
 */
import {
  Client,
  Connection,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { planWorkflowId, PlanIdSchema } from '../shared/ids';
import {
  cancelPlanSignal,
  changeAllocationOverrideUpdate,
  changeAmountUpdate,
  changeDayOfMonthUpdate,
  changeRebalancePolicyUpdate,
  pauseSignal,
  planStatusQuery,
  rebalanceNowSignal,
  resumeSignal,
  retryNowSignal,
  skipNextPeriodSignal,
} from '../shared/messages';
import { piiProblem } from '../shared/pii';
import { MonthlyAmountSchema } from '../shared/plan';
import { FondoClientIdKey, NextDebitDateKey, PlanStateKey, SavingsPlanIdKey } from '../shared/search-attributes';
import { PLAN_STATES } from '../shared/status';
import { firstIssue } from '../shared/zod-issues';
import { ConfigError, parseEnv, TemporalConfigSchema } from '../workers/config';
import { loadDataConverter } from '../workers/data-converter';
import { connectivityCheck, type savingsPlanWorkflow } from '../workflows';
import { FondoClient, loadFondoConfig } from '../fondo';
import { PeriodSchema } from '../shared/calendar';
import { reconcilePlan } from '../shared/reconcile';
import { formatList, formatStatus, latestRunPerPlan, type PlanExecutionRow } from './format';
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
import { changeRequest, PlanExistsError, PlanRefusedError, preflight, startPlan, type PlanChange } from './start-plan';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Where the CLI writes and what it reads (a process, or a test). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** Every PlanState (search attribute `PlanState`), the values `list --state` accepts (shared/status.ts owns it). */
export { PLAN_STATES };

/** Free text longer than this is refused (the message schemas cut at the same length). */
const MAX_FREE_TEXT = 500;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  2  refused input, nothing changed: a usage error (unknown command or option, missing or invalid value), personal
     data in a reason, a plan or change the check against Fondo refused, an update the plan refused, a plan id
     already taken
  1  the operation failed: Temporal unreachable or misconfigured, no such running plan, Fondo unreachable
  3  reconcile found differences between a plan's books and Fondo's records`;

class CliFailure extends Error {
  override name = 'CliFailure' as const;
}

/** Runs one CLI invocation (`argv` without node and script) and returns its exit code. */
export async function runSavings(argv: string[], io: CliIo): Promise<number> {
  const outcome = { code: EXIT_OK };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (err) {
    return exitCodeOf(err, io);
  }
}

function exitCodeOf(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // Commander has already written its message (and the help); --help and --version are not errors.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof WorkflowUpdateFailedError) {
    io.err(`error: refused by the plan: ${err.cause?.message ?? err.message}\n`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`error: ${message}\n`);
  return err instanceof CliInputError || err instanceof PlanRefusedError || err instanceof PlanExistsError
    ? EXIT_USAGE
    : EXIT_FAILED;
}

function buildProgram(io: CliIo, outcome: { code: number }): Command {
  const program = new Command('savings')
    .description('Operate savings plans on Temporal (no personal data is ever shown or sent here)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  const print = (human: string, json: unknown): void => {
    io.out(`${program.opts<{ json?: boolean }>().json ? JSON.stringify(json, null, 2) : human}\n`);
  };

  async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
    let config;
    try {
      config = parseEnv(TemporalConfigSchema, io.env);
    } catch (err) {
      if (err instanceof ConfigError) throw new CliFailure(err.message);
      throw err;
    }
    const dataConverter = loadDataConverter(io.env); // payload encryption keys (workers/data-converter.ts)
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

  for (const cmd of [
    create(),
    list(),
    status(),
    signal('pause', 'stop submitting payments until resumed (a period due meanwhile is skipped)', (h, reason) =>
      h.signal(pauseSignal, reason !== undefined ? { reason } : {})
    ).option('--reason <text>', 'why (shown in the plan status; no personal data)'),
    signal('resume', 'resume a paused plan and clear its attention items', (h) => h.signal(resumeSignal)),
    signal('skip', 'skip the next period not yet submitted', (h) => h.signal(skipNextPeriodSignal)),
    signal('retry', 're-check blocked work now (KYC, closed funds)', (h) => h.signal(retryNowSignal)),
    signal('cancel', 'stop the plan; cycles already paid finish investing', (h, reason) =>
      h.signal(cancelPlanSignal, reason !== undefined ? { reason } : {})
    ).option('--reason <text>', 'why (shown in the plan status; no personal data)'),
    signal('rebalance-now', 'rebalance as soon as no savings cycle is investing (ignores cooldown)', (h) =>
      h.signal(rebalanceNowSignal)
    ),
    changeAmount(),
    changeDay(),
    changeAllocation(),
    setRebalancePolicy(),
    check(),
    statement(),
    reconcile(),
  ]) {
    program.addCommand(cmd.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError());
  }
  return program;

  function planId(raw: string): string {
    const parsed = PlanIdSchema.safeParse(raw);
    if (!parsed.success) throw new CliInputError(`plan id: ${firstIssue(parsed.error)}`);
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

  /** The preflight check of a change against the running plan, then the update (only when the check passes). */
  async function checkedUpdate<R>(
    client: Client,
    taskQueue: string,
    id: string,
    change: PlanChange,
    acceptCarry: boolean,
    send: (h: WorkflowHandle<typeof savingsPlanWorkflow>) => Promise<R>
  ): Promise<R> {
    const handle = await runningPlan(client, id);
    const current = await handle.query(planStatusQuery);
    await preflight(client, taskQueue, id, changeRequest(current, change, acceptCarry));
    return send(handle);
  }

  function freeText(flag: string, text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const problem = piiProblem(flag, text);
    if (problem) throw new CliInputError(problem);
    if (text.length > MAX_FREE_TEXT) throw new CliInputError(`${flag}: must be at most ${MAX_FREE_TEXT} characters`);
    return text;
  }

  function signal(
    name: string,
    description: string,
    send: (h: WorkflowHandle<typeof savingsPlanWorkflow>, reason?: string) => Promise<void>
  ): Command {
    return new Command(name)
      .description(description)
      .argument('<planId>')
      .action(async (raw: string, opts: { reason?: string }) => {
        const id = planId(raw);
        const reason = freeText('--reason', opts.reason);
        await withClient(async (client) => {
          const handle = await runningPlan(client, id);
          await send(handle, reason);
          print(`${name}: sent to plan ${id}`, { planId: id, sent: name });
        });
      });
  }

  function create(): Command {
    return rebalanceFlags(
      new Command('create')
        .description('check a savings plan against Fondo, then start its workflow (refuses an existing plan id)')
        .requiredOption('--plan-id <id>', 'opaque plan id (a–z, 0–9, -; never personal data)')
        .requiredOption('--client <clientId>', 'Fondo client id')
        .requiredOption('--account <accountId>', 'Fondo investment account id')
        .requiredOption('--amount <sek>', 'monthly amount, e.g. 1500.00')
        .requiredOption('--day <day>', 'debit day 1–28 or "last" (moved to the next banking day when needed)')
        .option('--first-period <YYYY-MM>', 'first period (default: the next one that can still be submitted on time)')
        .option('--last-period <YYYY-MM>', 'last period (default: none)')
        .option('--start-now', 'submit the first period at once (current month, earliest banking day)')
        .option('--weights <list>', "override weights FUND=PCT,… (default: the account's Fondo allocation plan)")
        .addOption(
          new Option('--below-minimum <policy>', 'legs below a fund minimum').choices(['redistribute', 'carry'])
        )
        .option('--accept-carry', "accept an amount below every fund's minimum (it is carried, not invested)")
        .option('--blocked-deadline-days <n>', "banking days a closed fund's leg is retried (default 10)")
        .addOption(new Option('--blocked-at-deadline <policy>', 'then').choices(['carry', 'redistribute']))
        .option('--kyc-deadline-days <n>', 'days to wait for KYC before needs-attention (default 30)')
    ).action(async (opts: CreateOptions & Record<string, unknown>) => {
      const plan = planFrom(opts, rebalanceOptions(opts), new Date().toISOString());
      await withClient(async (client, taskQueue) => {
        await startPlan(client, { taskQueue, plan, acceptCarry: opts.acceptCarry === true });
        print(
          `created plan ${plan.planId}: ${plan.amount} SEK on day ${plan.dayOfMonth}, first period ${plan.firstPeriod}${plan.startImmediately ? ' (submitted now)' : ''}`,
          { planId: plan.planId, workflowId: planWorkflowId(plan.planId), firstPeriod: plan.firstPeriod }
        );
      });
    });
  }

  function list(): Command {
    return new Command('list')
      .description('list savings plans, one row per plan (running by default)')
      .option('--state <state>', `filter by PlanState: ${PLAN_STATES.join(', ')}`)
      .option('--client <clientId>', 'filter by Fondo client id')
      .option('--all', 'include finished plans')
      .action(async (opts: { state?: string; client?: string; all?: boolean }) => {
        if (opts.state !== undefined && !(PLAN_STATES as readonly string[]).includes(opts.state))
          throw new CliInputError(`--state: not a plan state; valid states are ${PLAN_STATES.join(', ')}`);
        if (opts.client !== undefined && !/^[A-Za-z0-9-]+$/.test(opts.client))
          throw new CliInputError('--client: only letters, digits and "-" are allowed');
        const query = [
          "WorkflowType = 'savingsPlanWorkflow'",
          opts.all ? '' : "ExecutionStatus = 'Running'",
          opts.state ? `PlanState = '${opts.state}'` : '',
          opts.client ? `FondoClientId = '${opts.client}'` : '',
        ]
          .filter(Boolean)
          .join(' AND ');
        await withClient(async (client) => {
          const executions: PlanExecutionRow[] = [];
          for await (const wf of client.workflow.list({ query })) {
            const sa = wf.typedSearchAttributes;
            executions.push({
              workflowId: wf.workflowId,
              startMs: wf.startTime.getTime(),
              planId: sa.get(SavingsPlanIdKey) ?? wf.workflowId.replace(/^savings-plan:/, ''),
              clientId: sa.get(FondoClientIdKey) ?? '',
              state: sa.get(PlanStateKey) ?? '',
              nextDebitDate: sa.get(NextDebitDateKey) ?? '',
              status: wf.status.name.toLowerCase(),
            });
          }
          // Each continue-as-new run is an execution of its own: one row per plan, its latest run.
          const rows = latestRunPerPlan(executions);
          print(formatList(rows), rows);
        });
      });
  }

  function status(): Command {
    return new Command('status')
      .description(
        "a plan's state, what happens next, running cycles, blocked reasons, carry-over, last cycles and runs"
      )
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
  }

  async function planView(client: Client, id: string): ReturnType<typeof readPlanView> {
    try {
      return await readPlanView(client, id);
    } catch (err) {
      if (err instanceof PlanNotFound) throw new CliFailure(err.message);
      throw err;
    }
  }

  function statement(): Command {
    return new Command('statement')
      .description("the full story of a plan's periods: payments and their codes, legs, units, prices, carry, cash")
      .argument('<planId>')
      .option('--period <YYYY-MM>', 'one period (default: every period the plan still keeps)')
      .action(async (raw: string, opts: { period?: string }) => {
        const id = planId(raw);
        if (opts.period !== undefined && !PeriodSchema.safeParse(opts.period).success)
          throw new CliInputError(`--period: expected YYYY-MM, got ${JSON.stringify(opts.period)}`);
        await withClient(async (client) => {
          const view = await planView(client, id);
          const built = buildStatement(view.status, view.runningCycles, opts.period);
          print(formatStatement(built), built);
        });
      });
  }

  function reconcile(): Command {
    return new Command('reconcile')
      .description("compare plans' books with Fondo's records of their accounts (read-only); exit 3 on a difference")
      .argument('[planId]')
      .option('--all', 'every running plan')
      .action(async (raw: string | undefined, opts: { all?: boolean }) => {
        if ((raw !== undefined) === Boolean(opts.all)) throw new CliInputError('give a plan id or --all, not both');
        const ids = raw !== undefined ? [planId(raw)] : undefined;
        const fondo = new FondoClient(loadFondoConfig(io.env));
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
          if (results.some((r) => r.differences.length > 0)) outcome.code = DIFFERENCES_EXIT_CODE;
        });
      });
  }

  async function runningPlanIds(client: Client): Promise<string[]> {
    const ids = new Set<string>();
    const query = "WorkflowType = 'savingsPlanWorkflow' AND ExecutionStatus = 'Running'";
    for await (const wf of client.workflow.list({ query }))
      ids.add(wf.typedSearchAttributes.get(SavingsPlanIdKey) ?? wf.workflowId.replace(/^savings-plan:/, ''));
    return [...ids].sort();
  }

  function changeAmount(): Command {
    return new Command('change-amount')
      .description('change the monthly amount from the next period not yet submitted (checked against Fondo first)')
      .argument('<planId>')
      .argument('<amount>', 'SEK, e.g. 2000.00')
      .option('--accept-carry', "accept an amount below every fund's minimum (it is carried, not invested)")
      .action(async (raw: string, amount: string, opts: { acceptCarry?: boolean }) => {
        const id = planId(raw);
        const parsed = MonthlyAmountSchema.safeParse(amount);
        if (!parsed.success) throw new CliInputError(`amount: ${firstIssue(parsed.error)}`);
        await withClient(async (client, taskQueue) => {
          const change = { operation: 'change-amount', amount: parsed.data } as const;
          const result = await checkedUpdate(client, taskQueue, id, change, opts.acceptCarry === true, (h) =>
            h.executeUpdate(changeAmountUpdate, { args: [{ amount: parsed.data }] })
          );
          print(`amount of ${id} is ${parsed.data} SEK from ${result.appliesFrom}`, result);
        });
      });
  }

  function changeDay(): Command {
    return new Command('change-day')
      .description('change the debit day (1–28 or last) from the next period that can still be submitted')
      .argument('<planId>')
      .argument('<day>')
      .action(async (raw: string, day: string) => {
        const id = planId(raw);
        const dayOfMonth = parseDay(day);
        await withClient(async (client) => {
          const result = await (
            await runningPlan(client, id)
          ).executeUpdate(changeDayOfMonthUpdate, { args: [{ dayOfMonth }] });
          print(
            `debit day of ${id} is ${dayOfMonth} from ${result.appliesFrom} (next debit ${result.nextDebitDate})`,
            result
          );
        });
      });
  }

  function changeAllocation(): Command {
    return new Command('change-allocation')
      .description("override the plan's weights, or return to the account's Fondo allocation plan (checked first)")
      .argument('<planId>')
      .option('--weights <list>', 'FUND=PCT,… summing to exactly 100')
      .option('--fondo', "use the account's Fondo allocation plan again")
      .option('--accept-carry', "accept an amount below every fund's minimum (it is carried, not invested)")
      .action(async (raw: string, opts: { weights?: string; fondo?: boolean; acceptCarry?: boolean }) => {
        const id = planId(raw);
        if ((opts.weights !== undefined) === Boolean(opts.fondo))
          throw new CliInputError('give exactly one of --weights or --fondo');
        const weights = opts.weights !== undefined ? parseWeights(opts.weights) : null;
        await withClient(async (client, taskQueue) => {
          const change = { operation: 'change-allocation', weights } as const;
          const result = await checkedUpdate(client, taskQueue, id, change, opts.acceptCarry === true, (h) =>
            h.executeUpdate(changeAllocationOverrideUpdate, { args: [{ weights }] })
          );
          print(`allocation of ${id} changed from ${result.appliesFrom}`, result);
        });
      });
  }

  function setRebalancePolicy(): Command {
    return rebalanceFlags(
      new Command('set-rebalance-policy')
        .description("replace a plan's rebalance policy (triggers enable it; --off disables it; checked first)")
        .argument('<planId>')
        .option('--off', 'no automatic rebalancing (admin rebalance-now still works)')
    ).action(async (raw: string, opts: Record<string, unknown>) => {
      const id = planId(raw);
      const policy = rebalancePolicyFrom(rebalanceOptions(opts, opts.off === true));
      await withClient(async (client, taskQueue) => {
        const change = { operation: 'change-rebalance-policy', policy } as const;
        const result = await checkedUpdate(client, taskQueue, id, change, false, (h) =>
          h.executeUpdate(changeRebalancePolicyUpdate, { args: [{ policy }] })
        );
        print(`rebalance policy of ${id}: ${result.policy.enabled ? 'on' : 'off'}`, result);
      });
    });
  }

  function check(): Command {
    return new Command('check')
      .description('run the connectivity check workflow: CLI → Temporal → worker → Fondo')
      .action(async () => {
        await withClient(async (client, taskQueue) => {
          const report = await client.workflow.execute(connectivityCheck, {
            taskQueue,
            workflowId: `connectivity-check:${Date.now()}`,
            workflowExecutionTimeout: '1 minute',
          });
          print(
            `ok: workflow ${report.workflowId} ran at ${report.checkedAt}; Fondo answered ${report.fondoTime}`,
            report
          );
        });
      });
  }
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
    .option('--cash-buffer <pct>', 'cash kept uninvested, % of the portfolio 0–100 (default 0.25)')
    .option('--no-cash-flow', 'invest deposits by plain weights instead of underweight funds first');
}

function rebalanceOptions(o: Record<string, unknown>, off = false): RebalanceOptions {
  const str = (k: string) => (typeof o[k] === 'string' ? o[k] : undefined);
  return {
    off,
    ...(str('rebalanceBandAbs') !== undefined ? { bandAbs: str('rebalanceBandAbs') } : {}),
    ...(str('rebalanceBandRel') !== undefined ? { bandRel: str('rebalanceBandRel') } : {}),
    ...(str('rebalanceCalendar') !== undefined ? { calendar: str('rebalanceCalendar') } : {}),
    ...(str('cooldownDays') !== undefined ? { cooldownDays: str('cooldownDays') } : {}),
    ...(str('minTrade') !== undefined ? { minTrade: str('minTrade') } : {}),
    ...(str('cashBuffer') !== undefined ? { cashBuffer: str('cashBuffer') } : {}),
    ...(typeof o.cashFlow === 'boolean' ? { cashFlow: o.cashFlow } : {}),
  };
}
