import ky from 'ky';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { FondoClient } from '../../fondo';
import { connectivityCheck } from '../../workflows';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { sendJson, startHttpServer, type TestHttpServer } from '../helpers/http-server';

// Proves the module-format decision: this CommonJS test suite loads ESM-only ky and runs it against a real
// loopback HTTP server, and a workflow runs on the real time-skipping server with an activity that uses ky.
describe('foundation on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let fondo: TestHttpServer;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    fondo = await startHttpServer((_req, res) => sendJson(res, 200, { pong: '2026-11-21T12:00:00.000Z' }));
  }, 60_000);

  afterAll(async () => {
    await fondo?.close();
    await env?.teardown();
  });

  it('ky (ESM-only) calls a local HTTP server from CommonJS', async () => {
    const body = await ky.get(`${fondo.url}/ping`, { retry: 0 }).json<{ pong: string }>();
    expect(body).toEqual({ pong: '2026-11-21T12:00:00.000Z' });
  });

  it('runs a workflow whose activity calls Fondo through ky, skipping a day of timers', async () => {
    const taskQueue = uniqueTaskQueue('connectivity');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        fondo: new FondoClient({ baseUrl: fondo.url, clientId: 'test', clientSecret: 'test-secret' }),
        assumeUniqueClientRefs: true,
      }),
    });
    const before = await env.currentTimeMs();
    const report = await worker.runUntil(async () => {
      await env.sleep('1 day');
      return env.client.workflow.execute(connectivityCheck, { taskQueue, workflowId: `connectivity:${taskQueue}` });
    });
    expect(report.fondoTime).toBe('2026-11-21T12:00:00.000Z');
    expect(report.workflowId).toBe(`connectivity:${taskQueue}`);
    expect(Date.parse(report.checkedAt) - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(fondo.requests).toContain('GET /ping');
  });
});
