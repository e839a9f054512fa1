/**
 * The "engine floor" of the scale benchmark: do-nothing workflows with the same shape per plan-cycle as the real
 * savings plan (the numbers of activities, timers, signals, child workflows, search-attribute upserts and
 * continue-as-new measured from the real run's histories), so the difference in wall time and CPU is our code.
 * Activities do nothing; signals are sent by the cycle to its parent (one billable action each, like the bridge's).
 */
import {
  CancellationScope,
  continueAsNew,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';

/** The per-plan shape, rounded from the real run. */
export interface FloorShape {
  childWorkflows: number;
  activities: number;
  timers: number;
  signals: number;
  upserts: number;
  continueAsNew: number;
}

const { noop } = proxyActivities<{ noop(step: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });
const eventSignal = defineSignal<[number]>('floorEvent');

/**
 * Runs `work` with a fallback timer armed around it that is cancelled when the work is done, as the real workflows'
 * fallback timers mostly are (armed and cancelled in different workflow tasks, so the server sees both).
 */
async function withCancelledTimer<T>(work: () => Promise<T>): Promise<T> {
  const scope = new CancellationScope();
  const timer = scope.run(() => sleep('1 day')).catch(() => undefined);
  try {
    return await work();
  } finally {
    scope.cancel();
    await timer;
  }
}

export async function floorCycleWorkflow(
  shape: FloorShape,
  share: { activities: number; timers: number; signals: number }
): Promise<number> {
  const parent = workflowInfo().parent;
  for (let i = 0; i < Math.max(share.activities, share.timers); i++) {
    if (i >= share.activities)
      await sleep(1); // a timer that fires: more timers than activities
    else if (i < share.timers) await withCancelledTimer(() => noop(i));
    else await noop(i);
  }
  // Signals to the parent (as the cycle's phase signals are; a workflow may not signal itself).
  if (parent) {
    const handle = getExternalWorkflowHandle(parent.workflowId, parent.runId);
    for (let i = 0; i < share.signals; i++) await handle.signal(eventSignal, i);
  }
  return shape.activities;
}

export async function floorPlanWorkflow(shape: FloorShape, continued = 0): Promise<number> {
  let received = 0;
  setHandler(eventSignal, () => void received++);
  if (continued === 0) {
    for (let u = 0; u < shape.upserts; u++) upsertSearchAttributes({ PlanState: [`floor-${u}`] });
    const children = Math.max(1, shape.childWorkflows);
    for (let c = 0; c < children; c++) {
      const share = (total: number) => Math.floor(total / children) + (c < total % children ? 1 : 0);
      await executeChild(floorCycleWorkflow, {
        workflowId: `${workflowInfo().workflowId}:child-${c}`,
        args: [
          shape,
          { activities: share(shape.activities), timers: share(shape.timers), signals: share(shape.signals) },
        ],
      });
    }
  }
  if (continued < shape.continueAsNew) await continueAsNew<typeof floorPlanWorkflow>(shape, continued + 1);
  return received;
}
