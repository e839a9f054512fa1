import fs from 'node:fs';
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
  __webpack_module_cache__: Record<string, { exports: Record<string, unknown> } | undefined>;
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
        // Each workflow still has its own copy of the workflow modules and of the shared modules that define
        // Temporal messages (their state is per workflow) …
        expect(modules).toEqual(
          expect.arrayContaining(['./workflows/savings-plan.ts', './workflows/messages.ts', './shared/messages.ts'])
        );
        // … but none of zod, decimal.js or the pure rules of shared/: they come from the shared cache.
        expect(modules.filter((id) => id.includes('/node_modules/zod/') || id.includes('decimal.js'))).toEqual([]);
        expect(modules.filter((id) => id.startsWith('./shared/') && id !== './shared/messages.ts')).toEqual(
          modules.includes('./shared/search-attributes.ts') ? ['./shared/search-attributes.ts'] : []
        );
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

  it('every schema the preloaded shared modules export is frozen and still parses, refuses and derives', async () => {
    const { code } = await workflowBundle();
    const bundle = parseWorkflowCode(code, path.resolve(__dirname, '../../workflow-preload-test-bundle.js'));
    const creator = await ReusableVMWorkflowCreator.create(bundle, 10_000, new Set<string>());
    const context = (creator as unknown as { _context: ContextView })._context;
    try {
      // The pure rules of shared/ in the bundle: every such module but those that import @temporalio/*
      // (workflows/preload.ts).
      const sharedIds = fs
        .readdirSync(path.resolve(__dirname, '../../shared'))
        .filter((file) => file.endsWith('.ts') && !['messages.ts', 'search-attributes.ts'].includes(file))
        .map((file) => `./shared/${file}`)
        .filter((id) => code.includes(`"${id}"`));
      expect(sharedIds.length).toBeGreaterThan(20);
      let schemas = 0;
      for (const id of sharedIds) {
        const preloaded = context.__webpack_module_cache__[id];
        expect({ id, preloaded: preloaded !== undefined }).toEqual({ id, preloaded: true });
        for (const [name, value] of Object.entries(preloaded?.exports ?? {})) {
          if (!isSchema(value)) continue;
          schemas += 1;
          expect({ name, frozen: Object.isFrozen(value) }).toEqual({ name, frozen: true });
          // Every use a workflow makes of a schema: a write to the frozen schema would throw here.
          for (const input of [undefined, null, {}, [], '', '1', 0]) value.safeParse(input);
          expect(value.safeParse(Symbol('never valid')).success).toBe(false);
          expect(value.optional().safeParse(undefined).success).toBe(true);
          value.nullable().array().safeParse([null]);
        }
      }
      expect(schemas).toBeGreaterThan(20);
    } finally {
      await creator.destroy();
    }
  }, 120_000);
});

interface SchemaLike {
  safeParse(input: unknown): { success: boolean };
  optional(): SchemaLike;
  nullable(): SchemaLike;
  array(): SchemaLike;
}

function isSchema(value: unknown): value is SchemaLike {
  return typeof value === 'object' && value !== null && '_zod' in value && 'safeParse' in value;
}
