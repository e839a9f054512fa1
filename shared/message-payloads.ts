/**
 * The payload schema of every signal and update (shared/messages.ts defines the messages and re-exports these). Kept
 * apart from the definitions because it is pure: the worker evaluates it once and shares it between all workflows
 * (workflows/preload.ts), while messages.ts imports @temporalio/workflow and is evaluated per workflow.
 */
import { z } from 'zod';
import { DayOfMonthSchema } from './calendar';
import { orderStateOfFondo } from './fondo-custodian';
import { decimalString } from './money';
import { redactPii } from './pii';
import { MonthlyAmountSchema, PlanRebalancePolicySchema, WeightsSchema } from './plan';
import type { CyclePhase } from './status';

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
export type PaymentEvent = z.infer<typeof PaymentEventPayload>;
/** An order event as the bridge sends it (the custodian's status); handlers see `z.output` (the port's state). */
export type OrderEvent = z.input<typeof OrderEventPayload>;
