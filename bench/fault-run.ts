/**
 * The liveness fault run (issue 16 "Done when"), on a real dev server with the real worker and bridge processes:
 * 50 plans; 10 % 5xx and 5 % 429 on every Fondo route; a 30 s Temporal restart once the orders are placed; a
 * SIGKILL of the bridge while the orders settle. Every cycle must complete within minutes of Fondo settling,
 * with no operator action, no duplicate payment or order and no öre lost.
 *
 *   npm run bench:faults            (FAULT_RUN_PLANS=50 by default; ~5–10 minutes)
 *
 * Prints the figures as JSON (docs/ARCHITECTURE.md, "Fault run") and exits 1 if a check fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import Decimal from 'decimal.js';
import { startSandbox } from '../sandbox/server';
import { periodOf, stockholmDate } from '../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../shared/ids';
import { savingsPlanWorkflow } from '../workflows';
import { RestartableDevServer } from '../test/helpers/restartable-temporal';
import { testDataConverter, testPayloadKeys } from '../test/helpers/payload-keys';
import { CLIENT_1, createTestAccount, FUND, SandboxApi } from '../test/helpers/sandbox';

const ROOT = path.resolve(__dirname, '..');
const PLANS = Number(process.env.FAULT_RUN_PLANS ?? 50);
const TEMPORAL_DOWN_MS = 30_000;
const LOGS = path.join(ROOT, '.data', 'fault-run');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (msg: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${msg}`);

/** A worker or bridge child process, restarted if it exits (as the local stack does), with its output in a file. */
class Supervised {
  proc: ChildProcess | undefined;
  restarts = 0;
  private stopped = false;
  constructor(
    private readonly name: string,
    private readonly file: string,
    private readonly env: NodeJS.ProcessEnv
  ) {}
  start(): void {
    const out = createWriteStream(path.join(LOGS, `${this.name}.log`), { flags: 'a' });
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, this.file)], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout.pipe(out);
    proc.stderr.pipe(out);
    proc.once('exit', (code, signal) => {
      if (this.stopped || this.proc !== proc) return;
      this.restarts++;
      log(`${this.name} exited (${signal ?? code}); restarting`);
      setTimeout(() => this.start(), 1000);
    });
    this.proc = proc;
  }
  kill(): void {
    const proc = this.proc;
    this.proc = undefined; // not restarted by the exit handler: the run restarts it itself
    proc?.kill('SIGKILL');
  }
  async stop(): Promise<void> {
    this.stopped = true;
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000).then(() => proc.kill('SIGKILL'))]);
  }
}

async function main(): Promise<void> {
  mkdirSync(LOGS, { recursive: true });
  const server = await RestartableDevServer.create();
  await server.start();
  const sandbox = await startSandbox({ clockMode: 'manual', startMs: Date.now(), heartbeatIntervalMs: 1000 });
  const api = new SandboxApi(sandbox);
  const env = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'fault-run',
    FONDO_ENV: 'local',
    FONDO_BASE_URL: sandbox.url,
    EVENT_BRIDGE_CLIENT_IDS: CLIENT_1,
    LOG_LEVEL: 'info',
    // Payloads are encrypted as in production: the processes and this run's client share a run-only key.
    SAVINGS_PAYLOAD_KEYS: testPayloadKeys(),
  };
  const dataConverter = testDataConverter();
  /** A client on the server's current connection (a new one after the restart), with the encryption codec. */
  const temporal = () => new Client({ connection: server.client!.connection, dataConverter });
  const worker = new Supervised('worker', 'workers/worker.ts', env);
  const bridge = new Supervised('bridge', 'workers/event-bridge-process.ts', env);
  worker.start();
  bridge.start();
  const store = sandbox.engine.store;
  const period = periodOf(stockholmDate(new Date(sandbox.engine.clock.now()).toISOString()));
  const planIds = Array.from({ length: PLANS }, (_, i) => `fault-${String(i + 1).padStart(3, '0')}`);
  const accounts = new Map<string, string>();
  const payments = () => [...store.payments.values()].filter((p) => p.clientRef.startsWith('fault-'));
  const orders = () => [...store.orders.values()].filter((o) => o.clientRef?.startsWith('fault-'));
  const step = async () => void (await api.control('POST', '/clock/next'));
  const waitFor = async (what: string, check: () => boolean, stepClock: boolean, timeoutMs = 600_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`fault run: timed out waiting for ${what}`);
      if (stepClock) await step();
      await sleep(stepClock ? 1000 : 500);
    }
    log(what);
  };

  try {
    for (const [i, planId] of planIds.entries()) {
      const { accountId } = await createTestAccount(api, 7000 + i, {
        allocation: [
          { instrument: FUND.norrsken, allocation: '50' },
          { instrument: FUND.kustlinje, allocation: '50' },
        ],
      });
      accounts.set(planId, accountId);
      await temporal().workflow.start(savingsPlanWorkflow, {
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        workflowId: planWorkflowId(planId),
        args: [
          {
            planId,
            clientId: CLIENT_1,
            accountId,
            amount: '1000.00',
            dayOfMonth: 28,
            firstPeriod: period,
            startImmediately: true,
          },
        ],
      });
    }
    log(`${PLANS} plans started`);
    for (const [kind, probability] of [
      ['500', 0.05],
      ['503', 0.05],
      ['429', 0.05],
    ] as const) {
      await api.control('POST', '/faults', { route: '*', kind, probability, retryAfterSeconds: 1 });
    }
    log('faults on: 10 % 5xx, 5 % 429 on every Fondo route');

    await waitFor(`${PLANS} payments submitted`, () => payments().length >= PLANS, false);
    await waitFor('every payment completed', () => payments().every((p) => p.status === 'completed'), true);
    await waitFor(`${PLANS * 2} orders placed`, () => orders().length >= PLANS * 2, false);

    log('Temporal stops for 30 s');
    await server.stop();
    await step(); // the cut-off: orders → sent while Temporal is away
    await sleep(TEMPORAL_DOWN_MS);
    await server.start();
    log('Temporal is back');

    await waitFor(
      'every order confirmed',
      () => orders().every((o) => o.status !== 'received' && o.status !== 'sent'),
      true
    );
    log('bridge SIGKILL while the orders settle');
    bridge.kill();
    await waitFor('every order settled', () => orders().every((o) => o.status === 'settled'), true);
    const settledAt = Date.now();
    await sleep(5000);
    bridge.start();
    log('bridge restarted');

    // No operator action from here on: the cycles must finish by themselves.
    const completedAt = new Map<string, number>();
    const outcomes = new Map<string, string>();
    const deadline = Date.now() + 10 * 60_000;
    while (completedAt.size < PLANS && Date.now() < deadline) {
      for (const planId of planIds) {
        if (completedAt.has(planId)) continue;
        const handle = temporal().workflow.getHandle(cycleWorkflowId(planId, period));
        try {
          const description = await handle.describe();
          if (description.status.name !== 'RUNNING') {
            completedAt.set(planId, Date.now());
            outcomes.set(planId, ((await handle.result()) as { outcome: string }).outcome);
          }
        } catch {
          // Temporal busy or the cycle not visible yet: next round.
        }
      }
      if (completedAt.size < PLANS) await sleep(2000);
    }
    const faults = (await api.control('GET', '/faults')).body as { hits: number | string }[];
    await api.control('DELETE', '/faults');

    // Checks: every cycle invested; one payment per plan; no duplicate order; no öre lost (the deposit is exactly
    // the cash debited by the settled orders plus the cash left on the account).
    const problems: string[] = [];
    for (const planId of planIds) {
      if (outcomes.get(planId) !== 'invested') problems.push(`${planId}: outcome ${outcomes.get(planId) ?? 'none'}`);
      const planPayments = payments().filter((p) => p.clientRef.split(':')[0] === planId);
      if (planPayments.length !== 1) problems.push(`${planId}: ${planPayments.length} payments`);
      const planOrders = orders().filter((o) => o.clientRef!.split(':')[0] === planId);
      if (new Set(planOrders.map((o) => o.clientRef)).size !== planOrders.length)
        problems.push(`${planId}: duplicate order`);
      const account = store.accounts.get(accounts.get(planId)!)!;
      const invested = planOrders.reduce((sum, o) => sum.plus(o.settledAmount ?? o.amount ?? '0'), new Decimal(0));
      const held = new Decimal(String(account.balance));
      if (!invested.plus(held).equals('1000.00'))
        problems.push(`${planId}: invested ${invested.toFixed(2)} + cash ${held.toFixed(2)} ≠ 1000.00`);
    }
    problems.push(...sandbox.engine.checkInvariants());
    const lags = [...completedAt.values()].map((at) => Math.max(0, at - settledAt) / 1000).sort((a, b) => a - b);
    const figures = {
      plans: PLANS,
      cyclesCompleted: completedAt.size,
      invested: [...outcomes.values()].filter((o) => o === 'invested').length,
      payments: payments().length,
      orders: orders().length,
      injectedFaults: faults.reduce((sum, f) => sum + Number(f.hits), 0),
      temporalDownSeconds: TEMPORAL_DOWN_MS / 1000,
      bridgeKills: 1,
      processRestarts: { worker: worker.restarts, bridge: bridge.restarts },
      secondsFromLastSettlementToCycleDone: {
        median: lags[Math.floor(lags.length / 2)] ?? null,
        max: lags.at(-1) ?? null,
      },
      totalSeconds: Math.round((Date.now() - t0) / 1000),
      problems,
    };
    console.log(JSON.stringify(figures, null, 2));
    process.exitCode = problems.length === 0 && completedAt.size === PLANS ? 0 : 1;
  } finally {
    await Promise.all([worker.stop(), bridge.stop()]);
    await sandbox.close();
    await server.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
