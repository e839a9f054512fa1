/**
 * The plan's children: starting a period's cycle and a rebalance run (REJECT_DUPLICATE, so a period or a
 * rebalance date never runs twice; ABANDON, so money already moving is never cut off by the plan closing), and
 * signalling them (retryNow, orderTurn) without failing the plan when a child has just finished.
 */
import {
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { cycleWorkflowId, rebalanceWorkflowId } from '../shared/ids';
import { orderTurnSignal, retryNowSignal } from '../shared/messages';
import { CyclePeriodKey, FondoClientIdKey, PlanStateKey, SavingsPlanIdKey } from '../shared/search-attributes';
import { failureMessage } from './failures';
import type { CycleInput, RebalanceInput } from './child-inputs';
import { rebalanceWorkflow } from './rebalance';
import { savingsCycleWorkflow } from './savings-cycle';

export function startCycle(input: CycleInput): Promise<ChildWorkflowHandle<typeof savingsCycleWorkflow>> {
  return startChild(savingsCycleWorkflow, {
    workflowId: cycleWorkflowId(input.planId, input.period),
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `savings ${input.period}: ${input.amount} SEK`,
    typedSearchAttributes: [
      { key: SavingsPlanIdKey, value: input.planId },
      { key: FondoClientIdKey, value: input.clientId },
      { key: CyclePeriodKey, value: input.period },
    ],
  });
}

export function startRebalance(input: RebalanceInput): Promise<ChildWorkflowHandle<typeof rebalanceWorkflow>> {
  return startChild(rebalanceWorkflow, {
    workflowId: rebalanceWorkflowId(input.planId, input.date),
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `rebalance ${input.date} (${input.trigger})`,
    typedSearchAttributes: [
      { key: SavingsPlanIdKey, value: input.planId },
      { key: FondoClientIdKey, value: input.clientId },
      { key: PlanStateKey, value: 'rebalancing' },
    ],
  });
}

/** retryNow to each running child (a child that just finished is skipped with a warning). */
export async function retryChildren(workflowIds: readonly string[]): Promise<void> {
  for (const id of workflowIds) await signalChild(id, () => getExternalWorkflowHandle(id).signal(retryNowSignal));
}

/** Opens a cycle's order turn (after a rebalance of the plan ended). */
export function openOrderTurn(workflowId: string): Promise<void> {
  return signalChild(workflowId, () => getExternalWorkflowHandle(workflowId).signal(orderTurnSignal, { open: true }));
}

async function signalChild(workflowId: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    log.warn('could not signal child workflow', { workflowId, error: failureMessage(err) });
  }
}
