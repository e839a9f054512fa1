import path from 'node:path';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import type { Workflow } from '@temporalio/worker/lib/workflow/interface';
import { PRELOADED_MODULES, workflowBundleOptions } from '../../workers/workflow-bundle';
import { workflowBundle } from '../helpers/temporal';
import { workflowCreateOptions } from '../helpers/workflow-create-options';

/**
 * The worker's bundle preloads zod into the reusable V8 context's shared module cache (workers/workflow-bundle.ts
 * PRELOADED_MODULES, workflows/preload.ts), so zod's module state exists once per worker instead of once per cached
 * workflow (docs/BENCHMARKS.md, "Per cached workflow: module state"). The workflows here are created with the SDK's
 * own executor (the one the worker uses: reuseV8Context), as bench/workflow-heap.bench.ts does; the workflow tests
 * (phase-signals, plan-books, …) run the same bundle on the real server and validate signals and plan input with it.
 */

interface ContextView {
  __TEMPORAL_ACTIVATOR__?: { moduleCache: Map<string, unknown> };
  __zod_globalConfig?: Record<string, unknown>;
}

describe('modules shared by every workflow in the reusable V8 context', () => {
  it('the worker bundle is configured to preload workflows/preload.ts', () => {
    expect(PRELOADED_MODULES).toEqual([require.resolve('../../workflows/preload')]);
    expect(workflowBundleOptions().preloadModules).toEqual([...PRELOADED_MODULES]);
  });

  it('zod is evaluated once per context, the workflow modules once per workflow', async () => {
    const { code } = await workflowBundle();
    const bundle = parseWorkflowCode(code, path.resolve(__dirname, '../../workflow-preload-test-bundle.js'));
    const creator = await ReusableVMWorkflowCreator.create(bundle, 10_000, new Set<string>());
    const context = (creator as unknown as { _context: ContextView })._context;
    const workflows: Workflow[] = [];
    const perWorkflow: string[][] = [];
    try {
      for (const [i, type] of ['savingsPlanWorkflow', 'savingsCycleWorkflow', 'savingsPlanWorkflow'].entries()) {
        workflows.push(
          await creator.createWorkflow(
            workflowCreateOptions(i, { workflowType: type, workflowId: `preload-test-${i}`, taskQueue: 'preload-test' })
          )
        );
        perWorkflow.push([...(context.__TEMPORAL_ACTIVATOR__?.moduleCache.keys() ?? [])]);
      }

      for (const modules of perWorkflow) {
        // Each workflow still has its own copy of the project's modules (their state is per workflow) …
        expect(modules).toEqual(expect.arrayContaining(['./workflows/savings-plan.ts', './shared/plan.ts']));
        expect(modules).toEqual(
          expect.arrayContaining(['./shared/messages.ts', './node_modules/decimal.js/decimal.mjs'])
        );
        // … but none of zod: it comes from the shared cache.
        expect(modules.filter((id) => id.includes('/node_modules/zod/'))).toEqual([]);
      }
      expect(perWorkflow[1]).toEqual(perWorkflow[0]);

      // zod's one mutable global was completed before the SDK froze the context's globals, so building a schema in a
      // workflow never needs to write to it (a write would throw: the object is frozen).
      const config = context.__zod_globalConfig;
      expect(config).toBeDefined();
      expect(Object.isFrozen(config)).toBe(true);
      expect(typeof config?.localeError).toBe('function');
      expect(config?.memoizer).toBeDefined();
    } finally {
      for (const workflow of workflows) await workflow.dispose();
      await creator.destroy();
    }
  }, 120_000);
});
