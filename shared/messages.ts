/**
 * Every signal, update and query, defined once and used by workflows (setHandler), the CLI, the event bridge and
 * tests (handle.signal/executeUpdate/query). Wire names equal the identifier without its suffix.
 *
 * Admin signals are fire-and-forget and idempotent (delivery is at least once); admin updates validate
 * synchronously and answer with what changed; queries never change state.
 *
 * Every payload has a zod schema here (`…Payload`), and every workflow handler parses with it where the message
 * lands: an invalid signal is ignored and logged (its name and the zod issue, never the payload), an invalid update
 * is rejected by its validator. The TypeScript types are only what a well-behaved sender promises.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { DayOfMonthSchema, type DayOfMonth } from './calendar';
import { orderStateOfFondo } from './fondo-custodian';
import { decimalString } from './money';
import { redactPii } from './pii';
import {
  MonthlyAmountSchema,
  PlanRebalancePolicySchema,
  WeightsSchema,
  type PlanRebalancePolicy,
  type Weights,
} from './plan';
import type { CyclePhase, CycleStatus, PlanStatus, RebalanceRunRecord } from './status';

// ---- payload schemas ----------------------------------------------------------------------------------------------
/** Free text an operator may attach (a reason); bounded so a history event stays small. */
export const MAX_REASON_LENGTH = 500;
/**
 * Free text in a message (pause/cancel reasons): at most 500 characters, personal data redacted (shared/pii.ts) — a
 * second line of defence: the CLI refuses such text before sending it.
 */
export const FreeTextSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`)
  .transform(redactPii);
const ReasonSchema = FreeTextSchema;
/** A signal without a payload: nothing, or an empty object. */
export const NoPayload = z.object({}).strict().optional();
export const PausePayload = z.object({ reason: ReasonSchema.optional() }).strict().optional();
export const CancelPlanPayload = PausePayload;
export const ChangeAmountPayload = z.object({ amount: MonthlyAmountSchema }).strict();
export const ChangeDayOfMonthPayload = z.object({ dayOfMonth: DayOfMonthSchema }).strict();
export const ChangeAllocationOverridePayload = z.object({ weights: WeightsSchema.nullable() }).strict();
export const ChangeRebalancePolicyPayload = z.object({ policy: PlanRebalancePolicySchema }).strict();
export const OrderTurnPayload = z.object({ open: z.boolean() }).strict();
export const CYCLE_PHASES = [
  'pre-check',
  'waiting-payment',
  'paid',
  'waiting-turn',
  'blocked-kyc',
  'investing',
  'blocked-instrument',
  'waiting-orders',
  'completed',
] as const satisfies readonly CyclePhase[];
export const ChildPhasePayload = z.object({
  workflowId: z.string().min(1).max(200),
  phase: z.enum([...CYCLE_PHASES, 'rebalancing', 'done']),
});
const ClientRefSchema = z.string().min(1).max(200);
export const PaymentEventPayload = z.object({
  clientRef: ClientRefSchema,
  status: z.literal('completed'),
  amount: decimalString({ maxScale: 2, zero: false }),
  transactionId: z.string().min(1).max(200),
});
/** Fondo's wire decimals (amounts, units, prices of an order as Fondo reports them). */
const WireDecimal = decimalString({ maxScale: 12 }).nullable();
export const OrderEventPayload = z.object({
  clientRef: ClientRefSchema,
  orderId: z.string().min(1).max(200),
  /** The custodian's order status, normalised to the port's order state (shared/fondo-custodian.ts). */
  status: z.string().min(1).max(64).transform(orderStateOfFondo),
  amount: WireDecimal,
  units: WireDecimal,
  price: WireDecimal,
});
/** Most order events the bridge puts in one `orderEvents` signal. */
export const MAX_ORDER_EVENTS_PER_SIGNAL = 50;
/**
 * Several order events of one workflow in one signal (the bridge batches what arrives within its window: one signal
 * instead of one per order, issue 14). The envelope is checked here; each event is checked on its own by the handler,
 * so one malformed event does not drop the others.
 */
export const OrderEventsEnvelope = z.object({
  events: z.array(z.unknown()).min(1).max(MAX_ORDER_EVENTS_PER_SIGNAL),
});

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
export type PaymentEvent = z.infer<typeof PaymentEventPayload>;
/** An order event as the bridge sends it (the custodian's status); handlers see `z.output` (the port's state). */
export type OrderEvent = z.input<typeof OrderEventPayload>;
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
export const orderEventSignal = defineSignal<[OrderEvent]>('orderEvent');
export const orderEventsSignal = defineSignal<[{ events: OrderEvent[] }]>('orderEvents');
