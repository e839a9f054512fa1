/**
 * `planPreflightWorkflow` — id `plan-preflight:<planId>:<operation>:<nonce>`: the check a plan passes before it
 * starts or changes (issue 12.2). It reads the account, allocation and funds through the worker's Fondo client
 * (one activity) and decides with the pure shared/plan-check.ts. It changes nothing: the client-side `startPlan`
 * (cli/start-plan.ts) starts the plan, or sends the update, only when this returns `{ ok: true }`.
 *
 * Messages: none. Ends with the result. Short-lived; no continue-as-new.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PlanCheckActivities } from '../activities/plan-check';
import {
  checkPlan,
  PlanCheckRequestSchema,
  requestProblems,
  type PlanCheckRequest,
  type PlanCheckResult,
} from '../shared/plan-check';

const { planCheckFacts } = proxyActivities<PlanCheckActivities>({
  startToCloseTimeout: '30 seconds',
  // An operator waits on this: a few quick attempts, then the check fails (the CLI reports it, exit 1).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

export async function planPreflightWorkflow(raw: PlanCheckRequest): Promise<PlanCheckResult> {
  const invalid = requestProblems(raw);
  if (invalid.length > 0) return { ok: false, problems: invalid };
  const request = PlanCheckRequestSchema.parse(raw);
  const facts = await planCheckFacts({
    clientId: request.clientId,
    accountId: request.accountId,
    allocation: request.allocation,
  });
  const problems = checkPlan(request, facts, new Date(Date.now()).toISOString());
  return problems.length > 0 ? { ok: false, problems } : { ok: true };
}
