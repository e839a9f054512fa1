/**
 * Reads what a plan's workflows know, for the operator's commands: the plan's status, each running cycle's status and
 * the running rebalance run's status (queries only; nothing is changed).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { cycleWorkflowId, planWorkflowId, rebalanceWorkflowId } from '../shared/ids';
import { cycleStatusQuery, planStatusQuery, rebalanceStatusQuery } from '../shared/messages';
import type { CycleStatus } from '../shared/status';
import type { PlanView } from './reconcile';

/** A plan that does not exist (the CLI reports it as an operational failure naming the plan id). */
export class PlanNotFound extends Error {
  override name = 'PlanNotFound' as const;
}

export async function readPlanView(client: Client, planId: string): Promise<PlanView> {
  let status;
  try {
    status = await client.workflow.getHandle(planWorkflowId(planId)).query(planStatusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new PlanNotFound(`no savings plan ${planId}`);
    throw err;
  }
  const runningCycles: CycleStatus[] = [];
  for (const c of status.activeCycles) {
    try {
      runningCycles.push(await client.workflow.getHandle(cycleWorkflowId(planId, c.period)).query(cycleStatusQuery));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // finished between the two queries: in the plan's history
    }
  }
  let runningRebalance = null;
  if (status.rebalance.running) {
    try {
      runningRebalance = await client.workflow
        .getHandle(rebalanceWorkflowId(planId, status.rebalance.running.date))
        .query(rebalanceStatusQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return { status, runningCycles, runningRebalance };
}
