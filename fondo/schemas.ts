/**
 * zod schemas and their types for every Fondo resource, request and event this client handles.
 *
 * Response rules (tolerant reader):
 * - Unknown extra fields are accepted and dropped; fields the docs do not mark required are optional and may
 *   be `null`.
 * - Ids are any non-empty string: Fondo owns their formats (UUIDs, ULIDs, ISIN+currency) and its own examples
 *   use placeholders such as `"id": "string"`.
 * - Status-like fields are open enums: the known values are typed, any other string is still accepted.
 * - Amounts, units, prices and percentages are plain decimal strings; date-times are upper-case ISO UTC.
 *
 * Request rules (strict): unknown keys are rejected, amounts and units are decimal strings whose scale is
 * checked before anything is sent.
 */
import { z } from 'zod';
import { decimalString, MAX_UNIT_SCALE, PositiveSekAmountSchema } from '../shared/money';
import { formatIssues } from '../shared/zod-issues';
import { WireDateSchema, WireDateTimeSchema, WireDecimalSchema, WireIntSchema } from './wire';

/** A string union that still accepts values Fondo may add later. */
export type OpenEnum<Known extends string> = Known | (string & {});

const openEnum = <Known extends string>() =>
  z
    .string()
    .min(1)
    .transform((value): OpenEnum<Known> => value);

/** Any non-empty identifier (Fondo owns id formats). */
export const IdSchema = z.string().min(1);
/** A partner-supplied reference (`clientRef`, `executorRef`): non-empty, at most 255 characters. */
export const RefSchema = z.string().min(1).max(255);

// ---------------------------------------------------------------------------------------------------------
// Known enum values
// ---------------------------------------------------------------------------------------------------------

/** Order statuses: the api_3.0.3 enum plus `confirmed`, which the lifecycle prose uses. */
export const ORDER_STATUSES = ['received', 'pending', 'sent', 'confirmed', 'settled', 'canceled', 'hold'] as const;
export type OrderStatus = OpenEnum<(typeof ORDER_STATUSES)[number]>;
export const ORDER_TYPES = ['subscription', 'redemption'] as const;
export type OrderType = OpenEnum<(typeof ORDER_TYPES)[number]>;
export const ACCOUNT_STATUSES = ['pending', 'active', 'rejected', 'confirm'] as const;
export type AccountStatus = OpenEnum<(typeof ACCOUNT_STATUSES)[number]>;
export const ACCOUNT_TYPES = ['isk', 'depot', 'insurance'] as const;
export type AccountType = OpenEnum<(typeof ACCOUNT_TYPES)[number]>;
export const SERVICE_TYPES = ['portfolioManagement', 'investmentAdvise', 'executionOnly'] as const;
export type ServiceType = OpenEnum<(typeof SERVICE_TYPES)[number]>;
/** Payment and payment-instruction statuses: not enumerated by the docs; these are the ones we know. */
export const PAYMENT_STATUSES = ['new', 'processing', 'completed', 'failed'] as const;
export type PaymentStatus = OpenEnum<(typeof PAYMENT_STATUSES)[number]>;
export const CASH_TRANSACTION_TYPES = [
  'deposit',
  'fxFee',
  'withdrawal',
  'transfer_in',
  'transfer_out',
  'subscription',
  'redemption',
  'retrocession',
] as const;
export type CashTransactionType = OpenEnum<(typeof CASH_TRANSACTION_TYPES)[number]>;
export const CASH_REF_TYPES = [
  'text',
  'order',
  'payment',
  'ca',
  'internal',
  'external',
  'client_fee_oneoff',
  'client_fee_ongoing',
  'client_fee_transaction',
  'client_fee_performance',
  'client_fee_other',
] as const;
export type CashRefType = OpenEnum<(typeof CASH_REF_TYPES)[number]>;
export const FUND_TRANSACTION_TYPES = ['redemption', 'subscription', 'transfer_in', 'transfer_out'] as const;
export type FundTransactionType = OpenEnum<(typeof FUND_TRANSACTION_TYPES)[number]>;
export const FUND_REF_TYPES = [
  'order',
  'ca',
  'internal',
  'external',
  'gift',
  'compensations',
  'inheritance',
  'dividend',
  'endowment_101',
] as const;
export type FundRefType = OpenEnum<(typeof FUND_REF_TYPES)[number]>;
/** The 18 documented WebSocket event types. */
export const EVENT_TYPES = [
  'heartbeat',
  'account.create',
  'account.update',
  'account.delete',
  'client.update',
  'client.delete',
  'cashTransaction.create',
  'cashTransaction.update',
  'cashTransaction.delete',
  'fundTransaction.create',
  'fundTransaction.update',
  'fundTransaction.delete',
  'order.create',
  'order.update',
  'order.delete',
  'instrument.reloaded',
  'journey.delete',
  'journey.update',
] as const;
export type FondoEventType = OpenEnum<(typeof EVENT_TYPES)[number]>;

// ---------------------------------------------------------------------------------------------------------
// Auth and system
// ---------------------------------------------------------------------------------------------------------

/** `POST /v2/partner/auth/token` response. No token type is documented; the token is used as a Bearer. */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: WireIntSchema.refine((seconds) => seconds > 0, { error: 'must be positive' }),
  state: z.string().nullish(),
});
export type TokenResponse = z.output<typeof TokenResponseSchema>;

/** `GET /ping` response: the time the server received the request. */
export const PingSchema = z.object({ pong: WireDateTimeSchema });
export type Ping = z.output<typeof PingSchema>;

// ---------------------------------------------------------------------------------------------------------
// Accounts and KYC
// ---------------------------------------------------------------------------------------------------------

/** A holding on an account. `units` includes unsettled units; `gav` is the average acquisition cost. */
export const PositionSchema = z.object({
  instrument: IdSchema,
  units: WireDecimalSchema,
  unitsSettled: WireDecimalSchema.nullish(),
  value: WireDecimalSchema.nullish(),
  closePrice: WireDecimalSchema.nullish(),
  gav: WireDecimalSchema.nullish(),
});
export type Position = z.output<typeof PositionSchema>;

/** A bank account on an account (`paymentAccount`); `id` is what allocation plans and withdrawals reference. */
export const BankAccountSchema = z.object({
  id: IdSchema.nullish(),
  iban: z.string().nullish(),
  bban: z.string().nullish(),
  bank: z.string().nullish(),
  name: z.string().nullish(),
  validated: z.boolean().nullish(),
  createdDate: WireDateTimeSchema.nullish(),
  modifiedDate: WireDateTimeSchema.nullish(),
  deletedDate: WireDateTimeSchema.nullish(),
});
export type BankAccount = z.output<typeof BankAccountSchema>;

/** The account holder (personal data: never log it). */
export const AccountOwnerSchema = z.object({
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  fullName: z.string().nullish(),
  ssn: z.string().nullish(),
});
export type AccountOwner = z.output<typeof AccountOwnerSchema>;

const isEmptyObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

/**
 * Positions list. The docs render collapsed items as `{}`; an item with no fields at all holds no position and
 * is dropped. Any item with fields must be a complete position (instrument and units).
 */
const PositionsSchema = z.preprocess(
  (value) => (Array.isArray(value) ? value.filter((item) => !isEmptyObject(item)) : value),
  z.array(PositionSchema)
);

/** An investment account. `balance` is the settled cash snapshot. */
export const AccountSchema = z.object({
  id: IdSchema,
  sortedId: IdSchema,
  ref: z.string().nullish(),
  name: z.string(),
  status: openEnum<AccountStatus>().nullish(),
  accountType: openEnum<AccountType>(),
  serviceType: openEnum<ServiceType>(),
  owner: AccountOwnerSchema.nullish(),
  balance: WireDecimalSchema.nullish(),
  amounts: z.object({ deposited: WireDecimalSchema.nullish(), withdrawn: WireDecimalSchema.nullish() }).nullish(),
  positions: PositionsSchema.nullish(),
  deleted: z.boolean(),
  clientId: IdSchema,
  bankAccounts: z.array(BankAccountSchema).nullish(),
  currency: z.string().min(1),
  createdDate: WireDateTimeSchema.nullish(),
  modifiedDate: WireDateTimeSchema.nullish(),
  deletedDate: WireDateTimeSchema.nullish(),
});
export type Account = z.output<typeof AccountSchema>;

/** KYC gates of an account. An absent flag means "not allowed": check `=== true`. */
export const KycStatusSchema = z.object({
  order: z.boolean().nullish(),
  withdrawal: z.boolean().nullish(),
});
export type KycStatus = z.output<typeof KycStatusSchema>;

// ---------------------------------------------------------------------------------------------------------
// Instruments and allocation plans
// ---------------------------------------------------------------------------------------------------------

/**
 * A fund. The trading rules are flat fields (no nested `rules`), with the docs' inconsistent casing:
 * `minInvestmentAmountSEK` but `minInitialAmountSek` / `minSubsequentAmountSek`. Absent or 0 means no minimum.
 */
export const InstrumentSchema = z.object({
  id: IdSchema,
  isincode: z.string().nullish(),
  name: z.string().nullish(),
  currency: z.string().nullish(),
  closePrice: WireDecimalSchema.nullish(),
  priceDate: WireDateTimeSchema.nullish(),
  kiid: z.array(z.unknown()).nullish(),
  /** Decimals allowed in unit counts of this fund; orders never exceed 7 whatever this says. */
  decimalsUnits: WireIntSchema.nullish(),
  minInvestmentAmountSEK: WireDecimalSchema.nullish(),
  minInitialAmountSek: WireDecimalSchema.nullish(),
  minSubsequentAmountSek: WireDecimalSchema.nullish(),
  isComplex: z.boolean().nullish(),
  isBuyable: z.boolean().nullish(),
  isSellable: z.boolean().nullish(),
  isTradable: z.boolean().nullish(),
  cost: z.record(z.string(), z.unknown()).nullish(),
  rebate: WireDecimalSchema.nullish(),
});
export type Instrument = z.output<typeof InstrumentSchema>;

/** One instrument's share of a plan, in percent (0–100). */
export const AllocationPlanInstrumentSchema = z.object({
  instrument: IdSchema,
  allocation: WireDecimalSchema,
});
export type AllocationPlanInstrument = z.output<typeof AllocationPlanInstrumentSchema>;

/**
 * An account's allocation plan. Fondo requires the allocations to sum to exactly 100; this schema does not
 * check it (the docs' own list example is empty), consumers must.
 */
export const AllocationPlanSchema = z.object({
  id: IdSchema,
  account: IdSchema,
  /** Id of the bank account with the autogiro mandate. */
  bankAccount: IdSchema.nullish(),
  instruments: z.array(AllocationPlanInstrumentSchema),
});
export type AllocationPlan = z.output<typeof AllocationPlanSchema>;

/** `PATCH …/allocationplan/{id}` body: the bank account (with autogiro mandate) is the only documented field. */
export const AllocationPlanPatchSchema = z.strictObject({
  bankAccount: IdSchema.nullable().optional(),
});
export type AllocationPlanPatch = z.input<typeof AllocationPlanPatchSchema>;

// ---------------------------------------------------------------------------------------------------------
// Payment instructions (autogiro)
// ---------------------------------------------------------------------------------------------------------

/** A payment-instruction item as Fondo returns it. */
export const PaymentInstructionItemSchema = z.object({
  amount: WireDecimalSchema,
  account: IdSchema,
  clientRef: z.string().nullish(),
});
export type PaymentInstructionItem = z.output<typeof PaymentInstructionItemSchema>;

/** A payment instruction. `bankTransferRef` does not apply to autogiro. */
export const PaymentInstructionSchema = z.object({
  id: IdSchema,
  type: openEnum<'autogiro'>().nullish(),
  instructions: z.array(PaymentInstructionItemSchema),
  bankTransferRef: z.string().nullish(),
  status: openEnum<PaymentStatus>(),
});
export type PaymentInstruction = z.output<typeof PaymentInstructionSchema>;

/** One collection of a payment instruction. A failed collection carries `reason` and the Bankgirot `reasonCode`. */
export const PaymentSchema = z.object({
  id: IdSchema,
  sortedId: IdSchema.nullish(),
  account: IdSchema.nullish(),
  amount: WireDecimalSchema,
  clientRef: z.string().nullish(),
  status: openEnum<PaymentStatus>(),
  reason: z.string().nullish(),
  reasonCode: z.string().nullish(),
  debitDate: WireDateSchema.nullish(),
});
export type Payment = z.output<typeof PaymentSchema>;

/**
 * `POST …/instruction/payment` body. The docs' request item shows only `amount` and `clientRef`, yet the
 * response items carry the destination `account`; we send `account` per payment so the destination is never
 * left to inference. Amounts are SEK with at most 2 decimals and are sent with exactly 2.
 */
export const PaymentInstructionRequestSchema = z.strictObject({
  type: z.literal('autogiro'),
  payments: z
    .array(z.strictObject({ account: IdSchema, amount: PositiveSekAmountSchema, clientRef: RefSchema }))
    .min(1),
});
export type PaymentInstructionRequest = z.input<typeof PaymentInstructionRequestSchema>;

// ---------------------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------------------

/**
 * A fund order. Subscriptions are amount-driven (units known after trade), redemptions unit-driven (amount
 * known on confirmation), so both are optional here although the docs mark them required.
 */
export const OrderSchema = z.object({
  id: IdSchema,
  status: openEnum<OrderStatus>(),
  sortedId: IdSchema,
  orderType: openEnum<OrderType>(),
  account: IdSchema,
  clientRef: z.string().nullish(),
  executorRef: z.string().nullish(),
  instrument: IdSchema,
  units: WireDecimalSchema.nullish(),
  amount: WireDecimalSchema.nullish(),
  price: WireDecimalSchema.nullish(),
  createdDate: WireDateTimeSchema.nullish(),
  modifiedDate: WireDateTimeSchema.nullish(),
  canceledDate: WireDateTimeSchema.nullish(),
  tradeDate: WireDateTimeSchema.nullish(),
  settlementDate: WireDateTimeSchema.nullish(),
  reason: z.string().nullish(),
});
export type Order = z.output<typeof OrderSchema>;

/** Positive fund units with at most 7 decimals (the instrument's `decimalsUnits` is checked by the client). */
export const PositiveUnitsSchema = decimalString({ maxScale: MAX_UNIT_SCALE, zero: false });

/** Subscription: buy for an SEK amount (sent with exactly 2 decimals). */
export const SubscriptionOrderRequestSchema = z.strictObject({
  orderType: z.literal('subscription'),
  account: IdSchema,
  instrument: IdSchema,
  amount: PositiveSekAmountSchema,
  clientRef: RefSchema.optional(),
  executorRef: RefSchema.optional(),
});
export type SubscriptionOrderRequest = z.input<typeof SubscriptionOrderRequestSchema>;

/** Redemption: sell a number of units. */
export const RedemptionOrderRequestSchema = z.strictObject({
  orderType: z.literal('redemption'),
  account: IdSchema,
  instrument: IdSchema,
  units: PositiveUnitsSchema,
  clientRef: RefSchema.optional(),
  executorRef: RefSchema.optional(),
});
export type RedemptionOrderRequest = z.input<typeof RedemptionOrderRequestSchema>;

/** `POST …/order` body. */
export const CreateOrderRequestSchema = z.discriminatedUnion('orderType', [
  SubscriptionOrderRequestSchema,
  RedemptionOrderRequestSchema,
]);
export type CreateOrderRequest = z.input<typeof CreateOrderRequestSchema>;

/** `POST …/order/withdrawal` body: sell units and pay the proceeds out to `bankAccount`. */
export const WithdrawalOrderRequestSchema = z.strictObject({
  orderType: z.literal('redemption'),
  account: IdSchema,
  instrument: IdSchema,
  units: PositiveUnitsSchema,
  bankAccount: IdSchema,
  executorRef: RefSchema,
  clientRef: RefSchema.optional(),
  /** Undocumented meaning; sent only when given. */
  paymentAccount: IdSchema.optional(),
});
export type WithdrawalOrderRequest = z.input<typeof WithdrawalOrderRequestSchema>;

// ---------------------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------------------

/** A cash movement. `settlementDate` is null until settled; `aborted` marks a reversed transaction. */
export const CashTransactionSchema = z.object({
  id: IdSchema,
  sortedId: IdSchema,
  transactionType: openEnum<CashTransactionType>(),
  aborted: z.boolean().nullish(),
  abortedReason: z.string().nullish(),
  ref: z.string().nullish(),
  refType: openEnum<CashRefType>().nullish(),
  creditAccount: IdSchema.nullish(),
  debitAccount: IdSchema.nullish(),
  amount: WireDecimalSchema,
  currency: z.string().min(1),
  executorRef: z.string().nullish(),
  clientRef: z.string().nullish(),
  freetext: z.string().nullish(),
  instrument: IdSchema.nullish(),
  startDate: WireDateSchema.nullish(),
  endDate: WireDateSchema.nullish(),
  createdDate: WireDateTimeSchema.nullish(),
  modifiedDate: WireDateTimeSchema.nullish(),
  settlementDate: WireDateTimeSchema.nullish(),
});
export type CashTransaction = z.output<typeof CashTransactionSchema>;

/** A fund-unit movement. `identifier` is the ISIN; `price` is the NAV per unit. */
export const FundTransactionSchema = z.object({
  id: IdSchema,
  sortedId: IdSchema,
  transactionType: openEnum<FundTransactionType>(),
  aborted: z.boolean().nullish(),
  abortedReason: z.string().nullish(),
  ref: z.string().nullish(),
  refType: openEnum<FundRefType>().nullish(),
  account: IdSchema,
  instrument: IdSchema,
  identifier: z.string().min(1),
  units: WireDecimalSchema,
  price: WireDecimalSchema.nullish(),
  currency: z.string().min(1),
  freetext: z.string().nullish(),
  executorRef: z.string().nullish(),
  clientRef: z.string().nullish(),
  createdDate: WireDateTimeSchema.nullish(),
  modifiedDate: WireDateTimeSchema.nullish(),
  settlementDate: WireDateTimeSchema.nullish(),
  tradeDate: WireDateTimeSchema.nullish(),
});
export type FundTransaction = z.output<typeof FundTransactionSchema>;

// ---------------------------------------------------------------------------------------------------------
// List queries
// ---------------------------------------------------------------------------------------------------------

/** `start` (the last seen `sortedId`) and `limit`; Fondo returns everything when `limit` is absent. */
export const PageQuerySchema = z.strictObject({
  start: IdSchema.optional(),
  limit: z.int().positive().optional(),
});
export type PageQuery = z.input<typeof PageQuerySchema>;

/** Page query plus `modifiedFrom` (reconciliation: items modified at or after this date-time). */
export const ModifiedQuerySchema = PageQuerySchema.extend({ modifiedFrom: WireDateTimeSchema.optional() });
export type ModifiedQuery = z.input<typeof ModifiedQuerySchema>;

/** `GET …/account` query; `ssn` is a 12-digit personnummer and is never put in errors or logs. */
export const AccountListQuerySchema = ModifiedQuerySchema.extend({
  ssn: z
    .string()
    .regex(/^(19|20)\d{10}$/, { error: 'must be a 12-digit personnummer' })
    .optional(),
});
export type AccountListQuery = z.input<typeof AccountListQuerySchema>;

/** Client-wide transaction query: also by causing object (`ref`) and its type (`reftype`, lower-case on the wire). */
export const TransactionListQuerySchema = ModifiedQuerySchema.extend({
  ref: z.string().min(1).optional(),
  reftype: z.string().min(1).optional(),
});
export type TransactionListQuery = z.input<typeof TransactionListQuerySchema>;

// ---------------------------------------------------------------------------------------------------------
// Events (WebSocket)
// ---------------------------------------------------------------------------------------------------------

/** Which state an event action must carry: create/update → `current`, delete → `previous`. */
const REQUIRED_STATE: Record<string, 'current' | 'previous'> = {
  create: 'current',
  update: 'current',
  delete: 'previous',
};

function resourceEventSchema<const Resource extends string, S extends z.ZodType>(resource: Resource, schema: S) {
  return z
    .object({ eventType: openEnum<FondoEventType>(), current: schema.optional(), previous: schema.optional() })
    .superRefine((event, ctx) => {
      const action = event.eventType.slice(event.eventType.indexOf('.') + 1);
      const required = REQUIRED_STATE[action];
      if (required !== undefined && event[required] === undefined) {
        ctx.addIssue({ code: 'custom', path: [required], message: `is required for ${action} events` });
      }
    })
    .transform((event) => ({ resource, ...event }));
}

/** `order.*` events. */
export const OrderEventSchema = resourceEventSchema('order', OrderSchema);
/** `cashTransaction.*` events. */
export const CashTransactionEventSchema = resourceEventSchema('cashTransaction', CashTransactionSchema);
/** `fundTransaction.*` events. */
export const FundTransactionEventSchema = resourceEventSchema('fundTransaction', FundTransactionSchema);
/** `account.*` events. */
export const AccountEventSchema = resourceEventSchema('account', AccountSchema);
/** Every other event type (client.*, journey.*, instrument.reloaded, unknown ones): states passed through. */
export const OtherEventSchema = z
  .object({ eventType: openEnum<FondoEventType>(), current: z.unknown().optional(), previous: z.unknown().optional() })
  .transform((event) => ({ resource: 'other' as const, ...event }));

/** A parsed event; narrow on `resource` to get typed `current` / `previous`. */
export type FondoEvent =
  | z.output<typeof OrderEventSchema>
  | z.output<typeof CashTransactionEventSchema>
  | z.output<typeof FundTransactionEventSchema>
  | z.output<typeof AccountEventSchema>
  | z.output<typeof OtherEventSchema>;

const EVENT_SCHEMAS_BY_RESOURCE = {
  order: OrderEventSchema,
  cashTransaction: CashTransactionEventSchema,
  fundTransaction: FundTransactionEventSchema,
  account: AccountEventSchema,
} as const;

/** The outcome of {@link parseFondoEvent}: the event, or the problems (field paths, never values). */
export type FondoEventParseResult =
  { ok: true; event: FondoEvent } | { ok: false; eventType?: string; issues: string[] };

/**
 * Parses one event message: `current` / `previous` by the resource schema matching the `eventType` prefix
 * (`order.`, `cashTransaction.`, `fundTransaction.`, `account.`), passed through for any other type.
 */
export function parseFondoEvent(message: unknown): FondoEventParseResult {
  const envelope = z.object({ eventType: z.string().min(1) }).safeParse(message);
  if (!envelope.success) return { ok: false, issues: describeIssues(envelope.error) };
  const { eventType } = envelope.data;
  const resource = eventType.slice(0, eventType.indexOf('.'));
  const parsed = Object.hasOwn(EVENT_SCHEMAS_BY_RESOURCE, resource)
    ? EVENT_SCHEMAS_BY_RESOURCE[resource as keyof typeof EVENT_SCHEMAS_BY_RESOURCE].safeParse(message)
    : OtherEventSchema.safeParse(message);
  return parsed.success
    ? { ok: true, event: parsed.data }
    : { ok: false, eventType, issues: describeIssues(parsed.error) };
}

/**
 * zod issues as `path: message` lines, e.g. `amount: expected a decimal number`. Response schemas never put the
 * offending value in a message; request schemas may name an amount (never personal data), so these are safe to log.
 */
export function describeIssues(error: z.ZodError): string[] {
  return formatIssues(error, { pathStyle: 'dotted', rootLabel: '(root)' });
}
