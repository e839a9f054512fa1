/**
 * Client side of starting and changing plans, used by the CLI, scripts/demo-plans.ts and tests (issues 10 and
 * 12.2): every plan passes `planPreflightWorkflow` (the one shared check, run inside Temporal with the worker's
 * Fondo client) before its workflow starts, and every change of amount, allocation or rebalance policy passes the
 * same check before its update is sent. A refusal throws {@link PlanRefusedError}: nothing was started or changed.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { planWorkflowId } from '../shared/ids';
import type { Plan, PlanRebalancePolicy, Weights } from '../shared/plan';
import type { PlanCheckRequest, PlanProblem } from '../shared/plan-check';
import { firstDuePeriod } from '../shared/plan-schedule';
import { FondoClientIdKey, NextDebitDateKey, PlanStateKey, SavingsPlanIdKey } from '../shared/search-attributes';
import type { PlanStatus } from '../shared/status';
import { planPreflightWorkflow, savingsPlanWorkflow } from '../workflows';

/** The check refused the plan or the change; `problems` name each field and reason. Nothing was started or sent. */
export class PlanRefusedError extends Error {
  override name = 'PlanRefusedError' as const;
  constructor(readonly problems: PlanProblem[]) {
    super(`refused: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`);
  }
}

/** A plan with this id exists (running or finished): plan ids are never reused. */
export class PlanExistsError extends Error {
  override name = 'PlanExistsError' as const;
  constructor(readonly planId: string) {
    super(`a savings plan ${planId} already exists`);
  }
}

/** Runs the preflight check; throws {@link PlanRefusedError} when it refuses. */
export async function preflight(
  client: Client,
  taskQueue: string,
  planId: string,
  request: PlanCheckRequest
): Promise<void> {
  const result = await client.workflow.execute(planPreflightWorkflow, {
    taskQueue,
    workflowId: `plan-preflight:${planId}:${request.operation}:${randomUUID()}`,
    args: [request],
    workflowExecutionTimeout: '2 minutes',
  });
  if (!result.ok) throw new PlanRefusedError(result.problems);
}

/** The check request for a new plan. */
export function createRequest(plan: Plan, acceptCarry = false): PlanCheckRequest {
  return {
    operation: 'create',
    clientId: plan.clientId,
    accountId: plan.accountId,
    amount: plan.amount,
    allocation: plan.allocation,
    belowMinimum: plan.policies.belowMinimum,
    rebalance: plan.rebalance,
    firstPeriod: plan.firstPeriod,
    acceptCarry,
  };
}

/** A change to a running plan, checked as the plan would be after it. */
export type PlanChange =
  | { operation: 'change-amount'; amount: string }
  | { operation: 'change-allocation'; weights: Weights | null }
  | { operation: 'change-rebalance-policy'; policy: PlanRebalancePolicy };

/** The check request for a change, from the running plan's status. */
export function changeRequest(status: PlanStatus, change: PlanChange, acceptCarry = false): PlanCheckRequest {
  return {
    operation: change.operation,
    clientId: status.clientId,
    accountId: status.accountId,
    amount: change.operation === 'change-amount' ? change.amount : status.amount,
    allocation:
      change.operation === 'change-allocation'
        ? change.weights
          ? { source: 'override', weights: change.weights }
          : { source: 'fondo' }
        : status.allocation,
    rebalance: change.operation === 'change-rebalance-policy' ? change.policy : status.rebalance.policy,
    acceptCarry,
  };
}

/**
 * A plan's search attributes at start: its ids, and what its first loop shows (PlanState `active`, the first debit
 * date), given at start because that is free and an upsert of the same is a billable action. Should the run compute
 * another date (a deadline passed in between), it upserts its own.
 */
export function planStartAttributes(plan: Plan, nowMs: number): SearchAttributePair[] {
  const firstDebit = plan.state ? undefined : firstDuePeriod(plan, nowMs)?.debitDate;
  return [
    { key: SavingsPlanIdKey, value: plan.planId },
    { key: FondoClientIdKey, value: plan.clientId },
    { key: PlanStateKey, value: 'active' },
    ...(firstDebit ? [{ key: NextDebitDateKey, value: firstDebit }] : []),
  ];
}

/**
 * Checks a plan, then starts its workflow (id `savings-plan:<planId>`, never reused).
 *
 * @throws PlanRefusedError when the check refuses it (nothing started)
 * @throws PlanExistsError when the id is taken
 */
export async function startPlan(
  client: Client,
  options: {
    taskQueue: string;
    plan: Plan;
    acceptCarry?: boolean;
    summary?: string;
    /** The clock the plan runs on (epoch ms), when it is not this machine's (a time-skipping test server). */
    nowMs?: number;
  }
): Promise<{ workflowId: string }> {
  const { plan, taskQueue } = options;
  await preflight(client, taskQueue, plan.planId, createRequest(plan, options.acceptCarry));
  const workflowId = planWorkflowId(plan.planId);
  try {
    await client.workflow.start(savingsPlanWorkflow, {
      taskQueue,
      workflowId,
      args: [plan],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: options.summary ?? `savings plan ${plan.planId}: ${plan.amount} SEK monthly`,
      typedSearchAttributes: planStartAttributes(plan, options.nowMs ?? Date.now()),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new PlanExistsError(plan.planId);
    throw err;
  }
  return { workflowId };
}
