/**
 * Demo savings plans for the local stack, created once (an existing plan id is left alone). Their first period is
 * submitted at once, so within minutes of `npm start` the Temporal UI shows complete cycles — payment, orders,
 * settled — and a few blocked states worth looking at. Accounts come from the sandbox seed (sandbox/seed/default.json).
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { PlanExistsError, startPlan } from '../cli/start-plan';
import { periodOf, stockholmDate } from '../shared/calendar';
import { planWorkflowId } from '../shared/ids';
import { PlanInputSchema, type PlanInput } from '../shared/plan';
import { parseEnv, TemporalConfigSchema } from '../workers/config';
import { loadDataConverter } from '../workers/data-converter';

const CLIENT_1 = 'c0000000-0000-4000-8000-000000000001';
const CLIENT_2 = 'c0000000-0000-4000-8000-000000000002';
const account = (n: number): string => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const DEMO_CLIENT_IDS = [CLIENT_1, CLIENT_2];

/** What each demo plan shows (printed by the local stack). */
export const DEMO_PLANS: { plan: Omit<PlanInput, 'firstPeriod'>; shows: string }[] = [
  {
    plan: {
      planId: 'demo-barnspar',
      clientId: CLIENT_1,
      accountId: account(1),
      amount: '1500.00',
      dayOfMonth: 25,
      startImmediately: true,
    },
    shows: 'a first deposit split 40/35/25 over three funds and settled',
  },
  {
    plan: {
      planId: 'demo-rebalance',
      clientId: CLIENT_1,
      accountId: account(6),
      amount: '1000.00',
      dayOfMonth: 'last',
      startImmediately: true,
      rebalance: { enabled: true, band: { absolutePp: '5' }, cashFlow: true },
    },
    shows: 'cash-flow investing into an overweight portfolio, then a drift rebalance (sells, then buys)',
  },
  {
    plan: {
      planId: 'demo-kyc',
      clientId: CLIENT_1,
      accountId: account(3),
      amount: '800.00',
      dayOfMonth: 10,
      startImmediately: true,
    },
    shows: 'KYC blocking orders: the deposit waits as cash (PlanState blocked-kyc)',
  },
  {
    plan: {
      planId: 'demo-closed-fund',
      clientId: CLIENT_1,
      accountId: account(7),
      amount: '2000.00',
      dayOfMonth: 15,
      startImmediately: true,
    },
    shows: 'one fund not tradable: three funds bought, one leg held and re-checked daily (blocked-instrument)',
  },
  {
    plan: {
      planId: 'demo-no-mandate',
      clientId: CLIENT_1,
      accountId: account(5),
      amount: '500.00',
      dayOfMonth: 5,
      startImmediately: true,
    },
    shows:
      'no autogiro mandate: Bankgirot rejects with code 2 (not retried) → needs-attention; failures have no Fondo event, ' +
      'so the plan polls from the debit date on real time: `npm run savings -- retry demo-no-mandate` polls now',
  },
  {
    plan: {
      planId: 'demo-skargard',
      clientId: CLIENT_2,
      accountId: account(8),
      amount: '1200.00',
      dayOfMonth: 28,
      startImmediately: true,
    },
    shows: "a second partner client's plan",
  },
];

/**
 * Starts the demo plans that do not exist yet, each through the same preflight check as `savings create`
 * (cli/start-plan.ts); returns the ids started. `taskQueue` is the worker's (TEMPORAL_TASK_QUEUE).
 */
export async function createDemoPlans(
  client: Client,
  taskQueue: string,
  nowIso = new Date().toISOString()
): Promise<string[]> {
  const started: string[] = [];
  for (const { plan } of DEMO_PLANS) {
    const input = PlanInputSchema.parse({ ...plan, firstPeriod: periodOf(stockholmDate(nowIso)) });
    if (await planExists(client, input.planId)) continue; // created on an earlier start: left alone, not re-checked
    try {
      await startPlan(client, {
        taskQueue,
        plan: input,
        summary: `demo savings plan ${input.planId}: ${input.amount} SEK monthly`,
      });
      started.push(input.planId);
    } catch (err) {
      if (!(err instanceof PlanExistsError)) throw err;
    }
  }
  return started;
}

async function planExists(client: Client, planId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(planWorkflowId(planId)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

if (require.main === module) {
  void (async () => {
    const config = parseEnv(TemporalConfigSchema);
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    try {
      const started = await createDemoPlans(
        new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: loadDataConverter() }),
        config.TEMPORAL_TASK_QUEUE
      );
      console.log(started.length ? `started demo plans: ${started.join(', ')}` : 'demo plans already exist');
    } finally {
      await connection.close();
    }
  })().catch((err: unknown) => {
    console.error(`demo plans: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
