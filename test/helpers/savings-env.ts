import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../activities';
import { clearTokenCache, FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { addPeriods, periodOf } from '../../shared/calendar';
import type { PlanInput } from '../../shared/plan';
import { EventBridge } from '../../workers/event-bridge';
import { testDataConverter } from './payload-keys';
import { CLIENT_1, type SandboxApi, startTestSandbox } from './sandbox';
import { createDevEnv, createTimeSkippingEnv, type EnvOptions, uniqueTaskQueue, workflowBundle } from './temporal';

/**
 * A Temporal environment, the Fondo sandbox and a worker wired together for workflow tests.
 * Time-skipping: the sandbox's business clock follows the test server's clock (it reads it before every request
 * and on a short interval), so payments and orders progress as Temporal skips time.
 */
export interface SavingsEnv {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  api: SandboxApi;
  fondo: FondoClient;
  taskQueue: string;
  /** A new worker on the task queue (a Worker runs once; tests restart workers to simulate crashes). */
  newWorker(options?: Partial<WorkerOptions>): Promise<Worker>;
  /** Runs a fresh worker while `fn` runs. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Skips (or waits, on the dev server) until an ISO instant. */
  sleepUntil(iso: string): Promise<void>;
  /**
   * A period `monthsAhead` months after the server's current month. The time-skipping server may skip far ahead
   * between tests (it keeps skipping until the client re-locks after a result), so tests never assume dates.
   */
  upcomingPeriod(monthsAhead?: number): Promise<string>;
  bridge?: EventBridge;
  /** Time-skipping: the sandbox's business clock follows Temporal's again (after a test drove it by hand). */
  followTemporalClock(): void;
  /** Stops the bridge, the sandbox and the environment once no call of theirs is in flight. */
  teardown(): Promise<void>;
}

export async function createSavingsEnv(options: {
  kind?: 'time-skipping' | 'dev';
  bridge?: boolean;
  name: string;
  /** Payload encryption (default on); off only to record plain replay histories. */
  encryption?: boolean;
  /** Dev server only: its Web UI (test/helpers/temporal.ts). */
  ui?: EnvOptions['ui'];
}): Promise<SavingsEnv> {
  // Every savings test runs with payload encryption, as production does (test/helpers/payload-keys.ts).
  const dataConverter = options.encryption === false ? undefined : testDataConverter();
  const env =
    options.kind === 'dev'
      ? await createDevEnv({ dataConverter, ui: options.ui })
      : await createTimeSkippingEnv({ dataConverter });
  const start = await env.currentTimeMs();
  const { sandbox, api } = await startTestSandbox({ startMs: start, heartbeatIntervalMs: 500 });
  // Time-skipping: the sandbox reads Temporal's clock before each request and on a short interval. Those reads are
  // gRPC calls nobody awaits, so teardown stops following and waits for the ones in flight before it closes the
  // connection: a read cut off by the close was retried by the client after the channel had been shut down, an
  // uncaught "Channel has been shut down" after the file's tests had passed (the CI flake of issue 16).
  const clockReads = new Set<Promise<number>>();
  const temporalTime = (): Promise<number> => {
    const read = env.currentTimeMs();
    clockReads.add(read);
    read.then(
      () => clockReads.delete(read),
      () => clockReads.delete(read)
    );
    return read;
  };
  const followTemporalClock = () => {
    if (options.kind !== 'dev') sandbox.engine.clock.follow(temporalTime);
  };
  followTemporalClock();
  clearTokenCache();
  const fondo = new FondoClient({
    baseUrl: sandbox.url,
    clientId: 'sandbox-partner',
    clientSecret: 'sandbox-secret',
    timeoutMs: 10_000,
  });
  const taskQueue = uniqueTaskQueue(options.name);
  const bundle = await workflowBundle();
  const newWorker = (extra: Partial<WorkerOptions> = {}) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter,
      activities: createActivities({ fondo, assumeUniqueClientRefs: true }),
      ...extra,
    });
  let bridge: EventBridge | undefined;
  if (options.bridge) {
    bridge = new EventBridge({
      fondo,
      temporal: env.client,
      clientIds: [CLIENT_1],
      logger: pino({ level: 'silent' }),
      startLookbackMs: 0,
      heartbeatTimeoutMs: 5000,
    });
    await bridge.start();
  }
  return {
    env,
    sandbox,
    api,
    fondo,
    taskQueue,
    newWorker,
    bridge,
    run: async (fn) => (await newWorker()).runUntil(fn),
    sleepUntil: async (iso) => {
      const delta = Date.parse(iso) - (await env.currentTimeMs());
      if (delta > 0) await env.sleep(delta);
    },
    upcomingPeriod: async (monthsAhead = 1) =>
      addPeriods(periodOf(new Date(await env.currentTimeMs()).toISOString().slice(0, 10)), monthsAhead),
    followTemporalClock,
    teardown: async () => {
      await bridge?.stop();
      sandbox.engine.clock.setMode('manual'); // no new reads of Temporal's clock from here on
      await sandbox.close();
      await Promise.allSettled([...clockReads]);
      await env.teardown();
    },
  };
}

/** A plan input for tests (defaults: 1000 SEK on the 25th, the account's Fondo allocation). */
export function testPlan(
  overrides: Partial<PlanInput> & Pick<PlanInput, 'planId' | 'accountId' | 'firstPeriod'>
): PlanInput {
  return { clientId: CLIENT_1, amount: '1000.00', dayOfMonth: 25, ...overrides };
}
