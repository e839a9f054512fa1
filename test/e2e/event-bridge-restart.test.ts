import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../activities';
import { clearTokenCache, FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { periodOf, stockholmDate } from '../../shared/calendar';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { EventBridge } from '../../workers/event-bridge';
import { savingsPlanWorkflow } from '../../workflows';
import { RestartableDevServer } from '../helpers/restartable-temporal';
import { CLIENT_1, createTestAccount, FUND, startTestSandbox, type SandboxApi } from '../helpers/sandbox';
import { testPlan } from '../helpers/savings-env';
import { uniqueTaskQueue, workflowBundle } from '../helpers/temporal';

// Issue 16, reproduction 1, on a real dev server: Temporal is stopped while the orders settle, so every
// `order.update settled` signal fails; Temporal comes back 25 s later (longer than the client's own gRPC
// retries). The bridge keeps the events and retries them, so the cycle completes without an operator's retry
// (its own poll would be 12 hours away).
describe('event bridge across a Temporal restart (dev server)', () => {
  let server: RestartableDevServer;
  let sandbox: Sandbox;
  let api: SandboxApi;
  let fondo: FondoClient;
  let bridgeConnection: Connection;
  let bridge: EventBridge;
  const taskQueue = uniqueTaskQueue('bridge-restart');

  beforeAll(async () => {
    server = await RestartableDevServer.create();
    await server.start();
    ({ sandbox, api } = await startTestSandbox({ startMs: Date.now(), heartbeatIntervalMs: 500 }));
    clearTokenCache();
    fondo = new FondoClient({
      baseUrl: sandbox.url,
      clientId: 'sandbox-partner',
      clientSecret: 'sandbox-secret',
      timeoutMs: 10_000,
    });
    // The bridge has its own connection, as the bridge process does; it outlives the server's restart.
    bridgeConnection = await Connection.connect({ address: server.address });
    bridge = new EventBridge({
      fondo,
      temporal: new Client({ connection: bridgeConnection }),
      clientIds: [CLIENT_1],
      logger: pino({ level: 'silent' }),
      startLookbackMs: 0,
      heartbeatTimeoutMs: 5000,
      retry: { initialDelayMs: 500, maxDelayMs: 3000 },
    });
    await bridge.start();
  }, 120_000);
  afterAll(async () => {
    await bridge?.stop();
    await bridgeConnection?.close();
    await sandbox?.close();
    await server?.dispose();
  }, 60_000);

  const newWorker = async (): Promise<{ worker: Worker; running: Promise<void>; connection: NativeConnection }> => {
    const connection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ fondo, assumeUniqueClientRefs: true }),
    });
    return { worker, running: worker.run(), connection };
  };
  const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('events that arrive while Temporal is down are delivered once it is back; the cycle completes on its own', async () => {
    const { accountId } = await createTestAccount(api, 4900, {
      allocation: [
        { instrument: FUND.norrsken, allocation: '50' },
        { instrument: FUND.kustlinje, allocation: '50' },
      ],
    });
    const planId = 'bridge-restart';
    const period = periodOf(stockholmDate(new Date().toISOString()));
    let w = await newWorker();
    await server.client!.workflow.start(savingsPlanWorkflow, {
      taskQueue,
      workflowId: planWorkflowId(planId),
      args: [testPlan({ planId, accountId, firstPeriod: period, startImmediately: true, dayOfMonth: 28 })],
    });
    const payments = () =>
      [...sandbox.engine.store.payments.values()].filter((p) => p.clientRef.startsWith(`${planId}:`));
    const orders = () => [...sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith(`${planId}:`));
    await until(() => payments().length === 1, 'the payment');
    await until(
      async () => payments()[0]!.status === 'completed' || (await api.control('POST', '/clock/next'), false),
      'the deposit'
    );
    await until(() => orders().length === 2, 'two subscription orders');
    // Up to order confirmation (short of settlement), with every event so far delivered.
    await until(
      async () =>
        orders().every((o) => o.status === 'confirmed' || o.status === 'settled') ||
        (await api.control('POST', '/clock/next'), false),
      'confirmed orders'
    );
    expect(orders().some((o) => o.status === 'confirmed')).toBe(true);
    await until(() => bridge.pending === 0, 'the bridge to catch up');

    // Temporal goes away; Fondo settles the orders; the bridge cannot signal.
    w.worker.shutdown();
    await w.running;
    await w.connection.close();
    await server.stop();
    const failuresBefore = bridge.stats.signalFailures;
    await until(
      async () => orders().every((o) => o.status === 'settled') || (await api.control('POST', '/clock/next'), false),
      'settled orders'
    );
    await until(() => bridge.stats.signalFailures > failuresBefore, 'failing signals');
    expect(bridge.pending).toBeGreaterThanOrEqual(2);
    expect(bridge.health().signals).toBe(false);
    await new Promise((r) => setTimeout(r, 25_000));

    // Temporal is back: the queued events arrive, and the cycle finishes without an operator's retry.
    await server.start();
    w = await newWorker();
    try {
      await until(() => bridge.pending === 0, 'the queued signals to be delivered', 90_000);
      expect(bridge.health().signals).toBe(true);
      const summary = await server
        .client!.workflow.getHandle<(i: unknown) => Promise<{ outcome: string }>>(cycleWorkflowId(planId, period))
        .result();
      expect(summary.outcome).toBe('invested');
      // Exactly once at Fondo: one payment, two orders.
      expect(payments()).toHaveLength(1);
      expect(orders()).toHaveLength(2);
      await server.client!.workflow.getHandle(planWorkflowId(planId)).terminate('test done');
    } finally {
      w.worker.shutdown();
      await w.running;
      await w.connection.close();
    }
  }, 240_000);
});
