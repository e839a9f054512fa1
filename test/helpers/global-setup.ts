import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../../workers/workflow-bundle';
import { quietBundlerLogger } from './temporal';

/**
 * Bundles the workflow code once per test run (webpack takes seconds) with the worker's shared bundling
 * configuration (workers/workflow-bundle.ts); each test file then loads the same bundle
 * (test/helpers/temporal.ts#workflowBundle) instead of bundling again.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const { code } = await buildWorkflowBundle({ logger: quietBundlerLogger });
  // Inside this checkout (node_modules is per worktree): .tools/ may be a symlink shared by several checkouts, and
  // another checkout's bundle there would silently run its workflow code in these tests.
  const out = path.join(root, 'node_modules/.cache/fondo-savings/workflow-bundle.js');
  mkdirSync(path.dirname(out), { recursive: true });
  // Concurrent jest runs may bundle at once: write privately, then rename atomically.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, out);
  process.env.SAVINGS_WORKFLOW_BUNDLE = out;
}
