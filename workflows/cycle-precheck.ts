/**
 * A savings cycle's pre-check before it debits (one activity): the account is active and (since patch
 * `cycle-precheck-split-inputs`) what the split will need is there — the allocation exists and is valid, Fondo knows
 * its funds (decided by shared/plan-check.ts `cyclePreCheckProblems`). A plan that cannot invest is not debited.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AllocationSource } from '../shared/plan';
import { cyclePreCheckProblems } from '../shared/plan-check';
import { fondoRead } from './activity-options';
import { PATCH } from './patches';

const read = proxyActivities<Activities>(fondoRead);

/** Why nothing may be debited this period (a sentence without personal data), or undefined. */
export async function cyclePreCheck(cycle: {
  clientId: string;
  accountId: string;
  allocation: AllocationSource;
}): Promise<string | undefined> {
  const { clientId, accountId, allocation } = cycle;
  if (patched(PATCH.cyclePrecheckSplitInputs)) {
    const facts = await read.planCheckFacts({ clientId, accountId, allocation });
    const problems = cyclePreCheckProblems(allocation, facts);
    return problems.length ? problems.join('; ') : undefined;
  }
  const account = await read.checkAccount({ clientId, accountId });
  if (account.active) return undefined;
  return account.found ? `account is ${account.status ?? 'not active'}` : 'account not found';
}
