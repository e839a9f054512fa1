import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildWorkflowBundle } from '../../workers/workflow-bundle';
import { createTimeSkippingEnv, quietBundlerLogger, uniqueTaskQueue } from '../helpers/temporal';
import { evaluate, probeCases, type ProbeFunction } from './bundle-probe/cases';
import { calendarProbeWorkflow } from './bundle-probe/workflows';

/**
 * Upper bound for the worker's bundle, in bytes. Measured 2026-11-21 (docs/BENCHMARKS.md, "Workflow bundle"): 10.7 MB
 * before workers/workflow-bundle.ts, 5.6 MB with it, of which 3.5 MB is the inline source map that the Temporal
 * bundler always adds. Any one trimmed package coming back adds at least 0.7 MB (the tz database alone), which
 * crosses 6 MB. That leaves about 0.4 MB for our own code to grow before this limit needs a new measurement.
 */
const MAX_BUNDLE_BYTES = 6_000_000;

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
  it('stays small: no full tz database, no moment locales, SE holiday data only, no astronomia index', async () => {
    const { code } = await buildWorkflowBundle({ logger: quietBundlerLogger });
    const modules = moduleSizes(code);

    expect(Buffer.byteLength(code)).toBeLessThan(MAX_BUNDLE_BYTES);
    // The full packed tz database is ~730 kB; Europe/Berlin (Europe/Stockholm links to it) and GMT are ~6 kB.
    expect(sizeOf(modules, '/moment-timezone/data/packed/latest.json')).toBeLessThan(20_000);
    expect([...modules.keys()].filter((id) => id.includes('/moment/locale'))).toEqual([]);
    // All countries are ~790 kB; SE plus the shared holiday names are ~30 kB.
    expect(sizeOf(modules, '/date-holidays/src/data.js')).toBeLessThan(60_000);
    expect(sizeOf(modules, '/astronomia/src/index.js')).toBeUndefined();
    expect(sizeOf(modules, '/astronomia/src/jupitermoons.js')).toBeUndefined();
    // Still the real workflows.
    expect(sizeOf(modules, './workflows/index.ts')).toBeGreaterThan(0);
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

      // Its own workflowsPath, but the worker's webpack hook: the same trimming applies.
      const bundle = await buildWorkflowBundle({
        workflowsPath: require.resolve('./bundle-probe/workflows'),
        logger: quietBundlerLogger,
      });
      expect(sizeOf(moduleSizes(bundle.code), '/moment-timezone/data/packed/latest.json')).toBeLessThan(20_000);
      expect(sizeOf(moduleSizes(bundle.code), '/date-holidays/src/data.js')).toBeLessThan(60_000);

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
