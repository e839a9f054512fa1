/**
 * The event bridge process: subscribes to Fondo's event stream for each configured client and signals the
 * owning workflows (workers/event-bridge.ts). SIGINT/SIGTERM close the subscriptions and the connection.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { FondoClient, loadFondoConfig } from '../fondo';
import { parseEnv, TemporalConfigSchema } from './config';
import { loadDataConverter } from './data-converter';
import { EventBridge } from './event-bridge';
import { createLogger } from './logger';
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
});

async function main(): Promise<void> {
  const config = parseEnv(BridgeConfigSchema);
  const logger = createLogger('event-bridge');
  const fondoConfig = loadFondoConfig();
  const dataConverter = loadDataConverter(process.env, fondoConfig.env); // payload encryption (workers/codec.ts)
  const metricsConfig = parseEnv(MetricsConfigSchema); // workers/metrics.ts: METRICS_PORT, METRICS_PLAN_SCAN_*
  const metrics = createMetrics('event-bridge');
  metrics.bridgeSubscriptions.set(config.EVENT_BRIDGE_CLIENT_IDS.length);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const bridge = new EventBridge({
    fondo: observeFondoEvents(new FondoClient(fondoConfig), metrics),
    temporal,
    clientIds: config.EVENT_BRIDGE_CLIENT_IDS,
    logger,
  });
  registerBridgeStats(metrics, bridge.stats);
  const stopScan = startPlanScan(
    { client: temporal, metrics, logger, limit: metricsConfig.METRICS_PLAN_SCAN_LIMIT },
    metricsConfig.METRICS_PLAN_SCAN_INTERVAL_MS
  );
  const metricsServer =
    metricsConfig.METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(metrics.registry, metricsConfig.METRICS_HOST, metricsConfig.METRICS_PORT);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    stopScan();
    metricsServer?.close();
    void bridge
      .stop()
      .then(() => connection.close())
      .then(() => {
        logger.info(bridge.stats, 'event bridge stopped');
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await bridge.start();
  logger.info({ clients: config.EVENT_BRIDGE_CLIENT_IDS.length }, 'event bridge started');
}

main().catch((err: unknown) => {
  createLogger('event-bridge').fatal({ err }, 'event bridge failed');
  process.exit(1);
});
