/**
 * The engine floor's worker process (bench/scale.bench.ts): the same worker sizing configuration as the real worker
 * (workers/config.ts) and payload encryption, its own bundle of bench/floor/workflows.ts and an activity that does nothing.
 *   TEMPORAL_ADDRESS=… TEMPORAL_TASK_QUEUE=… node --import tsx bench/floor/worker.ts
 */
import { NativeConnection, Runtime, DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { loadWorkerSizing, parseEnv, TemporalConfigSchema } from '../../workers/config';
import { createDataConverter, loadPayloadKeyring } from '../../workers/data-converter';

async function main(): Promise<void> {
  const config = parseEnv(TemporalConfigSchema);
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: silent });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle,
    // The same payload encryption as the real worker (SAVINGS_PAYLOAD_KEYS from the benchmark).
    dataConverter: createDataConverter(loadPayloadKeyring(process.env)),
    activities: { noop: (step: number) => Promise.resolve(step) },
    shutdownGraceTime: '10 seconds',
    ...loadWorkerSizing(),
  });
  console.log('floor worker started');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
