/**
 * The plan's state as facts → decisions: which `PlanState` (the UI's search attribute) follows from the plan's
 * facts, and what a finished cycle changes in the plan's books (failure count, self-pause, drift check).
 */
import { dec } from './money';
import type { CycleOutcome } from './plan';
import type { CyclePhase, PlanStateValue } from './status';

export interface PlanStateFacts {
  cancelled: boolean;
  paused: boolean;
  attentionItems: number;
  /** Phases of the cycles running now. */
  cyclePhases: readonly CyclePhase[];
  rebalancing: boolean;
}

/**
 * The priority that derives PlanState: cancelled, then anything an operator must look at, then blocks of running
 * cycles (KYC before a closed fund), then paused, rebalancing, a cycle still waiting for its money, a cycle whose
 * money is in (investing), and otherwise active.
 */
export function planStateOf(f: PlanStateFacts): PlanStateValue {
  if (f.cancelled) return 'cancelled';
  if (f.attentionItems > 0) return 'needs-attention';
  if (f.cyclePhases.includes('blocked-kyc')) return 'blocked-kyc';
  if (f.cyclePhases.includes('blocked-instrument')) return 'blocked-instrument';
  if (f.paused) return 'paused';
  if (f.rebalancing) return 'rebalancing';
  if (f.cyclePhases.some(isUnpaid)) return 'waiting-payment';
  if (f.cyclePhases.length > 0) return 'investing';
  return 'active';
}

/**
 * What one cycle's phase contributes to the plan's PlanState: the PlanState of a plan whose only fact is one cycle in
 * this phase. Two phases with the same value are interchangeable for `planStateOf` whatever the plan's other facts
 * (test/unit/plan-state.test.ts checks it exhaustively), so a cycle reports a phase change to its plan only when this
 * value changes (patch `phase-signals-only-state-changes`): pre-check/waiting-payment → 'waiting-payment';
 * paid/waiting-turn/investing/waiting-orders/completed → 'investing'; the two blocks → themselves.
 */
export function planStateOfPhase(phase: CyclePhase): PlanStateValue {
  return planStateOf({ cancelled: false, paused: false, attentionItems: 0, cyclePhases: [phase], rebalancing: false });
}

/**
 * Whether a cycle moving from the phase its plan last heard (`reported`) to `phase` must tell the plan: only when the
 * plan's PlanState could change. Never 'completed': the plan learns the end from the cycle's result.
 */
export function phaseChangeToReport(reported: CyclePhase, phase: CyclePhase): boolean {
  return phase !== 'completed' && planStateOfPhase(phase) !== planStateOfPhase(reported);
}

/** A cycle whose money is not in yet. */
export function isUnpaid(phase: CyclePhase): boolean {
  return phase === 'pre-check' || phase === 'waiting-payment';
}

export interface CycleFold {
  consecutiveFailedPeriods: number;
  /** Set when this cycle makes the plan pause itself. */
  selfPause: { reason: string; attention: string } | null;
  /** A cycle settled orders: measure drift before the next decision. */
  driftCheckDue: boolean;
}

/**
 * What a finished cycle changes: a failed payment counts toward `maxConsecutiveFailedPeriods` (reached → the plan
 * pauses itself, unless already paused); money received resets the count; settled orders ask for a drift check.
 */
export function foldCycle(
  cycle: { outcome: CycleOutcome; paidAmount: string; anySettled: boolean },
  plan: { consecutiveFailedPeriods: number; paused: boolean; maxConsecutiveFailedPeriods: number }
): CycleFold {
  if (cycle.outcome === 'payment-failed') {
    const count = plan.consecutiveFailedPeriods + 1;
    const max = plan.maxConsecutiveFailedPeriods;
    const selfPause =
      count >= max && !plan.paused
        ? { reason: `${max} failed periods in a row`, attention: `paused itself after ${max} failed periods in a row` }
        : null;
    return { consecutiveFailedPeriods: count, selfPause, driftCheckDue: false };
  }
  if (dec(cycle.paidAmount).greaterThan(0)) {
    return { consecutiveFailedPeriods: 0, selfPause: null, driftCheckDue: cycle.anySettled };
  }
  return { consecutiveFailedPeriods: plan.consecutiveFailedPeriods, selfPause: null, driftCheckDue: false };
}

/** Keeps the newest `keep` entries of a history list (newest last). */
export function keepNewest<T>(list: readonly T[], item: T, keep = 12): T[] {
  return [...list, item].slice(-keep);
}
