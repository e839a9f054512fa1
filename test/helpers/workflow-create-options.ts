import type { WorkflowCreateOptions } from '@temporalio/workflow/lib/interfaces';

/**
 * The options the SDK's workflow creator (`ReusableVMWorkflowCreator.createWorkflow`) needs to create workflow `i`
 * outside a worker: only what `initRuntime` reads before a workflow's first activation; no plan data (nothing
 * personal either). Used by test/workflows/workflow-preload.test.ts and bench/workflow-heap.bench.ts; both reach into
 * SDK internals pinned to 1.24.0.
 */
export function workflowCreateOptions(
  i: number,
  { workflowType, workflowId, taskQueue }: { workflowType: string; workflowId: string; taskQueue: string }
): WorkflowCreateOptions {
  const runId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const now = Date.UTC(2026, 10, 30);
  const info = {
    workflowId,
    runId,
    workflowType,
    searchAttributes: {},
    historyLength: 1,
    historySize: 0,
    continueAsNewSuggested: false,
    taskQueue,
    namespace: 'default',
    firstExecutionRunId: runId,
    originalExecutionRunId: runId,
    startTime: new Date(now),
    runStartTime: new Date(now),
    attempt: 1,
    unsafe: { isReplaying: false, now: () => now },
    priority: {},
  } as unknown as WorkflowCreateOptions['info'];
  return { info, randomnessSeed: [i, 0, 0, 0], now, showStackTraceSources: false };
}
