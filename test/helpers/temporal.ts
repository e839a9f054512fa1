import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type WorkflowBundle } from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../../shared/search-attributes';
import { ensureSearchAttributes } from '../../workers/search-attributes';
import { buildWorkflowBundle } from '../../workers/workflow-bundle';

const ROOT = path.resolve(__dirname, '../..');
type Executable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

/**
 * Where a server binary comes from: the project's own env var, then what scripts/provision-temporal.sh
 * built under .tools/bin, then (machines with internet but no Go/Java) the SDK's own download.
 */
export function serverExecutable(kind: 'cli' | 'test-server'): Executable {
  const fromEnv = kind === 'cli' ? process.env.TEMPORAL_CLI_PATH : process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) return { type: 'existing-path', path: fromEnv };
  const provisioned = path.join(ROOT, '.tools/bin', kind === 'cli' ? 'temporal' : 'temporal-test-server');
  if (existsSync(provisioned)) return { type: 'existing-path', path: provisioned };
  return { type: 'cached-download' };
}

/** The SDK gives a spawned server ~5 s to accept connections; one retry absorbs a slow start on a loaded box. */
async function withStartRetry<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (!/did not start|start within/i.test(String((err as Error).message))) throw err;
    return start();
  }
}

export interface EnvOptions {
  /** The client's data converter (payload encryption: test/helpers/payload-keys.ts); workers need the same. */
  dataConverter?: DataConverter;
  /** Dev server only: serve the Web UI on this port, with these extra flags (e.g. `--ui-codec-endpoint`). */
  ui?: { port: number; extraArgs?: string[] };
}

/** A time-skipping environment on the real Java test server, with the project's search attributes. */
export async function createTimeSkippingEnv(options: EnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const env = await withStartRetry(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: serverExecutable('test-server') },
      client: { dataConverter: options.dataConverter },
    })
  );
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** A real dev server (Temporal CLI, SQLite in memory) with the project's search attributes. */
export async function createDevEnv(options: EnvOptions = {}): Promise<TestWorkflowEnvironment> {
  return withStartRetry(() =>
    TestWorkflowEnvironment.createLocal({
      client: { dataConverter: options.dataConverter },
      server: {
        executable: serverExecutable('cli'),
        searchAttributes: [...ALL_SEARCH_ATTRIBUTE_KEYS],
        ...(options.ui ? { ui: true, uiPort: options.ui.port } : {}),
        extraArgs: [
          '--dynamic-config-value',
          'history.longPollExpirationInterval="5s"',
          ...(options.ui?.extraArgs ?? []),
        ],
      },
    })
  );
}

/** A task queue of its own for each test, so tests never pick up each other's tasks. */
export function uniqueTaskQueue(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `${slug}-${randomUUID().slice(0, 8)}`;
}

let bundle: Promise<WorkflowBundle> | undefined;
/**
 * The workflow bundle: built once by the global setup (see global-setup.ts), else here once per file; both with
 * the worker's shared bundling configuration (workers/workflow-bundle.ts).
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  const prebuilt = process.env.SAVINGS_WORKFLOW_BUNDLE;
  if (prebuilt && existsSync(prebuilt)) {
    bundle ??= Promise.resolve({ code: readFileSync(prebuilt, 'utf8') });
  }
  bundle ??= buildWorkflowBundle({ logger: quietBundlerLogger });
  return bundle;
}

const noop = (): void => undefined;
export const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};
