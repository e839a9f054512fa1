import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { clearTokenCache, FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import type { SandboxApi } from './sandbox';

/** The product's Fondo client on a test sandbox (the sandbox's partner credentials, a fresh token cache). */
export function sandboxFondoClient(sandbox: Sandbox, timeoutMs = 5_000): FondoClient {
  clearTokenCache();
  return new FondoClient({
    baseUrl: sandbox.url,
    clientId: 'sandbox-partner',
    clientSecret: 'sandbox-secret',
    timeoutMs,
  });
}

/** Runs one activity function in the SDK's activity environment (heartbeats and cancellation as in a worker). */
export function runActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment().run(fn, ...args);
}

/** The failure an activity threw (undefined when it succeeded). */
export function failureOf(p: Promise<unknown>): Promise<ApplicationFailure | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => e as ApplicationFailure
  );
}

/**
 * Counts requests to a sandbox route (`METHOD /path/template`) without changing them: a latency fault of 0 ms counts
 * its hits. Returns a reader of the count so far.
 */
export async function countRequests(api: SandboxApi, route: string): Promise<() => Promise<number>> {
  const rule = (await api.control('POST', '/faults', { route, kind: 'latency', latencyMs: 0 })).body as { id: number };
  return async () => {
    const rules = (await api.control('GET', '/faults')).body as { id: number; hits: number }[];
    return Number(rules.find((r) => r.id === rule.id)?.hits ?? 0);
  };
}
