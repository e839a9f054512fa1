import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { FondoClient } from '../../fondo';
import { connectivityCheck } from '../../workflows';
import { PlanStateKey } from '../../shared/search-attributes';
import { createDevEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { sendJson, startHttpServer, type TestHttpServer } from '../helpers/http-server';

describe('foundation on the dev server', () => {
  let env: TestWorkflowEnvironment;
  let fondo: TestHttpServer;

  beforeAll(async () => {
    env = await createDevEnv();
    fondo = await startHttpServer((_req, res) => sendJson(res, 200, { pong: '2026-11-21T12:00:00.000Z' }));
  }, 60_000);

  afterAll(async () => {
    await fondo?.close();
    await env?.teardown();
  });

  it('runs a workflow with a search attribute and finds it through visibility', async () => {
    const taskQueue = uniqueTaskQueue('dev-connectivity');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        fondo: new FondoClient({ baseUrl: fondo.url, clientId: 'test', clientSecret: 'test-secret' }),
        assumeUniqueClientRefs: true,
      }),
    });
    const workflowId = `connectivity:${taskQueue}`;
    const report = await worker.runUntil(
      env.client.workflow.execute(connectivityCheck, {
        taskQueue,
        workflowId,
        typedSearchAttributes: [{ key: PlanStateKey, value: 'active' }],
      })
    );
    expect(report.fondoTime).toBe('2026-11-21T12:00:00.000Z');
    // Visibility is eventually consistent: poll until the closed execution is indexed.
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of env.client.workflow.list({
        query: `WorkflowId = '${workflowId}' AND PlanState = 'active'`,
      })) {
        found.push(wf.workflowId);
      }
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([workflowId]);
  });
});
