/**
 * Every signal, update and query, defined once and used by workflows (setHandler), the CLI, the event bridge and
 * tests (handle.signal/executeUpdate/query). Wire names equal the identifier without its suffix.
 *
 * Admin signals are fire-and-forget and idempotent (delivery is at least once); admin updates validate
 * synchronously and answer with what changed; queries never change state.
 *
 * Every payload has a zod schema (`…Payload`, in shared/message-payloads.ts, re-exported here), and every workflow
 * handler parses with it where the message lands: an invalid signal is ignored and logged (its name and the zod
 * issue, never the payload), an invalid update is rejected by its validator. The TypeScript types are only what a well-behaved sender promises.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DayOfMonth } from './calendar';
import type { PlanRebalancePolicy, Weights } from './plan';
import type { OrderEvent, PaymentEvent } from './message-payloads';
import type { CyclePhase, CycleStatus, PlanStatus, RebalanceRunRecord } from './status';

export * from './message-payloads';

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
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
export const orderEventSignal = defineSignal<[OrderEvent]>('orderEvent');
export const orderEventsSignal = defineSignal<[{ events: OrderEvent[] }]>('orderEvents');
