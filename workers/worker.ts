/**
 * The worker process: runs every workflow and activity of the savings scheduler on one task queue.
 * Configuration comes from the environment (workers/config.ts). SIGINT/SIGTERM stop polling, let
 * in-flight activities finish within the grace time, then close the connection.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { FondoClient, loadFondoConfig } from '../fondo';
import { assumeUniqueClientRefs, loadWorkerSizing, parseEnv, TemporalConfigSchema } from './config';
import { createLogger, temporalLogger } from './logger';
import { cachedWorkflowBundle } from './workflow-bundle';

async function main(): Promise<void> {
  const config = parseEnv(TemporalConfigSchema);
  const fondoConfig = loadFondoConfig();
  const sizing = loadWorkerSizing();
  const logger = createLogger('worker');
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
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
      activities: createActivities({
        fondo: new FondoClient(fondoConfig),
        assumeUniqueClientRefs: assumeUniqueClientRefs(fondoConfig.env),
      }),
      shutdownGraceTime: '10 seconds',
      // Bounded cache and slots (workers/config.ts, WORKER_*): memory has a ceiling whatever the number of plans.
      ...sizing,
    });
    logger.info(
      { taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, fondo: fondoConfig.baseUrl },
      'worker started'
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  createLogger('worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
