/**
 * The worker process: runs every workflow and activity of the savings scheduler on one task queue.
 * Configuration comes from the environment (workers/config.ts). It waits for Temporal (retrying with backoff)
 * instead of exiting, and serves /livez and /readyz on HEALTH_PORT (workers/health.ts). SIGINT/SIGTERM stop
 * polling, let in-flight activities finish within the grace time, then close the connection.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { FondoClient, loadFondoConfig } from '../fondo';
import {
  assumeUniqueClientRefs,
  HealthConfigSchema,
  loadWorkerSizing,
  parseEnv,
  SharedReadsConfigSchema,
  TemporalConfigSchema,
} from './config';
import { loadDataConverter } from './data-converter';
import { connectWithRetry, Probe, Readiness, shutdownSignal, startHealthServer, StoppedWhileWaiting } from './health';
import { createLogger, exitWithFatal, temporalLogger } from './logger';
import {
  activityMetricsInterceptor,
  createMetrics,
  MetricsConfigSchema,
  runtimeTelemetryOptions,
  serveMetrics,
} from './metrics';
import { cachedWorkflowBundle } from './workflow-bundle';

async function main(): Promise<void> {
  const config = parseEnv(TemporalConfigSchema);
  const healthConfig = parseEnv(HealthConfigSchema);
  const { FONDO_SHARED_READ_TTL_MS } = parseEnv(SharedReadsConfigSchema); // activities/shared-reads.ts
  const fondoConfig = loadFondoConfig();
  const sizing = loadWorkerSizing();
  const dataConverter = loadDataConverter(process.env, fondoConfig.env); // payload encryption (workers/codec.ts)
  const logger = createLogger('worker');
  const metricsConfig = parseEnv(MetricsConfigSchema); // workers/metrics.ts: METRICS_PORT, TEMPORAL_METRICS_PORT
  const metrics = createMetrics('worker');
  Runtime.install({
    logger: temporalLogger(logger),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: runtimeTelemetryOptions(metricsConfig),
  });
  const metricsServer =
    metricsConfig.METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(metrics.registry, metricsConfig.METRICS_HOST, metricsConfig.METRICS_PORT);
  const fondo = new FondoClient(fondoConfig);

  // Ready = connected to Temporal and Fondo, and the worker polling.
  const readiness = new Readiness(['temporal', 'fondo', 'worker']);
  const health = await startHealthServer(healthConfig, readiness, logger);
  const fondoProbe = await new Probe('Fondo', () => fondo.ping(), logger).start();
  readiness.set('fondo', () => fondoProbe.ok);
  const connection = await connectWithRetry(
    'Temporal',
    () => NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
    { logger, signal: shutdownSignal() }
  ).catch(async (err: unknown) => {
    fondoProbe.stop();
    metricsServer?.close();
    await health?.close();
    throw err;
  });
  const temporalProbe = await new Probe('Temporal', () => connection.workflowService.getSystemInfo({}), logger).start();
  readiness.set('temporal', () => temporalProbe.ok);
  try {
    // Bundled with the shared configuration (workers/workflow-bundle.ts), as the tests' bundle is; webpack runs
    // only when the workflow sources changed since the last start (the bundle is cached per source hash).
    const { code } = await cachedWorkflowBundle({ logger: Runtime.instance().logger });
    const workflowBundle = { code };
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowBundle,
      dataConverter,
      interceptors: { activity: [activityMetricsInterceptor(metrics)] },
      activities: createActivities({
        fondo,
        assumeUniqueClientRefs: assumeUniqueClientRefs(fondoConfig.env),
        sharedReadTtlMs: FONDO_SHARED_READ_TTL_MS,
      }),
      shutdownGraceTime: '10 seconds',
      // Bounded cache and slots (workers/config.ts, WORKER_*): memory has a ceiling whatever the number of plans.
      ...sizing,
    });
    readiness.set('worker', () => worker.getState() === 'RUNNING');
    logger.info(
      { taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, fondo: fondoConfig.baseUrl },
      'worker started'
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    temporalProbe.stop();
    fondoProbe.stop();
    await health?.close();
    metricsServer?.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof StoppedWhileWaiting) process.exit(0);
  exitWithFatal('worker', 'worker failed', err);
});
