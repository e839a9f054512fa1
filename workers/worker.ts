/**
 * The worker process: runs every workflow and activity of the savings scheduler on one task queue.
 * Configuration comes from the environment (workers/config.ts). SIGINT/SIGTERM stop polling, let
 * in-flight activities finish within the grace time, then close the connection.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { parseEnv, WorkerConfigSchema } from './config';
import { createLogger, temporalLogger } from './logger';

async function main(): Promise<void> {
  const config = parseEnv(WorkerConfigSchema);
  const logger = createLogger('worker');
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowsPath: require.resolve('../workflows'),
      activities: createActivities({ fondoBaseUrl: config.FONDO_BASE_URL }),
      shutdownGraceTime: '10 seconds',
    });
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker started');
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
