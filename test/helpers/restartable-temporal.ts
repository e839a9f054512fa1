import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../../shared/search-attributes';
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
 * A real dev server that can be stopped and started again on the same port with the same SQLite file, so
 * workflows survive: the "Temporal restart" of the liveness tests.
 */
export class RestartableDevServer {
  env: TestWorkflowEnvironment | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'restartable-temporal-'));

  private constructor(readonly port: number) {}

  static async create(port?: number): Promise<RestartableDevServer> {
    return new RestartableDevServer(port ?? (await freePort()));
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server; one retry absorbs a slow start on a loaded machine (as createDevEnv does). */
  async start(): Promise<TestWorkflowEnvironment> {
    try {
      this.env = await this.startOnce();
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
      this.env = await this.startOnce();
    }
    return this.env;
  }

  private startOnce(): Promise<TestWorkflowEnvironment> {
    return TestWorkflowEnvironment.createLocal({
      server: {
        executable: serverExecutable('cli'),
        ip: '127.0.0.1',
        port: this.port,
        dbFilename: path.join(this.dir, 'temporal.sqlite'),
        searchAttributes: [...ALL_SEARCH_ATTRIBUTE_KEYS],
        extraArgs: ['--dynamic-config-value', 'history.longPollExpirationInterval="5s"'],
      },
    });
  }

  async stop(): Promise<void> {
    const env = this.env;
    this.env = undefined;
    await env?.teardown();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
