import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../../workers/search-attributes';
import { serverExecutable } from './temporal';

/** A free loopback port (the OS picks; closed again at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real dev server (the provisioned Temporal CLI, as a child process) that can be stopped and started again on
 * the same port with the same SQLite file, so workflows survive: the "Temporal restart" of the liveness tests.
 * `start()` waits (up to 90 s, for a loaded machine) until the server answers gRPC.
 */
export class RestartableDevServer {
  client: Client | undefined;
  private connection: Connection | undefined;
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'restartable-temporal-'));

  private constructor(readonly port: number) {}

  static async create(port?: number): Promise<RestartableDevServer> {
    return new RestartableDevServer(port ?? (await freePort()));
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<Client> {
    const executable = serverExecutable('cli');
    if (executable.type !== 'existing-path') {
      throw new Error('Temporal CLI not provisioned: run npm run provision, or set TEMPORAL_CLI_PATH');
    }
    const proc = spawn(
      executable.path,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--db-filename',
        path.join(this.dir, 'temporal.sqlite'),
        '--log-level',
        'error',
        '--dynamic-config-value',
        'history.longPollExpirationInterval="5s"',
        ...searchAttributeFlags(),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    this.proc = proc;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`dev server exited (${proc.exitCode}): ${stderr}`);
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({ address: this.address, connectTimeout: '5 seconds' });
        const client = new Client({ connection });
        await connection.workflowService.getSystemInfo({});
        await client.workflowService.describeNamespace({ namespace: 'default' });
        this.connection = connection;
        this.client = client;
        return client;
      } catch (err) {
        await connection?.close();
        if (Date.now() > deadline) {
          await this.stop();
          throw err;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async stop(): Promise<void> {
    const { proc, connection } = this;
    this.proc = undefined;
    this.connection = undefined;
    this.client = undefined;
    await connection?.close();
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
