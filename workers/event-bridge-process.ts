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
import { EventBridge } from './event-bridge';
import { connectWithRetry, Probe, Readiness, shutdownSignal, startHealthServer, StoppedWhileWaiting } from './health';
import { createLogger, exitWithFatal } from './logger';

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
  const healthConfig = parseEnv(HealthConfigSchema);
  const fondoConfig = loadFondoConfig();
  const logger = createLogger('event-bridge');
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
    await health?.close();
    throw err;
  }
  const temporalProbe = await new Probe('Temporal', () => connection.workflowService.getSystemInfo({}), logger).start();
  readiness.set('temporal', () => temporalProbe.ok);
  const bridge = new EventBridge({
    fondo: new FondoClient(fondoConfig),
    temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
    clientIds: config.EVENT_BRIDGE_CLIENT_IDS,
    logger,
  });
  readiness.set('subscriptions', () => bridge.health().subscriptions);
  readiness.set('signals', () => bridge.health().signals);

  const shutDown = async (): Promise<void> => {
    temporalProbe.stop();
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
