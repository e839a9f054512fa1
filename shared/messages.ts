/**
 * Every signal, update and query, defined once and used by workflows (setHandler), the CLI, the event bridge and
 * tests (handle.signal/executeUpdate/query). Wire names equal the identifier without its suffix.
 *
 * Admin signals are fire-and-forget and idempotent (delivery is at least once); admin updates validate
 * synchronously and answer with what changed; queries never change state.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { DayOfMonth } from './calendar';
import { redactPii } from './pii';
import type { PlanRebalancePolicy, Weights } from './plan';
import type { CyclePhase, CycleStatus, PlanStatus, RebalanceRunRecord } from './status';

/**
 * Free text in a message (pause/cancel reasons, notes): at most 500 characters, personal data redacted (shared/pii.ts)
 * — a second line of defence: the CLI refuses such text before sending it.
 */
export const FreeTextSchema = z.string().max(500, 'must be at most 500 characters').transform(redactPii);

// ---- plan: admin ----------------------------------------------------------------------------------------------
export const pauseSignal = defineSignal<[{ reason?: string }?]>('pause');
export const resumeSignal = defineSignal('resume');
/** Skips the next period not yet submitted. */
export const skipNextPeriodSignal = defineSignal('skipNextPeriod');
/** Re-checks blocked work now (KYC, closed funds) instead of waiting for the next scheduled check. */
export const retryNowSignal = defineSignal('retryNow');
/** Stops scheduling periods; cycles already paid finish investing; then the plan completes. */
export const cancelPlanSignal = defineSignal<[{ reason?: string }?]>('cancelPlan');
/** Runs a rebalance as soon as no savings cycle is investing, ignoring cooldown (see docs/ARCHITECTURE.md). */
export const rebalanceNowSignal = defineSignal('rebalanceNow');

export interface ChangeResult {
  /** The first period the change applies to. */
  appliesFrom: string;
}
export const changeAmountUpdate = defineUpdate<ChangeResult, [{ amount: string }]>('changeAmount');
export const changeDayOfMonthUpdate = defineUpdate<
  ChangeResult & { nextDebitDate: string },
  [{ dayOfMonth: DayOfMonth }]
>('changeDayOfMonth');
/** `weights: null` returns to the account's Fondo allocation plan. */
export const changeAllocationOverrideUpdate = defineUpdate<ChangeResult, [{ weights: Weights | null }]>(
  'changeAllocationOverride'
);
export const changeRebalancePolicyUpdate = defineUpdate<{ policy: PlanRebalancePolicy }, [{ policy: unknown }]>(
  'changeRebalancePolicy'
);

export const planStatusQuery = defineQuery<PlanStatus>('planStatus');

// ---- cycle and rebalance workflows ------------------------------------------------------------------------------
export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
export const rebalanceStatusQuery = defineQuery<Partial<RebalanceRunRecord> & { phase: string }>('rebalanceStatus');

/** From the plan: whether the cycle may place orders now (false while a rebalance of the plan runs). */
export const orderTurnSignal = defineSignal<[{ open: boolean }]>('orderTurn');

/** From a child to its plan: the child's phase changed (drives PlanState in the UI). */
export const childPhaseSignal =
  defineSignal<[{ workflowId: string; phase: CyclePhase | 'rebalancing' | 'done' }]>('childPhase');

// ---- event bridge → cycle / rebalance workflows ----------------------------------------------------------------
export interface PaymentEvent {
  clientRef: string;
  status: 'completed';
  amount: string;
  transactionId: string;
}
export interface OrderEvent {
  clientRef: string;
  orderId: string;
  status: string;
  amount: string | null;
  units: string | null;
  price: string | null;
}
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
export const orderEventSignal = defineSignal<[OrderEvent]>('orderEvent');
