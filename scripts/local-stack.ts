/**
 * `npm start`: the whole product on its embedded defaults, in the foreground, stopped cleanly by Ctrl-C.
 *   1. Temporal dev server (Web UI on http://localhost:8233, SQLite under .data/ so state survives restarts)
 *   2. Fondo sandbox (accelerated business clock, seeded; state saved under .data/)
 *   3. worker and event bridge (child processes, like production)
 *   4. demo plans (created once; their first period runs at once)
 * Each child's output is prefixed with its name. A child that dies is restarted with backoff (1 s doubling to 30 s,
 * reset after a minute of running), and the restart is logged; Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { SAVINGS_TASK_QUEUE } from '../shared/task-queues';
import { ensureLocalDevTokenFile } from '../workers/codec-server';
import { ensureLocalDevKeyFile, loadDataConverter } from '../workers/data-converter';
import { searchAttributeFlags } from '../workers/search-attributes';
import { createDemoPlans, DEMO_CLIENT_IDS, DEMO_PLANS } from './demo-plans';
import { LOCAL_STACK } from './local-stack-config';

const ROOT = path.resolve(__dirname, '..');
/** Business seconds per real second: an hour a second, so a cycle (debit, orders, settlement) takes minutes. */
const SANDBOX_SPEED = 3600;
const DATA = path.join(ROOT, '.data');
/** Health endpoints (/livez, /readyz) of the worker and the bridge in the local stack. */
const HEALTH_PORTS = { worker: 7801, bridge: 7802 } as const;

interface Child {
  name: string;
  /** The current process (replaced when the child is restarted). */
  proc: ChildProcess;
  /** A pending restart, cancelled when the stack stops. */
  restartTimer?: NodeJS.Timeout;
}
const children: Child[] = [];
let stopping = false;

/** Restart backoff: 1 s doubling to 30 s; a child that ran for a minute starts again from 1 s. */
const RESTART_INITIAL_MS = 1000;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_AFTER_MS = 60_000;

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const prefix = `[${name}]`.padEnd(10);
  const spawnChild = (): ChildProcess => {
    const proc = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [proc.stdout, proc.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) console.log(`${prefix} ${readable(line)}`);
      });
    }
    return proc;
  };
  const child: Child = { name, proc: spawnChild() };
  let restarts = 0;
  let startedAt = Date.now();
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (stopping) return;
    if (Date.now() - startedAt >= RESTART_RESET_AFTER_MS) restarts = 0;
    const delayMs = Math.min(RESTART_MAX_MS, RESTART_INITIAL_MS * 2 ** restarts);
    restarts++;
    console.error(
      `${prefix} exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${delayMs / 1000} s (restart ${restarts})`
    );
    child.restartTimer = setTimeout(() => {
      child.restartTimer = undefined;
      if (stopping) return;
      startedAt = Date.now();
      child.proc = spawnChild();
      child.proc.on('exit', onExit);
    }, delayMs);
  };
  child.proc.on('exit', onExit);
  children.push(child);
  return child;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'sdkComponent']);
/** pino JSON lines → `12:34:56 INFO message key=value …` (other lines unchanged). */
function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
    const fields = Object.entries(entry)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const msg = (typeof entry.msg === 'string' ? entry.msg : '').split('\n')[0];
    return `${time} ${LEVELS[entry.level as number] ?? ''} ${msg}${fields ? `  ${fields.slice(0, 300)}` : ''}`;
  } catch {
    return line;
  }
}

function tsNode(file: string): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', path.join(ROOT, file)]];
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
}

let stopped: Promise<never> | undefined;

/**
 * Stops every child in reverse start order (clients of Temporal first, Temporal last), each with SIGTERM and then
 * SIGKILL after 15 s, and exits. Idempotent: Ctrl-C reaches this process more than once (from the terminal and
 * relayed by npm/tsx), and every call waits for the same stop instead of exiting early and orphaning children.
 */
function stopAll(exitCode: number): Promise<never> {
  stopped ??= (async () => {
    stopping = true;
    console.log('\nStopping the local stack ...');
    for (const child of children) clearTimeout(child.restartTimer);
    for (const { name, proc } of [...children].reverse()) {
      if (proc.exitCode !== null || proc.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(15_000).then(() => true)]);
      if (timedOut) {
        console.log(`[${name}] did not stop within 15 s; killing it`);
        proc.kill('SIGKILL');
        await exited;
      }
    }
    process.exit(exitCode);
  })();
  return stopped;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  mkdirSync(DATA, { recursive: true });

  // Payload encryption: the operator's keys if set, else a generated local development key (.data/, mode 0600).
  const keys =
    process.env.SAVINGS_PAYLOAD_KEYS || process.env.SAVINGS_PAYLOAD_KEYS_FILE
      ? {}
      : { SAVINGS_PAYLOAD_KEYS_FILE: ensureLocalDevKeyFile() };
  // Codec server: the UI decrypts payloads through it. The UI cannot send a bearer token, so the local UI's endpoint
  // carries the token as a path segment (loopback only; workers/codec-server.ts).
  const codecToken =
    process.env.CODEC_SERVER_TOKEN ?? ensureLocalDevTokenFile(path.join(DATA, 'codec-server-token.local-dev'));
  const codecUrl = `http://127.0.0.1:${LOCAL_STACK.codecServerPort}`;

  const cli = process.env.TEMPORAL_CLI_PATH ?? path.join(ROOT, '.tools/bin/temporal');
  start('temporal', cli, [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(LOCAL_STACK.temporalPort),
    '--ui-port',
    String(LOCAL_STACK.uiPort),
    '--db-filename',
    path.join(DATA, 'temporal.sqlite'),
    '--log-level',
    'error',
    ...searchAttributeFlags(),
    '--ui-codec-endpoint',
    `${codecUrl}/${codecToken}`,
  ]);
  await waitForPort(LOCAL_STACK.temporalPort, 30_000);

  const [node, sandboxArgs] = tsNode('sandbox/main.ts');
  start('sandbox', node, [
    ...sandboxArgs,
    '--port',
    String(LOCAL_STACK.sandboxPort),
    '--speed',
    String(SANDBOX_SPEED),
    '--state-file',
    path.join(DATA, 'sandbox.json'),
  ]);
  await waitForPort(LOCAL_STACK.sandboxPort, 30_000);

  const env = {
    ...keys,
    TEMPORAL_ADDRESS: `127.0.0.1:${LOCAL_STACK.temporalPort}`,
    FONDO_ENV: 'local',
    FONDO_BASE_URL: LOCAL_STACK.fondoBaseUrl,
    EVENT_BRIDGE_CLIENT_IDS: DEMO_CLIENT_IDS.join(','),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  start('codec', ...tsNode('workers/codec-server.ts'), {
    ...keys,
    CODEC_SERVER_PORT: String(LOCAL_STACK.codecServerPort),
    CODEC_SERVER_TOKEN: codecToken,
    CODEC_SERVER_PATH_TOKEN: 'true',
    CODEC_SERVER_CORS_ORIGINS: `http://localhost:${LOCAL_STACK.uiPort},http://127.0.0.1:${LOCAL_STACK.uiPort}`,
  });
  start('worker', ...tsNode('workers/worker.ts'), {
    ...env,
    HEALTH_PORT: String(HEALTH_PORTS.worker),
    METRICS_PORT: String(LOCAL_STACK.workerMetricsPort),
    TEMPORAL_METRICS_PORT: String(LOCAL_STACK.workerSdkMetricsPort),
  });
  start('bridge', ...tsNode('workers/event-bridge-process.ts'), {
    ...env,
    HEALTH_PORT: String(HEALTH_PORTS.bridge),
    METRICS_PORT: String(LOCAL_STACK.bridgeMetricsPort),
    METRICS_PLAN_SCAN_INTERVAL_MS: '15000',
  });

  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const dataConverter = loadDataConverter({ ...process.env, ...env }, 'local');
  const started = await createDemoPlans(new Client({ connection, dataConverter }), SAVINGS_TASK_QUEUE);
  await connection.close();

  console.log(`
Local stack is up.
  Temporal UI      http://localhost:${LOCAL_STACK.uiPort}   (savings plans: WorkflowType = 'savingsPlanWorkflow')
  Codec server     ${codecUrl}   (payloads are encrypted; the UI decrypts through it. CLI: temporal workflow show -w <id>
                   --address 127.0.0.1:${LOCAL_STACK.temporalPort} --codec-endpoint ${codecUrl} --codec-auth "Bearer $(cat .data/codec-server-token.local-dev)")
  Metrics          worker http://127.0.0.1:${LOCAL_STACK.workerMetricsPort}/metrics (SDK runtime: :${LOCAL_STACK.workerSdkMetricsPort}/metrics), bridge http://127.0.0.1:${LOCAL_STACK.bridgeMetricsPort}/metrics
  Temporal gRPC    127.0.0.1:${LOCAL_STACK.temporalPort}
  Fondo sandbox    ${LOCAL_STACK.fondoBaseUrl}   (business clock ×${SANDBOX_SPEED}; control API: ${LOCAL_STACK.fondoBaseUrl}/_sandbox)
  Health           worker http://127.0.0.1:${HEALTH_PORTS.worker}/readyz   bridge http://127.0.0.1:${HEALTH_PORTS.bridge}/readyz   (/livez too)
  State            .data/ (Temporal SQLite and sandbox state survive restarts; delete .data/ to start afresh)
Demo plans${started.length ? ` (started now: ${started.join(', ')})` : ' (already running)'}:
${DEMO_PLANS.map((d) => `  ${d.plan.planId.padEnd(18)} ${d.shows}`).join('\n')}
Try:
  npm run savings -- list
  npm run savings -- status demo-barnspar
  npm run savings -- check
Press Ctrl-C to stop everything.
`);
}

main().catch((err: unknown) => {
  console.error(err);
  void stopAll(1);
});
