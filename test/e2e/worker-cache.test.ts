import { savingsPlanWorkflow } from '../../workflows';
import { periodOf } from '../../shared/calendar';
import { planWorkflowId } from '../../shared/ids';
import { loadWorkerSizing } from '../../workers/config';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// The worker's workflow cache is bounded by configuration (workers/config.ts). A plan evicted from the cache resumes
// by replaying its history on its next task, so a worker with a tiny cache still runs more plans than fit in it
// through a whole cycle each, exactly once. On the dev server, with the event bridge and the sandbox's clock running
// fast (a business day in 2.4 s), as in production.
describe('a worker with a bounded workflow cache (dev server)', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ kind: 'dev', bridge: true, name: 'worker cache' })), 60_000);
  afterAll(() => s?.teardown());

  it('runs 5 plans through a cycle each with a cache of 2: evicted plans resume by replay', async () => {
    const sizing = loadWorkerSizing({ WORKER_MAX_CACHED_WORKFLOWS: '2' });
    expect(sizing).toMatchObject({ maxCachedWorkflows: 2, maxConcurrentWorkflowTaskExecutions: 2 });

    const plans = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const { accountId } = await createTestAccount(s.api, 700 + i, {
          allocation: [
            { instrument: FUND.fjallsjo, allocation: '50' },
            { instrument: FUND.norrsken, allocation: '30' },
            { instrument: FUND.kustlinje, allocation: '20' },
          ],
        });
        return { planId: `cache-${i}`, accountId };
      })
    );
    const period = periodOf(new Date(await s.env.currentTimeMs()).toISOString().slice(0, 10));
    await s.api.control('POST', '/clock', { mode: 'running', speed: 36_000 });

    const worker = await s.newWorker(sizing);
    let maxCached = 0;
    const sampler = setInterval(() => (maxCached = Math.max(maxCached, worker.getStatus().numCachedWorkflows)), 10);
    const results = await worker
      .runUntil(async () => {
        const handles = await Promise.all(
          plans.map(({ planId, accountId }) =>
            s.env.client.workflow.start(savingsPlanWorkflow, {
              taskQueue: s.taskQueue,
              workflowId: planWorkflowId(planId),
              args: [testPlan({ planId, accountId, firstPeriod: period, lastPeriod: period, startImmediately: true })],
            })
          )
        );
        // Every result is awaited to the end, also when one fails: a result() left polling when the environment
        // tears down is a gRPC call retried on a closed channel ("Channel has been shut down" after the tests).
        const settled = await Promise.allSettled(handles.map((h) => h.result()));
        return settled.map((r) => {
          if (r.status === 'rejected') throw r.reason;
          return r.value;
        });
      })
      .finally(() => clearInterval(sampler));

    // Every plan ran its one cycle to invested: one payment and three orders, exactly once.
    expect(results.map((r) => r.cycles.map((c) => c.outcome))).toEqual(plans.map(() => ['invested']));
    for (const { planId } of plans) {
      const mine = (ref: string | null | undefined) => ref?.startsWith(`${planId}:`) ?? false;
      const orders = [...s.sandbox.engine.store.orders.values()].filter((o) => mine(o.clientRef));
      const payments = [...s.sandbox.engine.store.payments.values()].filter((p) => mine(p.clientRef));
      expect(orders).toHaveLength(3);
      expect(new Set(orders.map((o) => o.clientRef)).size).toBe(3);
      expect(payments).toHaveLength(1);
    }
    // 5 plans and 5 cycles were open at once, yet the cache never held more than 2 of them.
    expect(maxCached).toBeGreaterThan(0);
    expect(maxCached).toBeLessThanOrEqual(2);
    expect(s.sandbox.engine.checkInvariants()).toEqual([]);
  }, 600_000);
});
