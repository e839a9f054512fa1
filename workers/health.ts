/**
 * Process start-up and health, shared by the worker and the event bridge:
 * - {@link connectWithRetry}: waits for a dependency (Temporal, Fondo) with backoff and one log line per attempt,
 *   instead of exiting when it is not there yet;
 * - {@link Probe}: a periodic check of a dependency (its last answer is the readiness of that dependency);
 * - {@link startHealthServer}: `GET /livez` (the process is up: 200) and `GET /readyz` (200 when every readiness
 *   check passes, else 503; the body names each check) on `HEALTH_PORT` (workers/config.ts).
 * Bodies hold check names and booleans only: no ids, no error messages.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { backoffDelay } from '../fondo/events';
import type { HealthConfig } from './config';

/** A readiness check: true when the dependency it stands for is usable now. */
export type ReadinessCheck = () => boolean;

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** The readiness checks of a process; checks are added as the process gets to them (missing = not ready). */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(expected: readonly string[]) {
    for (const name of expected) this.checks.set(name, () => false);
  }

  set(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  report(): { ready: boolean; checks: Record<string, boolean> } {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = check();
      } catch {
        checks[name] = false;
      }
    }
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}

/**
 * Serves `/livez` and `/readyz`. Resolves undefined when `HEALTH_PORT` is unset (no server); with port 0 the OS
 * picks one, which is logged (`health endpoints listening`, `port`).
 */
export async function startHealthServer(
  config: HealthConfig,
  readiness: Readiness,
  logger: Logger
): Promise<HealthServer | undefined> {
  if (config.HEALTH_PORT === undefined) return undefined;
  const server: Server = createServer((req, res) => {
    // One request per connection: supervisors and probes poll rarely, and a reused idle socket would race the
    // server's keep-alive timeout (ECONNRESET).
    res.setHeader('connection', 'close');
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (path === '/readyz') {
      const { ready, checks } = readiness.report();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'not-ready', checks }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.HEALTH_PORT, config.HEALTH_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ host: config.HEALTH_HOST, port }, 'health endpoints listening (/livez, /readyz)');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Thrown by {@link connectWithRetry} when the process is asked to stop while it waits. */
export class StoppedWhileWaiting extends Error {
  override name = 'StoppedWhileWaiting' as const;
}

/**
 * Calls `connect` until it succeeds, with exponential backoff (`initialDelayMs` doubling to `maxDelayMs`, with
 * jitter) and one warning per failed attempt naming the dependency, the attempt, the delay and the error's
 * type and message.
 *
 * @throws StoppedWhileWaiting when `signal` aborts first.
 */
export async function connectWithRetry<T>(
  dependency: string,
  connect: () => Promise<T>,
  options: { logger: Logger; signal?: AbortSignal; initialDelayMs?: number; maxDelayMs?: number }
): Promise<T> {
  const { logger, signal } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new StoppedWhileWaiting(`stopped while waiting for ${dependency}`);
    try {
      const connected = await connect();
      if (attempt > 1) logger.info({ dependency, attempts: attempt }, `${dependency} reachable; connected`);
      return connected;
    } catch (err) {
      if (signal?.aborted) throw new StoppedWhileWaiting(`stopped while waiting for ${dependency}`);
      const retryInMs = Math.round(
        backoffDelay(attempt - 1, options.initialDelayMs ?? 500, options.maxDelayMs ?? 15_000)
      );
      logger.warn({ dependency, attempt, retryInMs, err }, `${dependency} not reachable; retrying`);
      await sleep(retryInMs, signal);
    }
  }
}

/**
 * A dependency checked every `intervalMs` (each check given `timeoutMs`); `ok` is the last answer. A change is
 * logged once (not every check), so a flapping dependency does not flood the log.
 */
export class Probe {
  ok = false;
  private checked = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dependency: string,
    private readonly check: () => Promise<unknown>,
    private readonly logger: Logger,
    private readonly intervalMs = 5000,
    private readonly timeoutMs = 5000
  ) {}

  /** Runs the first check now (awaited) and then every interval. */
  async start(): Promise<this> {
    await this.run();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    let ok: boolean;
    let failure: unknown;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.check(),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      ok = true;
    } catch (err) {
      ok = false;
      failure = err;
    } finally {
      clearTimeout(timeout);
    }
    if (!this.checked || ok !== this.ok) {
      if (ok) this.logger.info({ dependency: this.dependency }, `${this.dependency} reachable`);
      else this.logger.warn({ dependency: this.dependency, err: failure }, `${this.dependency} not reachable`);
    }
    this.ok = ok;
    this.checked = true;
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.run(), this.intervalMs);
      this.timer.unref();
    }
  }
}

/** An AbortSignal that aborts on SIGINT or SIGTERM (to stop waiting for a dependency). */
export function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return controller.signal;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
