import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWorkflowBundle, cachedWorkflowBundle, workflowBundleSourceHash } from '../../workers/workflow-bundle';
import { createTimeSkippingEnv, quietBundlerLogger, uniqueTaskQueue } from '../helpers/temporal';
import { evaluate, probeCases, type ProbeFunction } from './bundle-probe/cases';
import { calendarProbeWorkflow } from './bundle-probe/workflows';

/**
 * Upper bound for the worker's bundle, in bytes. Measured (docs/BENCHMARKS.md, "Workflow bundle"): 10.7 MB before
 * workers/workflow-bundle.ts, 5.6 MB with it, 3.9 MB since the calendar reads a generated banking-day table instead
 * of running date-holidays (of which 2.5 MB is the inline source map that the Temporal bundler always adds); 4.42 MB
 * with the plan ledger, the operator's split record and the quiet-period safety net (issue 11, 13, 16: ~0.1 MB of code
 * and source map). The holiday engine coming back adds over 1 MB with its source map, which crosses this limit.
 */
const MAX_BUNDLE_BYTES = 4_600_000;

/** Packages that only the holiday engine brought into the worker's bundle; each cached workflow evaluated them. */
const HOLIDAY_ENGINE_PACKAGES = [
  'date-holidays',
  'date-holidays-parser',
  'moment',
  'moment-timezone',
  'astronomia',
  'caldate',
  'date-chinese',
  'date-easter',
  'date-bengali-revised',
];

/** Sizes of the modules in a development-mode webpack bundle, by module id (`./node_modules/…`), from its markers. */
function moduleSizes(code: string): Map<string, number> {
  const end = code.lastIndexOf('//# sourceMappingURL=');
  const starts = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((match) => ({ id: match[1]!, at: match.index }));
  return new Map(starts.map(({ id, at }, i) => [id, (starts[i + 1]?.at ?? end) - at]));
}

function sizeOf(modules: Map<string, number>, suffix: string): number | undefined {
  const matching = [...modules].filter(([id]) => id.endsWith(suffix));
  return matching.length === 1 ? matching[0]![1] : undefined;
}

describe('the workflow bundle (workers/workflow-bundle.ts)', () => {
  it('stays small: no holiday engine at all (the calendar reads the generated banking-day table)', async () => {
    const { code } = await buildWorkflowBundle({ logger: quietBundlerLogger });
    const modules = moduleSizes(code);

    expect(Buffer.byteLength(code)).toBeLessThan(MAX_BUNDLE_BYTES);
    const engineModules = [...modules.keys()].filter((id) =>
      HOLIDAY_ENGINE_PACKAGES.some((name) => id.includes(`/node_modules/${name}/`))
    );
    expect(engineModules).toEqual([]);
    // Still the real workflows, and the calendar with its table.
    expect(sizeOf(modules, './workflows/index.ts')).toBeGreaterThan(0);
    expect(sizeOf(modules, './shared/banking-days.generated.ts')).toBeGreaterThan(10_000);
  }, 120_000);

  it('is built once per source: the worker reads a cached bundle at later starts', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
    try {
      const first = await cachedWorkflowBundle({ logger: quietBundlerLogger, cacheDir });
      const second = await cachedWorkflowBundle({ logger: quietBundlerLogger, cacheDir });
      expect([first.cached, second.cached]).toEqual([false, true]);
      expect(second.code).toBe(first.code);
      expect(readdirSync(cacheDir)).toEqual([`workflow-bundle-${workflowBundleSourceHash()}.js`]);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);

  describe('inside the bundle, on the time-skipping server', () => {
    let env: TestWorkflowEnvironment;

    beforeAll(async () => {
      env = await createTimeSkippingEnv();
    }, 60_000);

    afterAll(async () => {
      await env?.teardown();
    });

    it('computes every sampled calendar result exactly as Node does', async () => {
      const cases = probeCases();
      const expected = cases.map(evaluate);
      const counts: Partial<Record<ProbeFunction, number>> = {};
      for (const { fn } of cases) counts[fn] = (counts[fn] ?? 0) + 1;
      // The sample has both answers and errors in it, so matching them means something.
      expect(expected.filter((result) => result === 'true').length).toBeGreaterThan(2500);
      expect(expected.filter((result) => result === 'false').length).toBeGreaterThan(1000);
      expect(expected.filter((result) => result.startsWith('throws CalendarInputError')).length).toBeGreaterThan(50);

      // Its own workflowsPath (which imports date-holidays itself), with the worker's webpack hook: the trimming applies.
      // The full packed tz database is ~730 kB; Europe/Berlin (Europe/Stockholm links to it) and GMT are ~6 kB. All
      // countries' holidays are ~790 kB; SE plus the shared holiday names are ~30 kB.
      const bundle = await buildWorkflowBundle({
        workflowsPath: require.resolve('./bundle-probe/workflows'),
        logger: quietBundlerLogger,
      });
      expect(sizeOf(moduleSizes(bundle.code), '/moment-timezone/data/packed/latest.json')).toBeLessThan(20_000);
      expect(sizeOf(moduleSizes(bundle.code), '/date-holidays/src/data.js')).toBeLessThan(60_000);
      expect([...moduleSizes(bundle.code).keys()].filter((id) => id.includes('/moment/locale'))).toEqual([]);
      expect(sizeOf(moduleSizes(bundle.code), '/astronomia/src/index.js')).toBeUndefined();
      expect(sizeOf(moduleSizes(bundle.code), '/astronomia/src/jupitermoons.js')).toBeUndefined();

      const taskQueue = uniqueTaskQueue('bundle probe');
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
      const report = await worker.runUntil(
        env.client.workflow.execute(calendarProbeWorkflow, {
          args: [expected],
          taskQueue,
          workflowId: `bundle-probe:${taskQueue}`,
        })
      );

      expect(report.mismatches).toEqual([]);
      expect(report.mismatchCount).toBe(0);
      expect(report.cases).toBe(cases.length);
      expect(report.expected).toBe(cases.length);
      expect(report.counts).toEqual(counts);
      expect(report.otherCountry).toMatch(/date-holidays data for NO is not in the workflow bundle/);
    }, 180_000);
  });
});
