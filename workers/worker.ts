/**
 * The worker process: runs every workflow and activity of the savings scheduler on one task queue.
 * Configuration comes from the environment (workers/config.ts). SIGINT/SIGTERM stop polling, let
 * in-flight activities finish within the grace time, then close the connection.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { FondoClient, loadFondoConfig } from '../fondo';
import { assumeUniqueClientRefs, parseEnv, TemporalConfigSchema } from './config';
import { loadDataConverter } from './data-converter';
import { createLogger, temporalLogger } from './logger';
import {
  activityMetricsInterceptor,
  createMetrics,
  MetricsConfigSchema,
  runtimeTelemetryOptions,
  serveMetrics,
} from './metrics';
import { buildWorkflowBundle } from './workflow-bundle';

async function main(): Promise<void> {
  const config = parseEnv(TemporalConfigSchema);
  const fondoConfig = loadFondoConfig();
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

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    // Bundled with the shared configuration (workers/workflow-bundle.ts), as the tests' bundle is.
    const workflowBundle = await buildWorkflowBundle({ logger: Runtime.instance().logger });
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowBundle,
      dataConverter,
      interceptors: { activity: [activityMetricsInterceptor(metrics)] },
      activities: createActivities({
        fondo: new FondoClient(fondoConfig),
        assumeUniqueClientRefs: assumeUniqueClientRefs(fondoConfig.env),
      }),
      shutdownGraceTime: '10 seconds',
    });
    logger.info(
      { taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, fondo: fondoConfig.baseUrl },
      'worker started'
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    metricsServer?.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  createLogger('worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
