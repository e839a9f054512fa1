/**
 * Benchmark: the V8 heap each cached workflow holds for the workflow bundle's module state, and where it goes.
 *
 * Run (one command, from the repository root; ~1 min on an idle machine, most of it webpack):
 *   node --expose-gc --import tsx bench/workflow-heap.bench.ts [--workflows 100] [--variants all|shipped] [--no-preload]
 *
 * What it does, the way the worker does it: it bundles workflows/ with the worker's own configuration
 * (workers/workflow-bundle.ts `workflowBundleOptions()`), loads the bundle into the SDK's own reusable V8 context
 * (`ReusableVMWorkflowCreator` from @temporalio/worker, the executor the worker uses by default: reuseV8Context on),
 * creates N workflows with it (`createWorkflow`: the SDK's `initRuntime`, which gives each workflow its own webpack
 * module cache and evaluates the workflow modules into it), keeps all N alive as the workflow cache does, runs a full
 * GC and reports the heap retained per workflow, and the number of modules each workflow evaluated for itself.
 * The workflows are created, not activated: the figure is the module state a cached workflow carries whatever it
 * does, not its own variables (a plan's state, its promises).
 *
 * The breakdown ("by module group"): the same configuration bundles generated entries that import cumulative groups of
 * the bundle's modules (the SDK, then zod, decimal.js, shared/money.ts, …; see GROUPS), each measured the same way,
 * so the difference between two rows is what that group's module-level objects (zod's classes, schemas, decimal.js's
 * constructor, tables) cost each cached workflow. The last row is the worker's real bundle.
 *
 * `--no-preload` bundles without the worker's `preloadModules` (workers/workflow-bundle.ts PRELOADED_MODULES): the
 * configuration before issue 14's 16:00 round, where every module of the bundle but the SDK's runtime was per
 * workflow. `--variants shipped` measures only the worker's bundle; `--list-modules` prints the modules each workflow
 * evaluates for itself (the ones outside the context's shared cache). Heap figures move by a few kB run to run (GC).
 */
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import type { Workflow } from '@temporalio/worker/lib/workflow/interface';
import { workflowCreateOptions } from '../test/helpers/workflow-create-options';
import { PRELOADED_MODULES, workflowBundleOptions } from '../workers/workflow-bundle';

const options = new Command('workflow-heap')
  .option('--workflows <n>', 'workflows created and kept alive per variant (the cache)', Number, 100)
  .option('--variants <which>', 'all: the breakdown by module group; shipped: the worker bundle only', 'all')
  .option('--list-modules', "print the worker bundle's per-workflow modules", false)
  .option('--no-preload', "bundle without the worker's preloadModules (workers/workflow-bundle.ts): the state before")
  .parse()
  .opts<{ workflows: number; variants: 'all' | 'shipped'; listModules: boolean; preload: boolean }>();

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const ROOT = path.resolve(__dirname, '..');
const ENTRY_DIR = path.join(ROOT, 'node_modules/.cache/fondo-savings/workflow-heap-bench');

/**
 * Cumulative module groups, in the order the bundle's import graph reaches them. Each row's bundle is a generated
 * entry importing every module of its group and the groups before it (plus an empty `savingsPlanWorkflow`, the type
 * the workflows are created with), so the difference between two rows is what the group adds to each workflow.
 * The last row is the worker's real bundle (workflows/index.ts).
 */
const GROUPS: { name: string; modules: string[] }[] = [
  { name: 'Temporal workflow SDK (@temporalio/workflow)', modules: ['@temporalio/workflow'] },
  { name: 'zod (the library, no schema)', modules: ['zod'] },
  { name: 'decimal.js', modules: ['decimal.js'] },
  { name: 'shared/money.ts', modules: ['shared/money.ts'] },
  { name: 'shared/calendar.ts (+ banking-day table)', modules: ['shared/calendar.ts'] },
  { name: 'shared/ledger.ts (+ fixed-point, domain-error)', modules: ['shared/ledger.ts'] },
  {
    name: 'engine: instrument-rules, allocation, rebalance',
    modules: ['shared/instrument-rules.ts', 'shared/allocation.ts', 'shared/rebalance.ts'],
  },
  { name: 'shared/plan.ts (+ ids)', modules: ['shared/plan.ts'] },
  { name: 'shared/messages.ts (+ pii, fondo-custodian)', modules: ['shared/messages.ts'] },
];

function modulePath(module: string): string {
  return module.startsWith('shared/') || module.startsWith('workflows/') ? path.join(ROOT, module) : module;
}

/** A generated ESM entry (so zod and decimal.js resolve to the same files as in the real bundle). */
function groupEntry(index: number): string {
  const modules = GROUPS.slice(0, index + 1).flatMap((group) => group.modules);
  // zod and decimal.js are used as the project's code uses them (exporting zod's `z` namespace itself would keep its ~40
  // locales, which webpack otherwise leaves out of the bundle); the project's modules are kept whole.
  const lines: string[] = [];
  const kept: string[] = [];
  modules.forEach((module, i) => {
    if (module === 'zod') {
      lines.push(`import { z as m${i} } from 'zod';`, `m${i}.object({ a: m${i}.string() }).safeParse({ a: '' });`);
    } else if (module === 'decimal.js') {
      lines.push(`import m${i} from 'decimal.js';`, `new m${i}('1.5').plus('2.25');`);
    } else {
      lines.push(`import * as m${i} from ${JSON.stringify(modulePath(module))};`);
      kept.push(`m${i}`);
    }
  });
  lines.push(`export const kept = [${kept.join(', ')}];`);
  lines.push('export async function savingsPlanWorkflow() {}');
  mkdirSync(ENTRY_DIR, { recursive: true });
  const file = path.join(ENTRY_DIR, `group-${index}.mjs`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

interface Variant {
  name: string;
  /** workflowsPath of the bundle; undefined: the worker's own (workflows/index.ts). */
  workflowsPath?: string;
}

const VARIANTS: Variant[] =
  options.variants === 'shipped'
    ? [{ name: 'worker bundle (workflows/index.ts)' }]
    : [
        ...GROUPS.map((group, i) => ({ name: `${i === 0 ? '' : '+ '}${group.name}`, workflowsPath: groupEntry(i) })),
        { name: 'worker bundle (workflows/index.ts)' },
      ];

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

interface Row {
  name: string;
  bundleBytes: number;
  perWorkflowKb: number;
  modulesPerWorkflow: number;
  moduleIds: string[];
  creatorKb: number;
  createMs: number;
}

async function measure(variant: Variant): Promise<Row> {
  const bundleOptions: BundleOptions = {
    ...workflowBundleOptions({ logger: silent, workflowsPath: variant.workflowsPath }),
    ...(!options.preload && { preloadModules: [] }),
  };
  const { code } = await bundleWorkflowCode(bundleOptions);
  const bundle = parseWorkflowCode(code, path.join(ROOT, 'workflow-bundle-bench.js'));

  const before = heapAfterGc();
  const creator = await ReusableVMWorkflowCreator.create(bundle, 10_000, new Set<string>());
  const afterCreator = heapAfterGc();

  const workflows: Workflow[] = [];
  let moduleIds: string[] = [];
  const start = performance.now();
  for (let i = 0; i < options.workflows; i++) {
    workflows.push(
      await creator.createWorkflow(
        workflowCreateOptions(i, {
          workflowType: 'savingsPlanWorkflow',
          workflowId: `savings-plan:bench-${i}`,
          taskQueue: 'bench',
        })
      )
    );
    if (i === 0) {
      const context = (
        creator as unknown as { _context: { __TEMPORAL_ACTIVATOR__?: { moduleCache: Map<string, unknown> } } }
      )._context;
      moduleIds = [...(context.__TEMPORAL_ACTIVATOR__?.moduleCache.keys() ?? [])];
    }
  }
  const createMs = performance.now() - start;
  const afterWorkflows = heapAfterGc();

  for (const workflow of workflows) await workflow.dispose();
  workflows.length = 0;
  await creator.destroy();
  return {
    name: variant.name,
    bundleBytes: Buffer.byteLength(code),
    perWorkflowKb: (afterWorkflows - afterCreator) / options.workflows / 1024,
    modulesPerWorkflow: moduleIds.length,
    moduleIds,
    creatorKb: (afterCreator - before) / 1024,
    createMs: createMs / options.workflows,
  };
}

async function main(): Promise<void> {
  const preloaded = options.preload
    ? PRELOADED_MODULES.map((module) => path.relative(ROOT, module)).join(', ')
    : 'none';
  console.log(
    `workflow-heap: ${options.workflows} workflows created and kept alive per row; preloaded: ${preloaded}; ` +
      `Node ${process.version}`
  );
  console.log(
    `${'bundle (cumulative groups)'.padEnd(50)} ${'heap/workflow'.padStart(13)} ${'group adds'.padStart(11)} ` +
      `${'modules/wf'.padStart(10)} ${'bundle'.padStart(9)} ${'create/wf'.padStart(9)}`
  );
  let previous: Row | undefined;
  for (const variant of VARIANTS) {
    const row = await measure(variant);
    const adds =
      previous && variant.workflowsPath !== undefined ? row.perWorkflowKb - previous.perWorkflowKb : undefined;
    console.log(
      `${row.name.padEnd(50)} ${`${row.perWorkflowKb.toFixed(1)} kB`.padStart(13)} ` +
        `${(adds === undefined ? '' : `${adds.toFixed(1)} kB`).padStart(11)} ${String(row.modulesPerWorkflow).padStart(10)} ` +
        `${`${(row.bundleBytes / 1e6).toFixed(2)} MB`.padStart(9)} ${`${row.createMs.toFixed(2)} ms`.padStart(9)}`
    );
    if (variant.workflowsPath === undefined && options.listModules) {
      for (const id of row.moduleIds) console.log(`    ${id}`);
    }
    previous = row;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
