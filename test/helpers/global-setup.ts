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
  // Per checkout (node_modules is never shared): `.tools/` may be a symlink shared by several worktrees, where
  // another checkout's run would replace the bundle between this setup and the tests that load it.
  const out = path.join(root, 'node_modules/.cache/savings-workflow-bundle.js');
  mkdirSync(path.dirname(out), { recursive: true });
  // Concurrent jest runs may bundle at once: write privately, then rename atomically.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, out);
  process.env.SAVINGS_WORKFLOW_BUNDLE = out;
}
