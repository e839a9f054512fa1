import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Sandbox } from '../../sandbox/server';
import { testPayloadKeys } from '../helpers/payload-keys';
import { freePort, RestartableDevServer } from '../helpers/restartable-temporal';
import { CLIENT_1, CLIENT_2, startTestSandbox } from '../helpers/sandbox';

const ROOT = path.resolve(__dirname, '../..');
const UNKNOWN_CLIENT = 'c0000000-0000-4000-8000-00000000dead';

/** A worker or bridge process, its output kept (JSON lines parsed where they are JSON). */
interface Proc {
  child: ChildProcess;
  output: () => string;
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startProcess(file: 'workers/worker.ts' | 'workers/event-bridge-process.ts', env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env: { ...process.env, SAVINGS_PAYLOAD_KEYS: testPayloadKeys(), FONDO_ENV: 'local', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, output: () => output, lines, exited };
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function healthPort(proc: Proc): Promise<number> {
  const line = await until(
    () => proc.lines().find((l) => String(l.msg).startsWith('health endpoints listening')),
    'the health server',
    30_000
  );
  return line.port as number;
}

async function get(port: number, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

// Issue 12 item 5 and issue 16 item 5 / issue 15 item 4: the real processes fail loudly on bad configuration and
// wait (not-ready, logging each attempt) for a Temporal that is not there yet.
describe('worker and event bridge processes', () => {
  let sandbox: Sandbox;
  const procs: Proc[] = [];
  beforeAll(async () => ({ sandbox } = await startTestSandbox({ startMs: Date.now() })));
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
  });
  afterAll(() => sandbox?.close());

  it.each([
    ['workers/worker.ts', 'LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['workers/event-bridge-process.ts', 'LOG_LEVEL', { LOG_LEVEL: 'loud', EVENT_BRIDGE_CLIENT_IDS: CLIENT_1 }],
    ['workers/worker.ts', 'HEALTH_PORT', { HEALTH_PORT: 'eighty' }],
    ['workers/event-bridge-process.ts', 'EVENT_BRIDGE_CLIENT_IDS', { EVENT_BRIDGE_CLIENT_IDS: ' , ' }],
    ['workers/worker.ts', 'FONDO_TIMEOUT_MS', { FONDO_TIMEOUT_MS: 'soon' }],
  ] as const)(
    '%s exits 1 with a message naming %s (no stack trace, no secret)',
    async (file, variable, env) => {
      const proc = startProcess(file, {
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        FONDO_CLIENT_SECRET: 'hunter2-secret',
        ...env,
      });
      procs.push(proc);
      expect(await proc.exited).toBe(1);
      const fatal = proc.lines().find((l) => l.level === 60);
      expect(fatal?.msg).toEqual(expect.stringContaining(variable));
      expect(fatal?.err).toMatchObject({ type: expect.stringMatching(/ConfigError/), message: expect.any(String) });
      expect(proc.output()).not.toMatch(/\n\s+at /); // no stack trace
      expect(proc.output()).not.toContain('hunter2-secret');
      expect(proc.output()).not.toContain('[object Object]');
    },
    60_000
  );

  it('the bridge exits 1 naming the client id Fondo does not know, even when the other ids are fine', async () => {
    const server = await RestartableDevServer.create();
    await server.start();
    try {
      const proc = startProcess('workers/event-bridge-process.ts', {
        TEMPORAL_ADDRESS: server.address,
        FONDO_BASE_URL: sandbox.url,
        EVENT_BRIDGE_CLIENT_IDS: `${CLIENT_1},${UNKNOWN_CLIENT},${CLIENT_2}`,
      });
      procs.push(proc);
      expect(await proc.exited).toBe(1);
      const fatal = proc.lines().find((l) => l.level === 60);
      expect(fatal?.msg).toContain('EVENT_BRIDGE_CLIENT_IDS');
      expect(fatal?.msg).toContain(UNKNOWN_CLIENT);
      expect(fatal?.msg).not.toContain(CLIENT_2);
      expect(fatal?.err).toMatchObject({ type: 'UnknownClientIdsError' });
    } finally {
      await server.dispose();
    }
  }, 90_000);

  it('worker and bridge started while Temporal is down: alive, not ready, one log line per attempt; ready once it is up', async () => {
    const server = await RestartableDevServer.create(await freePort());
    try {
      const env = {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: `startup-${Date.now()}`,
        FONDO_BASE_URL: sandbox.url,
        HEALTH_PORT: '0',
      };
      const worker = startProcess('workers/worker.ts', env);
      const bridge = startProcess('workers/event-bridge-process.ts', { ...env, EVENT_BRIDGE_CLIENT_IDS: CLIENT_1 });
      procs.push(worker, bridge);
      const ports = { worker: await healthPort(worker), bridge: await healthPort(bridge) };

      for (const [name, proc] of [
        ['worker', worker],
        ['bridge', bridge],
      ] as const) {
        const retries = await until(() => {
          const found = proc.lines().filter((l) => l.msg === 'Temporal not reachable; retrying');
          return found.length >= 2 ? found : undefined;
        }, `${name}: two connection attempts`);
        expect(retries.map((l) => l.attempt).slice(0, 2)).toEqual([1, 2]);
        expect(retries[0]).toMatchObject({ dependency: 'Temporal', retryInMs: expect.any(Number) });
        expect(retries[0]!.err).toMatchObject({ type: expect.any(String), message: expect.any(String) });
        expect(await get(ports[name], '/livez')).toEqual({ status: 200, body: { status: 'ok' } });
        const ready = await get(ports[name], '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ status: 'not-ready', checks: { temporal: false } });
        expect(proc.child.exitCode).toBeNull();
      }

      await server.start();
      for (const name of ['worker', 'bridge'] as const) {
        const ready = await until(
          async () => {
            const r = await get(ports[name], '/readyz');
            return r.status === 200 ? r : undefined;
          },
          `${name} ready`,
          180_000
        );
        expect(ready.body.status).toBe('ready');
        expect(Object.values(ready.body.checks as Record<string, boolean>).every(Boolean)).toBe(true);
      }
      expect(worker.lines().some((l) => l.msg === 'worker started')).toBe(true);
      expect(bridge.lines().some((l) => l.msg === 'event bridge started')).toBe(true);

      // Graceful shutdown is kept: SIGTERM → exit 0.
      worker.child.kill('SIGTERM');
      bridge.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(await bridge.exited).toBe(0);
    } finally {
      await server.dispose();
    }
  }, 300_000);
});
