/**
 * Scale benchmark (issue 14): N savings plans through a whole cycle on a real stack, side by side with the engine
 * floor, and a memory benchmark with N plans asleep. One command, everything on free ports, stopped at the end:
 *
 *   npm run bench:scale -- --plans 100            # N plan-cycles + the floor, one size
 *   npm run bench:scale -- --plans 250,1000       # two sizes: also the growth ratio
 *   npm run bench:scale -- --plans 100 --workers 2   # two worker processes on the task queue (horizontal scale)
 *   npm run bench:scale -- --plans 200 --workers 1,2 # one and two workers side by side, same invocation
 *   npm run bench:scale -- --asleep 1000          # memory: worker RSS with 1 000 plans asleep
 *
 * Per size it starts its own Temporal dev server (.tools/bin/temporal, in memory), the Fondo sandbox with a fast
 * clock and a request counter (bench/counting-sandbox.ts), the worker process(es) (workers/worker.ts, sized by the
 * WORKER_* variables like production) and the event bridge. It creates N accounts with 3-fund allocations and N
 * plans whose first (and only) period runs at once, and waits until every plan has completed its cycle (payment →
 * 3 orders → settled). Then, on the same server, the floor worker (bench/floor/) runs N do-nothing plans with the
 * same numbers of activities, timers, signals, child workflows, upserts and continue-as-new per plan, as counted
 * from the real run's histories.
 *
 * It prints wall time, the ratio to the floor, RSS (peak) and CPU of each process, Temporal billable actions per
 * plan-cycle by type (counted from the histories of a sample of plans), Fondo calls per plan-cycle by route, and
 * that every plan made exactly one payment and one order per fund (no duplicate effect).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Command } from 'commander';
import { addPeriods, periodOf } from '../shared/calendar';
import { planWorkflowId } from '../shared/ids';
import { planStartAttributes } from '../cli/start-plan';
import { PlanInputSchema, type PlanInput } from '../shared/plan';
import { searchAttributeFlags } from '../workers/search-attributes';
import { savingsPlanWorkflow } from '../workflows';
import { testDataConverter, testPayloadKeys } from '../test/helpers/payload-keys';
import {
  ACTION_TYPES,
  actionOf,
  eventTypeName,
  noActions,
  onlyChangeVersion,
  type ActionCounts,
  type ActionType,
} from './billable-actions';
import { floorPlanWorkflow, type FloorShape } from './floor/workflows';

const ROOT = path.resolve(__dirname, '..');
const CLIENT_1 = 'c0000000-0000-4000-8000-000000000001';
const FUNDS = ['SE0007100128SEK', 'SE0007110093SEK', 'SE0007120068SEK'];
const TASK_QUEUE = 'bench-savings';
const FLOOR_TASK_QUEUE = 'bench-floor';

const options = new Command('bench:scale')
  .option('--plans <sizes>', 'comma-separated numbers of plans, one run each', '50')
  .option('--workers <counts>', 'worker processes on the task queue; comma-separated = one run each, side by side', '1')
  .option('--no-floor', 'skip the engine floor')
  .option('--asleep <n>', 'memory benchmark: worker RSS with n plans asleep (instead of --plans)', Number)
  .option('--speed <factor>', 'sandbox business seconds per real second', Number, 36_000)
  .option('--sample <n>', 'plans whose histories are counted', Number, 50)
  .option('--timeout-minutes <n>', 'give up on a run after this long', Number, 30)
  .option('--resample <seconds>', 'memory benchmark: measure the worker again this long after it went quiet', Number, 0)
  .option(
    '--worker-node-options <flags>',
    "NODE_OPTIONS of the worker process(es) only, e.g. '--max-old-space-size=256'"
  )
  .parse()
  .opts<{
    plans: string;
    workers: string;
    floor: boolean;
    asleep?: number;
    speed: number;
    sample: number;
    timeoutMinutes: number;
    workerNodeOptions?: string;
    resample: number;
  }>();

// ---------------------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------------------

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

const procs: Proc[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startProc(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, ipc = false): Proc {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, output: [] };
  const keep = (chunk: Buffer) => {
    // The last lines only (for error reports); the worker logs at warn.
    proc.output.push(chunk.toString('utf8'));
    if (proc.output.length > 50) proc.output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`  ! ${name} exited (${signal ?? code}): ${proc.output.join('').slice(-2000)}`);
  });
  procs.push(proc);
  return proc;
}

function node(file: string): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', path.join(ROOT, file)]];
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  for (const { child } of procs.splice(0).reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  stopping = false;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------
// Resource sampling (/proc): RSS now and peak, CPU seconds
// ---------------------------------------------------------------------------------------------------------

const CLOCK_TICKS = 100;

function procStat(pid: number): { cpuSeconds: number; rssBytes: number; peakRssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

// ---------------------------------------------------------------------------------------------------------
// The stack
// ---------------------------------------------------------------------------------------------------------

interface Stack {
  temporal: Proc;
  sandbox: Proc;
  sandboxUrl: string;
  workers: Proc[];
  bridge: Proc;
  client: Client;
  connection: Connection;
  address: string;
  /** Each worker's SDK runtime metrics endpoint (TEMPORAL_METRICS_PORT): its workflow cache and task counters. */
  sdkMetricsUrls: string[];
}

async function startStack(workers: number): Promise<Stack> {
  const [temporalPort, sandboxPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${temporalPort}`;
  const cli = process.env.TEMPORAL_CLI_PATH ?? path.join(ROOT, '.tools/bin/temporal');
  const temporal = startProc(
    'temporal',
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(temporalPort),
      '--headless',
      '--log-level',
      'error',
      ...searchAttributeFlags(),
    ],
    {}
  );
  const [sandboxNode, sandboxArgs] = node('bench/counting-sandbox.ts');
  const sandbox = startProc(
    'sandbox',
    sandboxNode,
    // Tokens live 10 business years: at a fast clock the default 5 days would expire every few seconds.
    [...sandboxArgs, '--port', String(sandboxPort), '--speed', String(options.speed), '--token-ttl', '315360000'],
    {},
    true
  );
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  await waitFor(
    'the sandbox',
    () =>
      fetch(`${sandboxUrl}/ping`).then(
        (r) => r.ok,
        () => false
      ),
    60_000
  );
  let connection: Connection | undefined;
  await waitFor('the Temporal dev server', async () => {
    connection = await Connection.connect({ address }).catch(() => undefined);
    return connection !== undefined;
  });
  // Payloads are encrypted as in production: the processes and the benchmark's client share a run-only key.
  const client = new Client({ connection: connection!, dataConverter: testDataConverter() });
  const env = {
    SAVINGS_PAYLOAD_KEYS: testPayloadKeys(),
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    FONDO_ENV: 'local',
    FONDO_BASE_URL: sandboxUrl,
    EVENT_BRIDGE_CLIENT_IDS: CLIENT_1,
    LOG_LEVEL: 'warn',
  };
  // Node/V8 flags for the worker alone (the sandbox and the bridge keep their defaults).
  const workerEnv = options.workerNodeOptions === undefined ? env : { ...env, NODE_OPTIONS: options.workerNodeOptions };
  const sdkMetricsPorts = await Promise.all(Array.from({ length: workers }, () => freePort()));
  const workerProcs = sdkMetricsPorts.map((port, i) =>
    startProc(`worker-${i + 1}`, ...node('workers/worker.ts'), { ...workerEnv, TEMPORAL_METRICS_PORT: String(port) })
  );
  const bridge = startProc('bridge', ...node('workers/event-bridge-process.ts'), env);
  await waitForPollers(client, TASK_QUEUE, workers);
  return {
    temporal,
    sandbox,
    sandboxUrl,
    workers: workerProcs,
    bridge,
    client,
    connection: connection!,
    address,
    sdkMetricsUrls: sdkMetricsPorts.map((port) => `http://127.0.0.1:${port}/metrics`),
  };
}

/**
 * The workers' workflow-cache and workflow-task counters from the SDK's runtime metrics, summed over the workers:
 * a sticky-cache miss is a workflow task that replayed its whole history (the workflow was not in the cache).
 */
const SDK_COUNTERS = {
  'cache hits': 'temporal_sticky_cache_hit',
  'cache misses (full replays)': 'temporal_sticky_cache_miss',
  'forced evictions': 'temporal_sticky_cache_total_forced_eviction',
  'workflow tasks': 'temporal_workflow_task_execution_latency_seconds_count',
  'workflow task failures': 'temporal_workflow_task_execution_failed',
  'workflow task seconds': 'temporal_workflow_task_execution_latency_seconds_sum',
  'schedule-to-start seconds': 'temporal_workflow_task_schedule_to_start_latency_seconds_sum',
  'schedule-to-start count': 'temporal_workflow_task_schedule_to_start_latency_seconds_count',
} as const;

async function sdkCounters(stack: Stack): Promise<Record<keyof typeof SDK_COUNTERS, number>> {
  const totals = Object.fromEntries(Object.keys(SDK_COUNTERS).map((k) => [k, 0])) as Record<
    keyof typeof SDK_COUNTERS,
    number
  >;
  for (const url of stack.sdkMetricsUrls) {
    const text = await fetch(url).then(
      (r) => r.text(),
      () => ''
    );
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (match === null) continue;
      for (const [label, metric] of Object.entries(SDK_COUNTERS) as [keyof typeof SDK_COUNTERS, string][]) {
        // Counters carry a `_total` suffix in the Prometheus exposition; histograms their `_sum`/`_count`.
        if (match[1] === metric || match[1] === `${metric}_total`) totals[label] += Number(match[2]);
      }
    }
  }
  return totals;
}

/** Until `count` distinct worker identities poll the task queue (workflow tasks). */
async function waitForPollers(client: Client, taskQueue: string, count: number): Promise<void> {
  await waitFor(
    `${count} worker(s) polling ${taskQueue}`,
    async () => {
      const response = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: 1,
      });
      return new Set(response.pollers.map((p) => p.identity)).size >= count;
    },
    180_000
  );
}

async function sandboxCounts(stack: Stack): Promise<Record<string, number>> {
  const child = stack.sandbox.child;
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; counts?: Record<string, number> }) => {
      if (message.type !== 'counts') return;
      child.off('message', onMessage);
      resolve(message.counts ?? {});
    };
    child.on('message', onMessage);
    if (!child.send({ type: 'counts' })) reject(new Error('sandbox IPC closed'));
  });
}

async function control(stack: Stack, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.sandboxUrl}/_sandbox${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /_sandbox${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Bench accounts: opaque ids, no real personal data (the sandbox's own test personnummer). */
async function createAccounts(stack: Stack, n: number, offset: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 25) {
    const batch = Array.from({ length: Math.min(25, n - start) }, (_, k) => offset + start + k);
    await Promise.all(
      batch.map(async (i) => {
        const hex = String(i).padStart(12, '0');
        const accountId = `e0000000-0000-4000-8000-${hex}`;
        await control(stack, 'POST', '/accounts', {
          account: {
            id: accountId,
            ref: `9${String(i).padStart(10, '0')}`,
            name: 'Bench',
            status: 'active',
            accountType: 'isk',
            serviceType: 'portfolioManagement',
            clientId: CLIENT_1,
            owner: { firstName: 'Bench', lastName: 'Saver', ssn: '198003141002' },
            balance: '0.00',
            positions: [],
            bankAccounts: [
              {
                id: `f0000000-0000-4000-8000-${hex}`,
                iban: 'SE4550000000058398299999',
                bban: '5000 0583 99999',
                bank: 'Bench',
                name: 'Lön',
                validated: true,
              },
            ],
            kyc: { order: true, withdrawal: true },
          },
          allocation: [
            { instrument: FUNDS[0], allocation: '50' },
            { instrument: FUNDS[1], allocation: '30' },
            { instrument: FUNDS[2], allocation: '20' },
          ],
        });
        ids.push(accountId);
      })
    );
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------------------
// Billable actions from histories
// ---------------------------------------------------------------------------------------------------------

interface HistoryCounts {
  actions: ActionCounts;
  events: number;
  workflowTasks: number;
  cancelledTimers: number;
  /** Workflow and activity tasks completed, by worker identity. */
  tasksByWorker: Record<string, number>;
  /** Activities by type, signals by name, workflow starts/children by workflow type. */
  detail: Record<string, number>;
}

/** Workflows to count: `=id` is one workflow id exactly, anything else a prefix (end it with a separator). */
async function countHistories(client: Client, workflowIdPrefixes: string[]): Promise<HistoryCounts> {
  const actions = noActions();
  const counts: HistoryCounts = {
    actions,
    events: 0,
    workflowTasks: 0,
    cancelledTimers: 0,
    tasksByWorker: {},
    detail: {},
  };
  const note = (key: string) => (counts.detail[key] = (counts.detail[key] ?? 0) + 1);
  for (const prefix of workflowIdPrefixes) {
    // Every run of every workflow of the plan (the plan's runs, its cycles, any rebalance).
    const query = prefix.startsWith('=') ? `WorkflowId = "${prefix.slice(1)}"` : `WorkflowId STARTS_WITH "${prefix}"`;
    for await (const execution of client.workflow.list({ query })) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      for (const event of history.events ?? []) {
        counts.events++;
        const name = eventTypeName(event);
        const action = actionOf(event);
        if (action) counts.actions[action]++;
        // The SDK upserts TemporalChangeVersion with every patch marker; Temporal Cloud does not bill it.
        else if (onlyChangeVersion(event)) note('upsert TemporalChangeVersion (patch marker, not billed)');
        if (name === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') {
          note(`activity ${event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?'}`);
        }
        if (name === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED') {
          note(`signal ${event.workflowExecutionSignaledEventAttributes?.signalName ?? '?'}`);
        }
        if (name === 'EVENT_TYPE_TIMER_STARTED') note('timer started');
        if (name === 'EVENT_TYPE_TIMER_CANCELED') counts.cancelledTimers++;
        if (name === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') {
          counts.workflowTasks++;
          const id = event.workflowTaskCompletedEventAttributes?.identity ?? '?';
          counts.tasksByWorker[id] = (counts.tasksByWorker[id] ?? 0) + 1;
        }
        if (name === 'EVENT_TYPE_ACTIVITY_TASK_STARTED') {
          const id = event.activityTaskStartedEventAttributes?.identity ?? '?';
          counts.tasksByWorker[id] = (counts.tasksByWorker[id] ?? 0) + 1;
        }
      }
    }
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------------------

interface Resources {
  [name: string]: { cpuSeconds: number; peakRssBytes: number; rssBytes: number };
}

/** CPU used by each process between two snapshots, and RSS now / peak (peak over the process's life). */
function snapshot(stack: Stack, extra: Proc[] = []): Resources {
  const out: Resources = {};
  for (const proc of [stack.temporal, stack.sandbox, stack.bridge, ...stack.workers, ...extra]) {
    const stat = proc.child.pid === undefined ? undefined : procStat(proc.child.pid);
    if (stat) out[proc.name] = stat;
  }
  return out;
}

function cpuBetween(before: Resources, after: Resources): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((name) => [name, after[name]!.cpuSeconds - (before[name]?.cpuSeconds ?? 0)])
  );
}

async function runPlans(stack: Stack, n: number, label: string): Promise<{ seconds: number; planIds: string[] }> {
  const accounts = await createAccounts(stack, n, 1);
  const today = new Date().toISOString().slice(0, 10);
  const period = periodOf(today);
  // "p" between the size and the index: no run of 8 digits, which plan ids refuse as a possible personnummer.
  const planIds = accounts.map((_, i) => `bench-${label}-p${i}`);
  const started = performance.now();
  const handles: WorkflowHandleWithFirstExecutionRunId<typeof savingsPlanWorkflow>[] = [];
  for (let start = 0; start < n; start += 50) {
    const batch = planIds.slice(start, start + 50).map((planId, k) => {
      const plan: PlanInput = {
        planId,
        clientId: CLIENT_1,
        accountId: accounts[start + k]!,
        amount: '1000.00',
        dayOfMonth: 25,
        firstPeriod: period,
        lastPeriod: period,
        startImmediately: true,
      };
      return stack.client.workflow.start(savingsPlanWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: planWorkflowId(planId),
        args: [plan],
        // What `savings create` gives (cli/start-plan.ts); the preflight is left out, it is not a plan-cycle's cost.
        typedSearchAttributes: planStartAttributes(PlanInputSchema.parse(plan), Date.now()),
      });
    });
    handles.push(...(await Promise.all(batch)));
  }
  const deadline = sleep(options.timeoutMinutes * 60_000).then(() => {
    throw new Error(`not all ${n} plans completed within ${options.timeoutMinutes} minutes`);
  });
  let done = 0;
  let shown = -1;
  const progress = setInterval(() => {
    if (done !== shown)
      console.log(
        `  ${label}: ${(shown = done)}/${n} plans completed after ${fmt((performance.now() - started) / 1000, 0)} s`
      );
  }, 5000);
  try {
    // At most 500 result long-polls open at once (2 000 at once made the dev server refuse them and the run stop);
    // the plans run meanwhile whatever is awaited, and a finished plan's result returns at once.
    const awaitAll = async (
      check: (h: WorkflowHandleWithFirstExecutionRunId<typeof savingsPlanWorkflow>) => Promise<void>
    ) => {
      for (let i = 0; i < handles.length; i += 500) await Promise.all(handles.slice(i, i + 500).map(check));
    };
    await Promise.race([
      awaitAll(async (h) => {
        const result = await h.result();
        done++;
        const outcomes = result.cycles.map((c) => c.outcome);
        if (outcomes.join() !== 'invested') {
          // Said at once: the run then stops, and the pending result calls die with the closed connection.
          const why = result.cycles.map((c) => `${c.outcome}: ${c.attention ?? '-'}`).join('; ');
          console.error(`  ${h.workflowId}: ${why}`);
          throw new Error(`${h.workflowId}: cycles ${outcomes.join()}`);
        }
      }),
      deadline,
    ]);
  } finally {
    clearInterval(progress);
  }
  return { seconds: (performance.now() - started) / 1000, planIds };
}

async function runFloor(stack: Stack, n: number, shape: FloorShape): Promise<number> {
  const started = performance.now();
  const handles = [];
  for (let start = 0; start < n; start += 50) {
    const ids = Array.from({ length: Math.min(50, n - start) }, (_, k) => `floor-plan:${start + k}`);
    handles.push(
      ...(await Promise.all(
        ids.map((workflowId) =>
          stack.client.workflow.start(floorPlanWorkflow, { taskQueue: FLOOR_TASK_QUEUE, workflowId, args: [shape] })
        )
      ))
    );
  }
  const settled = await Promise.allSettled(handles.map((h) => h.result()));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    const reason = failed.reason as Error & { cause?: Error };
    throw new Error(`floor plan failed: ${reason.message}: ${reason.cause?.message ?? ''}`);
  }
  return (performance.now() - started) / 1000;
}

/** Each plan's payments and orders in the sandbox: exactly one payment, one order per fund, no clientRef twice. */
async function checkEffects(stack: Stack, planIds: string[]): Promise<string[]> {
  const ledger = (await control(stack, 'GET', '/ledger')) as {
    payments: { clientRef: string | null }[];
    orders: { clientRef: string | null }[];
  };
  const problems: string[] = [];
  const byPlan = (refs: (string | null)[]) => {
    const map = new Map<string, string[]>();
    for (const ref of refs) {
      if (!ref) continue;
      const plan = ref.split(':')[0]!;
      map.set(plan, [...(map.get(plan) ?? []), ref]);
    }
    return map;
  };
  const payments = byPlan(ledger.payments.map((p) => p.clientRef));
  const orders = byPlan(ledger.orders.map((o) => o.clientRef));
  for (const planId of planIds) {
    const p = payments.get(planId) ?? [];
    const o = orders.get(planId) ?? [];
    if (p.length !== 1) problems.push(`${planId}: ${p.length} payments`);
    if (o.length !== FUNDS.length || new Set(o).size !== o.length) problems.push(`${planId}: orders ${o.join(' ')}`);
  }
  return problems;
}

interface SizeResult {
  n: number;
  seconds: number;
  floorSeconds?: number;
  cpu: Record<string, number>;
  floorCpu?: Record<string, number>;
  peakRss: Record<string, number>;
  actionsPerPlan: Record<ActionType, number>;
  floorActionsPerPlan?: Record<ActionType, number>;
  fondoPerPlan: Record<string, number>;
}

function perPlan<T extends string>(totals: Record<T, number>, plans: number): Record<T, number> {
  return Object.fromEntries(Object.entries<number>(totals).map(([k, v]) => [k, v / plans])) as Record<T, number>;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const fmt = (x: number, digits = 1) => x.toFixed(digits);

async function runSize(n: number, workers: number): Promise<SizeResult> {
  console.log(`\n=== ${n} plan-cycles, ${workers} worker process(es), sandbox ×${options.speed}`);
  const stack = await startStack(workers);
  try {
    const idle = snapshot(stack);
    console.log(
      `  idle RSS: ${Object.entries(idle)
        .map(([k, v]) => `${k} ${mb(v.rssBytes)}`)
        .join(', ')}`
    );
    const countsBefore = await sandboxCounts(stack);
    const sdkBefore = await sdkCounters(stack);
    const before = snapshot(stack);
    const { seconds, planIds } = await runPlans(stack, n, `n${n}`);
    const after = snapshot(stack);
    const countsAfter = await sandboxCounts(stack);
    const sdkAfter = await sdkCounters(stack);
    const cpu = cpuBetween(before, after);
    const fondo: Record<string, number> = {};
    let probes = 0;
    for (const [route, count] of Object.entries(countsAfter)) {
      if (route.includes('/_sandbox')) continue;
      if (route === 'GET /ping') {
        // The worker's readiness probe (every 5 s): calls per second, not per cycle; left out of the total.
        probes = count - (countsBefore[route] ?? 0);
        continue;
      }
      const delta = count - (countsBefore[route] ?? 0);
      if (delta > 0) fondo[route] = delta;
    }
    const problems = await checkEffects(stack, planIds);
    const sampled = planIds.slice(0, Math.min(options.sample, n));
    const counted = await countHistories(
      stack.client,
      sampled.flatMap((id) => [`=${planWorkflowId(id)}`, `savings-cycle:${id}:`, `rebalance:${id}:`])
    );
    const actionsPerPlan = perPlan(counted.actions, sampled.length);
    const peakRss = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v.peakRssBytes]));

    console.log(
      `  wall ${fmt(seconds)} s; CPU s: ${Object.entries(cpu)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`
    );
    console.log(`  CPU per plan-cycle, all processes: ${fmt((sum(Object.values(cpu)) / n) * 1000, 0)} ms`);
    console.log(
      `  peak RSS: ${Object.entries(peakRss)
        .map(([k, v]) => `${k} ${mb(v)}`)
        .join(', ')}`
    );
    console.log(
      `  effects: ${problems.length === 0 ? `every plan 1 payment + ${FUNDS.length} orders, no duplicate` : problems.slice(0, 10).join('; ')}`
    );
    console.log(
      `  billable actions per plan-cycle (${sampled.length} plans' histories): total ${fmt(sum(Object.values(actionsPerPlan)))} — ` +
        ACTION_TYPES.map((t) => `${t} ${fmt(actionsPerPlan[t])}`).join(', ')
    );
    console.log(
      `  history events per plan ${fmt(counted.events / sampled.length)}, workflow tasks ${fmt(counted.workflowTasks / sampled.length)}, cancelled timers ${fmt(counted.cancelledTimers / sampled.length)}`
    );
    const fondoTotal = sum(Object.values(fondo));
    for (const [key, count] of Object.entries(counted.detail).sort()) {
      console.log(`    ${fmt(count / sampled.length, 2).padStart(6)}  ${key}`);
    }
    console.log(
      `  Fondo calls per plan-cycle: ${fmt(fondoTotal / n)} (health probes GET /ping, not per cycle: ${probes} during the run)`
    );
    for (const [route, count] of Object.entries(fondo).sort((a, b) => b[1] - a[1])) {
      console.log(`    ${fmt(count / n, 2).padStart(6)}  ${route}`);
    }
    const sdk = Object.fromEntries(
      Object.entries(sdkAfter).map(([k, v]) => [k, v - sdkBefore[k as keyof typeof SDK_COUNTERS]])
    ) as Record<keyof typeof SDK_COUNTERS, number>;
    const tasks = sdk['workflow tasks'];
    console.log(
      `  workflow tasks (worker metrics): ${fmt(tasks / n)} per plan-cycle, ` +
        `mean ${fmt((sdk['workflow task seconds'] / Math.max(tasks, 1)) * 1000, 1)} ms, ` +
        `schedule-to-start mean ${fmt((sdk['schedule-to-start seconds'] / Math.max(sdk['schedule-to-start count'], 1)) * 1000, 0)} ms; ` +
        `cache hits ${sdk['cache hits']}, misses (full replays) ${sdk['cache misses (full replays)']}, ` +
        `forced evictions ${sdk['forced evictions']}, failures ${sdk['workflow task failures']}`
    );
    if (workers > 1) {
      console.log(`  tasks by worker identity (sampled histories): ${JSON.stringify(counted.tasksByWorker)}`);
    }

    const result: SizeResult = {
      n,
      seconds,
      cpu,
      peakRss,
      actionsPerPlan,
      fondoPerPlan: Object.fromEntries(Object.entries(fondo).map(([k, v]) => [k, v / n])),
    };

    if (options.floor) {
      const shape: FloorShape = {
        childWorkflows: Math.round(actionsPerPlan['child workflows']),
        activities: Math.round(actionsPerPlan.activities),
        timers: Math.round(actionsPerPlan.timers),
        signals: Math.round(actionsPerPlan.signals),
        upserts: Math.round(actionsPerPlan.upserts),
        continueAsNew: Math.round(actionsPerPlan['continue-as-new']),
      };
      const floorWorkers = Array.from({ length: workers }, (_, i) =>
        startProc(`floor-worker-${i + 1}`, ...node('bench/floor/worker.ts'), {
          TEMPORAL_ADDRESS: stack.address,
          TEMPORAL_TASK_QUEUE: FLOOR_TASK_QUEUE,
          SAVINGS_PAYLOAD_KEYS: testPayloadKeys(),
        })
      );
      await waitForPollers(stack.client, FLOOR_TASK_QUEUE, workers);
      // The real workers stay up (idle), as the issue's floor shares the server: only the floor's CPU is counted.
      const floorBefore = snapshot(stack, floorWorkers);
      const floorSeconds = await runFloor(stack, n, shape);
      const floorAfter = snapshot(stack, floorWorkers);
      const floorCpu = cpuBetween(floorBefore, floorAfter);
      const floorCounted = await countHistories(
        stack.client,
        Array.from({ length: Math.min(options.sample, n) }, (_, i) => [`=floor-plan:${i}`, `floor-plan:${i}:`]).flat()
      );
      result.floorSeconds = floorSeconds;
      result.floorCpu = floorCpu;
      result.floorActionsPerPlan = perPlan(floorCounted.actions, Math.min(options.sample, n));
      const floorWorkerRss = floorWorkers.map((w) => floorAfter[w.name]?.peakRssBytes ?? 0);
      console.log(
        `  floor (shape ${JSON.stringify(shape)}): wall ${fmt(floorSeconds)} s → ratio ${fmt(seconds / floorSeconds, 2)}×; ` +
          `CPU s: ${Object.entries(floorCpu)
            .filter(([, v]) => v > 0.05)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ')}; ` +
          `floor worker peak RSS ${floorWorkerRss.map(mb).join(', ')}`
      );
      console.log(
        `  floor billable actions per plan: total ${fmt(sum(Object.values(result.floorActionsPerPlan)))} — ` +
          ACTION_TYPES.map((t) => `${t} ${fmt(result.floorActionsPerPlan![t])}`).join(', ')
      );
    }
    return result;
  } finally {
    await stack.connection.close().catch(() => undefined);
    await stopAll();
  }
}

/** Memory: worker RSS idle, then with n plans asleep until next month's period (each ran its first task). */
async function runAsleep(n: number): Promise<void> {
  console.log(`\n=== memory: ${n} plans asleep, 1 worker process`);
  const stack = await startStack(1);
  try {
    const worker = stack.workers[0]!;
    await sleep(3000);
    const idle = procStat(worker.child.pid!)!;
    console.log(`  worker RSS with no plans: ${mb(idle.rssBytes)}`);
    const accounts = await createAccounts(stack, n, 1);
    const nextPeriod = addPeriods(periodOf(new Date().toISOString().slice(0, 10)), 1);
    const started = performance.now();
    for (let start = 0; start < n; start += 50) {
      await Promise.all(
        accounts.slice(start, start + 50).map((accountId, k) => {
          const plan: PlanInput = {
            planId: `asleep-${start + k}`,
            clientId: CLIENT_1,
            accountId,
            amount: '1000.00',
            dayOfMonth: 25,
            firstPeriod: nextPeriod,
          };
          return stack.client.workflow.start(savingsPlanWorkflow, {
            taskQueue: TASK_QUEUE,
            workflowId: planWorkflowId(plan.planId),
            args: [plan],
            typedSearchAttributes: planStartAttributes(PlanInputSchema.parse(plan), Date.now()),
          });
        })
      );
    }
    // Asleep = the plan's first workflow task completed (its timer is set). Wait for the worker to go quiet.
    let lastCpu = procStat(worker.child.pid!)!.cpuSeconds;
    let quietFor = 0;
    while (quietFor < 5) {
      await sleep(1000);
      const cpu = procStat(worker.child.pid!)!.cpuSeconds;
      quietFor = cpu - lastCpu < 0.05 ? quietFor + 1 : 0;
      lastCpu = cpu;
    }
    const timers = await stack.client.workflow.count(
      'WorkflowType = "savingsPlanWorkflow" AND ExecutionStatus = "Running"'
    );
    const asleep = procStat(worker.child.pid!)!;
    console.log(
      `  ${timers.count} plans running (asleep) after ${fmt((performance.now() - started) / 1000)} s; worker RSS ${mb(asleep.rssBytes)} ` +
        `(peak ${mb(asleep.peakRssBytes)}); per plan over idle ${fmt((asleep.rssBytes - idle.rssBytes) / n / 1024, 0)} kB; ` +
        `server RSS ${mb(procStat(stack.temporal.child.pid!)!.rssBytes)}`
    );
    if (options.resample > 0) {
      // Whether the worker gives memory back once quiet (V8 shrinking its heaps, the allocator returning pages).
      await sleep(options.resample * 1000);
      const later = procStat(worker.child.pid!)!;
      console.log(`  ${options.resample} s later: worker RSS ${mb(later.rssBytes)} (peak ${mb(later.peakRssBytes)})`);
    }
  } finally {
    await stack.connection.close().catch(() => undefined);
    await stopAll();
  }
}

async function main(): Promise<void> {
  console.log(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${mb(os.totalmem())} RAM, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ` +
      `Node ${process.version}; worker sizing ${
        Object.entries(process.env)
          .filter(([k]) => k.startsWith('WORKER_'))
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'defaults'
      }${options.workerNodeOptions === undefined ? '' : `; worker NODE_OPTIONS=${options.workerNodeOptions}`}`
  );
  if (options.asleep !== undefined) {
    await runAsleep(options.asleep);
    return;
  }
  const sizes = options.plans.split(',').map(Number);
  const workerCounts = options.workers.split(',').map(Number);
  const results: SizeResult[] = [];
  for (const n of sizes) {
    const byWorkers: { workers: number; seconds: number }[] = [];
    for (const workers of workerCounts) {
      const result = await runSize(n, workers);
      byWorkers.push({ workers, seconds: result.seconds });
      if (workers === workerCounts[0]) results.push(result);
    }
    if (byWorkers.length >= 2) {
      const base = byWorkers[0]!;
      console.log(
        `\nworkers at ${n} plans: ` +
          byWorkers
            .map(
              (w) =>
                `${w.workers} → wall ${fmt(w.seconds)} s (${fmt(w.seconds / base.seconds, 2)}× the ${base.workers}-worker run)`
            )
            .join('; ')
      );
    }
  }
  if (results.length >= 2) {
    const [a, b] = [results[0]!, results[results.length - 1]!];
    const growth = b.seconds / a.seconds;
    const floorGrowth = a.floorSeconds && b.floorSeconds ? b.floorSeconds / a.floorSeconds : undefined;
    console.log(
      `\ngrowth ${a.n} → ${b.n} plans (${fmt(b.n / a.n)}× the work): wall ${fmt(growth, 2)}×` +
        (floorGrowth ? `, floor ${fmt(floorGrowth, 2)}×` : '')
    );
  }
  console.log(
    `load at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`
  );
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
main()
  .catch(async (err: unknown) => {
    console.error(err);
    await stopAll();
    process.exitCode = 1;
  })
  .finally(() => process.exit());
