/**
 * The event bridge process: subscribes to Fondo's event stream for each configured client and signals the
 * owning workflows (workers/event-bridge.ts). It waits for Temporal and Fondo (retrying with backoff) instead of
 * exiting, serves /livez and /readyz on HEALTH_PORT (workers/health.ts), and exits 1 naming any client id Fondo
 * does not know. SIGINT/SIGTERM close the subscriptions and the connection.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { FondoClient, loadFondoConfig } from '../fondo';
import { HealthConfigSchema, parseEnv, TemporalConfigSchema } from './config';
import { loadDataConverter } from './data-converter';
import { EventBridge } from './event-bridge';
import { connectWithRetry, Probe, Readiness, shutdownSignal, startHealthServer, StoppedWhileWaiting } from './health';
import { createLogger, exitWithFatal } from './logger';
import {
  createMetrics,
  MetricsConfigSchema,
  observeFondoEvents,
  registerBridgeStats,
  serveMetrics,
  startPlanScan,
} from './metrics';

const BridgeConfigSchema = TemporalConfigSchema.extend({
  /** Comma-separated Fondo client ids whose events are bridged. */
  EVENT_BRIDGE_CLIENT_IDS: z
    .string({ message: 'is required (comma-separated Fondo client ids)' })
    .transform((s) =>
      s
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean)
    )
    .pipe(z.array(z.string()).min(1, 'must name at least one client id')),
  /**
   * Order events of one workflow within this many ms go in one signal (workers/event-bridge.ts `orderBatch`);
   * 0 sends each event on its own. Default 1 000.
   */
  EVENT_BRIDGE_ORDER_BATCH_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of milliseconds (0 = no batching)')
    .transform(Number)
    .pipe(z.number().int().max(60_000, 'must be at most 60000'))
    .default(1000),
});

async function main(): Promise<void> {
  const config = parseEnv(BridgeConfigSchema);
  const healthConfig = parseEnv(HealthConfigSchema);
  const fondoConfig = loadFondoConfig();
  const logger = createLogger('event-bridge');
  const dataConverter = loadDataConverter(process.env, fondoConfig.env); // payload encryption (workers/codec.ts)
  const metricsConfig = parseEnv(MetricsConfigSchema); // workers/metrics.ts: METRICS_PORT, METRICS_PLAN_SCAN_*
  const metrics = createMetrics('event-bridge');
  metrics.bridgeSubscriptions.set(config.EVENT_BRIDGE_CLIENT_IDS.length);
  const metricsServer =
    metricsConfig.METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(metrics.registry, metricsConfig.METRICS_HOST, metricsConfig.METRICS_PORT);
  const stopping = shutdownSignal();

  // Ready = connected to Temporal (and signals going through), every subscription to Fondo live.
  const readiness = new Readiness(['temporal', 'subscriptions', 'signals']);
  const health = await startHealthServer(healthConfig, readiness, logger);
  let connection: Connection;
  try {
    connection = await connectWithRetry(
      'Temporal',
      () => Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5 seconds' }),
      { logger, signal: stopping }
    );
  } catch (err) {
    metricsServer?.close();
    await health?.close();
    throw err;
  }
  const temporalProbe = await new Probe('Temporal', () => connection.workflowService.getSystemInfo({}), logger).start();
  readiness.set('temporal', () => temporalProbe.ok);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const bridge = new EventBridge({
    fondo: observeFondoEvents(new FondoClient(fondoConfig), metrics),
    temporal,
    clientIds: config.EVENT_BRIDGE_CLIENT_IDS,
    logger,
    orderBatch: config.EVENT_BRIDGE_ORDER_BATCH_MS === 0 ? false : { windowMs: config.EVENT_BRIDGE_ORDER_BATCH_MS },
  });
  registerBridgeStats(metrics, bridge.stats);
  const stopScan = startPlanScan(
    { client: temporal, metrics, logger, limit: metricsConfig.METRICS_PLAN_SCAN_LIMIT },
    metricsConfig.METRICS_PLAN_SCAN_INTERVAL_MS
  );
  readiness.set('subscriptions', () => bridge.health().subscriptions);
  readiness.set('signals', () => bridge.health().signals);

  const shutDown = async (): Promise<void> => {
    temporalProbe.stop();
    stopScan();
    metricsServer?.close();
    await bridge.stop();
    await health?.close();
    await connection.close();
  };
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    void shutDown().then(() => {
      logger.info(bridge.stats, 'event bridge stopped');
      process.exit(0);
    });
  };
  if (stopping.aborted) return stop();
  stopping.addEventListener('abort', stop, { once: true });
  try {
    await bridge.start();
    logger.info({ clients: config.EVENT_BRIDGE_CLIENT_IDS.length }, 'event bridge started');
    await bridge.failed; // rejects if a subscription is refused for good; never resolves
  } catch (err) {
    if (stopped) return;
    stopped = true;
    await shutDown();
    throw err;
  }
}

main().catch((err: unknown) => {
  if (err instanceof StoppedWhileWaiting) process.exit(0);
  exitWithFatal('event-bridge', 'event bridge failed', err);
});
