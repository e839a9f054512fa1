/**
 * FondoClient: one method per Fondo Partner API endpoint this project uses, plus paging helpers and the
 * event stream. Every Temporal activity and the event bridge talk to Fondo through it.
 *
 * Contract of every method:
 * - Inputs are validated before anything is sent; a bad input throws FondoError `invalid-request` and makes no
 *   network call. Amounts are SEK decimal strings (sent with exactly 2 decimals); units are decimal strings
 *   (at most the instrument's `decimalsUnits`, never more than 7).
 * - Outputs are validated by the resource schema; amounts and units come back as decimal strings.
 * - Every failure is a FondoError with a stable `kind` and `retryable`; nothing is retried here.
 * - The trailing `{ signal }` cancels the call (pass the activity's cancellation signal).
 * - Create methods return the created object, or undefined when Fondo answered 204 / without a body: look the
 *   object up by its `clientRef` then. POSTs are not idempotent at Fondo: before re-posting after a timeout,
 *   look up by `clientRef` first.
 */
import { z } from 'zod';
import { MAX_UNIT_SCALE, scaleOf, sekString, toPlain } from '../shared/money';
import { DEFAULT_TIMEOUT_MS, FondoConfigError, FondoConfigSchema } from './config';
import { createFondoError, type CallContext } from './errors';
import { subscribeEvents, type FondoStreamItem, type SubscribeOptions } from './events';
import { FondoHttp, type HttpMethod, type QueryParams } from './http';
import { MIN_PAGE_LIMIT, modifiedSince, paginate, type Modifiable, type PageRequest } from './pagination';
import {
  AccountListQuerySchema,
  AccountSchema,
  AllocationPlanPatchSchema,
  AllocationPlanSchema,
  CashTransactionSchema,
  CreateOrderRequestSchema,
  describeIssues,
  FundTransactionSchema,
  InstrumentSchema,
  KycStatusSchema,
  ModifiedQuerySchema,
  OrderSchema,
  PageQuerySchema,
  PaymentInstructionRequestSchema,
  PaymentInstructionSchema,
  PaymentSchema,
  PingSchema,
  TransactionListQuerySchema,
  WithdrawalOrderRequestSchema,
  type Account,
  type AccountListQuery,
  type AllocationPlan,
  type AllocationPlanPatch,
  type CashTransaction,
  type CreateOrderRequest,
  type FundTransaction,
  type Instrument,
  type KycStatus,
  type ModifiedQuery,
  type Order,
  type PageQuery,
  type Payment,
  type PaymentInstruction,
  type PaymentInstructionRequest,
  type Ping,
  type RedemptionOrderRequest,
  type SubscriptionOrderRequest,
  type TransactionListQuery,
  type WithdrawalOrderRequest,
} from './schemas';
import { normaliseDateTime, wireNumber } from './wire';

/** How to reach Fondo and as whom. */
export const FondoClientOptionsSchema = FondoConfigSchema.omit({ env: true }).extend({
  timeoutMs: FondoConfigSchema.shape.timeoutMs.default(DEFAULT_TIMEOUT_MS),
});
export type FondoClientOptions = z.input<typeof FondoClientOptionsSchema>;

/** Per-call options. */
export interface CallOptions {
  /** Cancels the request; the call then fails with kind `aborted`. */
  signal?: AbortSignal;
}

/** Options of the create-order endpoints. */
export interface CreateOrderOptions extends CallOptions {
  /** Send `?validate-only=true`: Fondo validates without creating; the call then resolves to undefined. */
  validateOnly?: boolean;
}

/** Options for orders that sell units: the instrument's `decimalsUnits` bounds the units' decimals. */
export interface UnitOrderOptions extends CreateOrderOptions {
  /** The instrument's `decimalsUnits`; units may have at most `min(decimalsUnits, 7)` decimals. */
  decimalsUnits: number;
}

/** Options of the paging iterators. */
export interface IterateOptions extends CallOptions {
  /** Page size (default 100, at least 2). */
  limit?: number;
}

/** Page size of the iterators unless told otherwise. */
export const DEFAULT_PAGE_LIMIT = 100;

const DecimalsUnitsSchema = z.int().min(0);
const IgnoredBodySchema = z.unknown();

/** The Fondo Partner API v2 client. Credentials are held privately and never appear in errors or logs. */
export class FondoClient {
  readonly #http: FondoHttp;

  /** @throws FondoConfigError when an option is missing or invalid. */
  constructor(options: FondoClientOptions) {
    const parsed = FondoClientOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new FondoConfigError(`Invalid FondoClient options: ${describeIssues(parsed.error).join('; ')}`);
    }
    this.#http = new FondoHttp(parsed.data);
  }

  // --- System ---------------------------------------------------------------------------------------------

  /** `GET /ping` (no auth): the time Fondo received the request. */
  async ping(options: CallOptions = {}): Promise<Ping> {
    return this.#http.requestPublic({ method: 'GET', path: '/ping', schema: PingSchema, signal: options.signal });
  }

  // --- Accounts and KYC ------------------------------------------------------------------------------------

  /** `GET …/account`: one page of the client's accounts (filter by `ssn` to find a person's accounts). */
  async listAccounts(clientId: string, query: AccountListQuery = {}, options: CallOptions = {}): Promise<Account[]> {
    const path = apiPath`/v2/partner/client/${clientId}/account`;
    return this.#get(path, z.array(AccountSchema), options, this.#query(AccountListQuerySchema, query, path));
  }

  /** `GET …/account/{account_id}`. */
  async getAccount(clientId: string, accountId: string, options: CallOptions = {}): Promise<Account> {
    return this.#get(apiPath`/v2/partner/client/${clientId}/account/${accountId}`, AccountSchema, options);
  }

  /** `GET …/kycstatus/account/{account_id}`: whether orders and withdrawals are allowed (check `=== true`). */
  async getKycStatus(clientId: string, accountId: string, options: CallOptions = {}): Promise<KycStatus> {
    return this.#get(apiPath`/v2/partner/client/${clientId}/kycstatus/account/${accountId}`, KycStatusSchema, options);
  }

  // --- Instruments -----------------------------------------------------------------------------------------

  /** `GET /v2/partner/instrument`: every fund on the platform (one page when `limit` is given). */
  async listInstruments(query: PageQuery = {}, options: CallOptions = {}): Promise<Instrument[]> {
    const path = '/v2/partner/instrument';
    return this.#get(path, z.array(InstrumentSchema), options, this.#query(PageQuerySchema, query, path));
  }

  /** `GET /v2/partner/instrument/{instrument_id}`; the id is the instrument's `id` (ISIN + currency). */
  async getInstrument(instrumentId: string, options: CallOptions = {}): Promise<Instrument> {
    return this.#get(apiPath`/v2/partner/instrument/${instrumentId}`, InstrumentSchema, options);
  }

  /** `GET …/client/{client_id}/instrument`: the client's instrument universe (use it for eligibility). */
  async listClientInstruments(clientId: string, options: CallOptions = {}): Promise<Instrument[]> {
    return this.#get(apiPath`/v2/partner/client/${clientId}/instrument`, z.array(InstrumentSchema), options);
  }

  // --- Allocation plans ------------------------------------------------------------------------------------

  /** `GET …/allocationplan`. */
  async listAllocationPlans(clientId: string, options: CallOptions = {}): Promise<AllocationPlan[]> {
    return this.#get(apiPath`/v2/partner/client/${clientId}/allocationplan`, z.array(AllocationPlanSchema), options);
  }

  /** `GET …/allocationplan/{allocation_plan_id}`. */
  async getAllocationPlan(clientId: string, planId: string, options: CallOptions = {}): Promise<AllocationPlan> {
    return this.#get(apiPath`/v2/partner/client/${clientId}/allocationplan/${planId}`, AllocationPlanSchema, options);
  }

  /** `GET …/allocationplan/account/{account_id}`: the plan of an account. */
  async getAllocationPlanByAccount(
    clientId: string,
    accountId: string,
    options: CallOptions = {}
  ): Promise<AllocationPlan> {
    const path = apiPath`/v2/partner/client/${clientId}/allocationplan/account/${accountId}`;
    return this.#get(path, AllocationPlanSchema, options);
  }

  /** `PATCH …/allocationplan/{allocation_plan_id}`: change the autogiro bank account; returns the whole plan. */
  async patchAllocationPlan(
    clientId: string,
    planId: string,
    patch: AllocationPlanPatch,
    options: CallOptions = {}
  ): Promise<AllocationPlan> {
    const context = {
      method: 'PATCH',
      path: apiPath`/v2/partner/client/${clientId}/allocationplan/${planId}`,
    } as const;
    const body = this.#input(AllocationPlanPatchSchema, patch, context);
    return this.#send({ ...context, body, schema: AllocationPlanSchema, signal: options.signal });
  }

  // --- Payment instructions --------------------------------------------------------------------------------

  /**
   * `POST …/instruction/payment`: collect by autogiro. Each payment names its destination `account` (the docs'
   * request example omits it, but the response carries it). Amounts go out with exactly 2 decimals.
   *
   * @returns the instruction, or undefined if Fondo answered without a body.
   */
  async createPaymentInstruction(
    clientId: string,
    request: PaymentInstructionRequest,
    options: CallOptions = {}
  ): Promise<PaymentInstruction | undefined> {
    const context = { method: 'POST', path: apiPath`/v2/partner/client/${clientId}/instruction/payment` } as const;
    const valid = this.#input(PaymentInstructionRequestSchema, request, context);
    const body = {
      type: valid.type,
      payments: valid.payments.map((p) => ({
        account: p.account,
        amount: wireNumber(sekString(p.amount)),
        clientRef: p.clientRef,
      })),
    };
    return this.#send({ ...context, body, schema: PaymentInstructionSchema, signal: options.signal, allowEmpty: true });
  }

  /** `GET …/instruction/{instruction_id}`. */
  async getPaymentInstruction(
    clientId: string,
    instructionId: string,
    options: CallOptions = {}
  ): Promise<PaymentInstruction> {
    const path = apiPath`/v2/partner/client/${clientId}/instruction/${instructionId}`;
    return this.#get(path, PaymentInstructionSchema, options);
  }

  /** `GET …/instruction/{instruction_id}/payment`: the individual collections and their statuses. */
  async listInstructionPayments(
    clientId: string,
    instructionId: string,
    options: CallOptions = {}
  ): Promise<Payment[]> {
    const path = apiPath`/v2/partner/client/${clientId}/instruction/${instructionId}/payment`;
    return this.#get(path, z.array(PaymentSchema), options);
  }

  // --- Orders ----------------------------------------------------------------------------------------------

  /**
   * `POST …/order`: a subscription (SEK amount, sent with exactly 2 decimals) or a redemption (units, at most
   * `min(decimalsUnits, 7)` decimals — pass the instrument's `decimalsUnits`).
   *
   * @returns the order; undefined if Fondo answered without a body, and always for `validateOnly` (what Fondo
   * returns then is undocumented: success means the order is valid).
   */
  createOrder(
    clientId: string,
    request: SubscriptionOrderRequest,
    options?: CreateOrderOptions
  ): Promise<Order | undefined>;
  createOrder(clientId: string, request: RedemptionOrderRequest, options: UnitOrderOptions): Promise<Order | undefined>;
  async createOrder(
    clientId: string,
    request: CreateOrderRequest,
    options: CreateOrderOptions & { decimalsUnits?: number } = {}
  ): Promise<Order | undefined> {
    const context = { method: 'POST', path: apiPath`/v2/partner/client/${clientId}/order` } as const;
    const valid = this.#input(CreateOrderRequestSchema, request, context);
    const { orderType, account, instrument, clientRef, executorRef } = valid;
    const quantity =
      valid.orderType === 'subscription'
        ? { amount: wireNumber(sekString(valid.amount)) }
        : { units: wireNumber(this.#units(valid.units, options.decimalsUnits, context)) };
    const body = { orderType, account, instrument, ...quantity, ...optionalRefs(clientRef, executorRef) };
    return this.#createOrder(context, body, options);
  }

  /**
   * `POST …/order/withdrawal`: sell units and pay the proceeds to `bankAccount`. Units are bounded by the
   * instrument's `decimalsUnits` as for redemptions.
   */
  async createWithdrawalOrder(
    clientId: string,
    request: WithdrawalOrderRequest,
    options: UnitOrderOptions
  ): Promise<Order | undefined> {
    const context = { method: 'POST', path: apiPath`/v2/partner/client/${clientId}/order/withdrawal` } as const;
    const valid = this.#input(WithdrawalOrderRequestSchema, request, context);
    const { units, clientRef, paymentAccount, ...required } = valid;
    const body = {
      ...required,
      units: wireNumber(this.#units(units, options.decimalsUnits, context)),
      ...(clientRef === undefined ? {} : { clientRef }),
      ...(paymentAccount === undefined ? {} : { paymentAccount }),
    };
    return this.#createOrder(context, body, options);
  }

  /** `GET …/order`: one page of orders (`start`, `limit`, `modifiedFrom` are sent; the docs show none). */
  async listOrders(clientId: string, query: ModifiedQuery = {}, options: CallOptions = {}): Promise<Order[]> {
    const path = apiPath`/v2/partner/client/${clientId}/order`;
    return this.#get(path, z.array(OrderSchema), options, this.#query(ModifiedQuerySchema, query, path));
  }

  /** `GET …/order/{order_id}`. */
  async getOrder(clientId: string, orderId: string, options: CallOptions = {}): Promise<Order> {
    return this.#get(apiPath`/v2/partner/client/${clientId}/order/${orderId}`, OrderSchema, options);
  }

  /**
   * `DELETE …/order/{order_id}`: cancel an order not yet executed. Returns the order; its status is `canceled`
   * if the cancellation succeeded.
   */
  async cancelOrder(clientId: string, orderId: string, options: CallOptions = {}): Promise<Order> {
    const path = apiPath`/v2/partner/client/${clientId}/order/${orderId}`;
    return this.#send({ method: 'DELETE', path, schema: OrderSchema, signal: options.signal });
  }

  // --- Cash transactions -----------------------------------------------------------------------------------

  /** `GET …/transaction/cash`: one page, filterable by causing object (`ref`, `reftype`). */
  async listCashTransactions(
    clientId: string,
    query: TransactionListQuery = {},
    options: CallOptions = {}
  ): Promise<CashTransaction[]> {
    const path = apiPath`/v2/partner/client/${clientId}/transaction/cash`;
    return this.#get(
      path,
      z.array(CashTransactionSchema),
      options,
      this.#query(TransactionListQuerySchema, query, path)
    );
  }

  /** `GET …/transaction/cash/{transaction_id}`. */
  async getCashTransaction(
    clientId: string,
    transactionId: string,
    options: CallOptions = {}
  ): Promise<CashTransaction> {
    const path = apiPath`/v2/partner/client/${clientId}/transaction/cash/${transactionId}`;
    return this.#get(path, CashTransactionSchema, options);
  }

  /** `GET …/account/{account_id}/transaction/cash`: one page of an account's cash transactions. */
  async listAccountCashTransactions(
    clientId: string,
    accountId: string,
    query: ModifiedQuery = {},
    options: CallOptions = {}
  ): Promise<CashTransaction[]> {
    const path = apiPath`/v2/partner/client/${clientId}/account/${accountId}/transaction/cash`;
    return this.#get(path, z.array(CashTransactionSchema), options, this.#query(ModifiedQuerySchema, query, path));
  }

  // --- Fund transactions -----------------------------------------------------------------------------------

  /** `GET …/transaction/fund`: one page, filterable by causing object (`ref`, `reftype`). */
  async listFundTransactions(
    clientId: string,
    query: TransactionListQuery = {},
    options: CallOptions = {}
  ): Promise<FundTransaction[]> {
    const path = apiPath`/v2/partner/client/${clientId}/transaction/fund`;
    return this.#get(
      path,
      z.array(FundTransactionSchema),
      options,
      this.#query(TransactionListQuerySchema, query, path)
    );
  }

  /** `GET …/transaction/fund/{transaction_id}`. */
  async getFundTransaction(
    clientId: string,
    transactionId: string,
    options: CallOptions = {}
  ): Promise<FundTransaction> {
    const path = apiPath`/v2/partner/client/${clientId}/transaction/fund/${transactionId}`;
    return this.#get(path, FundTransactionSchema, options);
  }

  /** `GET …/account/{account_id}/transaction/fund`: one page of an account's fund transactions. */
  async listAccountFundTransactions(
    clientId: string,
    accountId: string,
    query: ModifiedQuery = {},
    options: CallOptions = {}
  ): Promise<FundTransaction[]> {
    const path = apiPath`/v2/partner/client/${clientId}/account/${accountId}/transaction/fund`;
    return this.#get(path, z.array(FundTransactionSchema), options, this.#query(ModifiedQuerySchema, query, path));
  }

  // --- Paging ----------------------------------------------------------------------------------------------
  // Each iterator walks every page (see pagination.ts); with `modifiedFrom` it is a reconciliation walk.

  /** Every account of the client (optionally filtered), page by page, without duplicates. */
  iterateAccounts(
    clientId: string,
    query: Omit<AccountListQuery, 'limit'> = {},
    options: IterateOptions = {}
  ): AsyncIterable<Account> {
    return this.#iterate(query, options, (page) => this.listAccounts(clientId, page, options));
  }

  /** Every order of the client, page by page, without duplicates. */
  iterateOrders(
    clientId: string,
    query: Omit<ModifiedQuery, 'limit'> = {},
    options: IterateOptions = {}
  ): AsyncIterable<Order> {
    return this.#iterate(query, options, (page) => this.listOrders(clientId, page, options));
  }

  /** Every cash transaction of the client (optionally by `ref` / `reftype`). */
  iterateCashTransactions(
    clientId: string,
    query: Omit<TransactionListQuery, 'limit'> = {},
    options: IterateOptions = {}
  ): AsyncIterable<CashTransaction> {
    return this.#iterate(query, options, (page) => this.listCashTransactions(clientId, page, options));
  }

  /** Every cash transaction of one account. */
  iterateAccountCashTransactions(
    clientId: string,
    accountId: string,
    query: Omit<ModifiedQuery, 'limit'> = {},
    options: IterateOptions = {}
  ): AsyncIterable<CashTransaction> {
    return this.#iterate(query, options, (page) =>
      this.listAccountCashTransactions(clientId, accountId, page, options)
    );
  }

  /** Every fund transaction of the client (optionally by `ref` / `reftype`). */
  iterateFundTransactions(
    clientId: string,
    query: Omit<TransactionListQuery, 'limit'> = {},
    options: IterateOptions = {}
  ): AsyncIterable<FundTransaction> {
    return this.#iterate(query, options, (page) => this.listFundTransactions(clientId, page, options));
  }

  /** Every fund transaction of one account. */
  iterateAccountFundTransactions(
    clientId: string,
    accountId: string,
    query: Omit<ModifiedQuery, 'limit'> = {},
    options: IterateOptions = {}
  ): AsyncIterable<FundTransaction> {
    return this.#iterate(query, options, (page) =>
      this.listAccountFundTransactions(clientId, accountId, page, options)
    );
  }

  // --- Events ----------------------------------------------------------------------------------------------

  /**
   * The client's event stream (`GET …/subscribe`, WebSocket), reconnecting until `options.signal` aborts.
   * After a `connected` item with `reconnect: true`, reconcile from `disconnectedAt` with `modifiedFrom`.
   */
  subscribe(clientId: string, options: SubscribeOptions = {}): AsyncIterable<FondoStreamItem> {
    const path = apiPath`/v2/partner/client/${clientId}/subscribe`;
    assertIdsPresent({ method: 'GET', path });
    return subscribeEvents(this.#http, clientId, options);
  }

  // --- Internals -------------------------------------------------------------------------------------------

  #get<S extends z.ZodType>(path: string, schema: S, options: CallOptions, query?: QueryParams): Promise<z.output<S>> {
    return this.#send({
      method: 'GET',
      path,
      schema,
      signal: options.signal,
      ...(query === undefined ? {} : { query }),
    });
  }

  #send<S extends z.ZodType>(spec: SendSpec<S>): Promise<z.output<S>>;
  #send<S extends z.ZodType>(spec: SendSpec<S> & { allowEmpty: true }): Promise<z.output<S> | undefined>;
  async #send<S extends z.ZodType>(spec: SendSpec<S> & { allowEmpty?: boolean }): Promise<z.output<S> | undefined> {
    assertIdsPresent(spec);
    const { allowEmpty, ...rest } = spec;
    return allowEmpty === true ? this.#http.request({ ...rest, allowEmpty }) : this.#http.request(rest);
  }

  async #createOrder(
    context: { method: 'POST'; path: string },
    body: Record<string, unknown>,
    options: CreateOrderOptions
  ): Promise<Order | undefined> {
    const { signal, validateOnly = false } = options;
    if (validateOnly) {
      const query = { 'validate-only': 'true' };
      await this.#send({ ...context, query, body, schema: IgnoredBodySchema, signal, allowEmpty: true });
      return undefined;
    }
    return this.#send({ ...context, body, schema: OrderSchema, signal, allowEmpty: true });
  }

  /** Checks units against the instrument's decimals and returns their wire form. */
  #units(units: string, decimalsUnits: number | undefined, context: CallContext): string {
    if (!DecimalsUnitsSchema.safeParse(decimalsUnits).success) {
      throw invalidRequest(context, ['decimalsUnits: the instrument decimalsUnits (a whole number ≥ 0) is required']);
    }
    const maxScale = Math.min(decimalsUnits ?? 0, MAX_UNIT_SCALE);
    if (scaleOf(units) > maxScale) {
      throw invalidRequest(context, [`units: must have at most ${maxScale} decimals for this instrument`]);
    }
    return toPlain(units);
  }

  /** Validates an input; a failure is `invalid-request` and nothing is sent. */
  #input<S extends z.ZodType>(schema: S, value: unknown, context: CallContext): z.output<S> {
    assertIdsPresent(context);
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw invalidRequest(context, describeIssues(parsed.error));
    return parsed.data;
  }

  #query<S extends z.ZodType<Record<string, string | number | undefined>>>(
    schema: S,
    query: unknown,
    path: string
  ): QueryParams {
    return this.#input(schema, query, { method: 'GET', path });
  }

  async *#iterate<T extends Modifiable, Q extends { start?: string; modifiedFrom?: string }>(
    query: Q,
    options: IterateOptions,
    list: (page: Q & PageRequest) => Promise<T[]>
  ): AsyncGenerator<T, void, undefined> {
    const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < MIN_PAGE_LIMIT) {
      throw invalidRequest({ method: 'GET', path: '(pagination)' }, [
        `limit: must be a whole number ≥ ${MIN_PAGE_LIMIT}`,
      ]);
    }
    const { start, modifiedFrom } = query;
    const fetchPage = (page: PageRequest) => list({ ...query, ...page });
    if (modifiedFrom === undefined) {
      yield* paginate(fetchPage, { limit, ...(start === undefined ? {} : { start }) });
      return;
    }
    const from = normaliseDateTime(modifiedFrom);
    if (from === undefined) {
      throw invalidRequest({ method: 'GET', path: '(pagination)' }, ['modifiedFrom: expected an ISO-8601 date-time']);
    }
    yield* modifiedSince((page) => list({ ...query, ...page, modifiedFrom: from }), {
      limit,
      modifiedFrom: from,
      ...(start === undefined ? {} : { start }),
    });
  }
}

interface SendSpec<S extends z.ZodType> {
  method: HttpMethod;
  path: string;
  query?: QueryParams;
  body?: unknown;
  schema: S;
  signal?: AbortSignal | undefined;
}

/**
 * Builds an API path, percent-encoding each interpolated id (`apiPath\`/order/${id}\``). An empty id leaves an
 * empty segment, which {@link assertIdsPresent} rejects before sending.
 */
function apiPath(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce((path, part, i) => path + part + (i < ids.length ? encodeURIComponent(ids[i] ?? '') : ''), '');
}

/** An empty id would silently turn `GET …/order/{id}` into `GET …/order/`; refuse it. */
function assertIdsPresent(context: CallContext): void {
  if (context.path.includes('//') || context.path.endsWith('/')) {
    throw invalidRequest(context, ['(path): an id is empty']);
  }
}

function invalidRequest(context: CallContext, issues: readonly string[]) {
  return createFondoError(context, { cause: 'local-validation', issues });
}

function optionalRefs(clientRef: string | undefined, executorRef: string | undefined) {
  return {
    ...(clientRef === undefined ? {} : { clientRef }),
    ...(executorRef === undefined ? {} : { executorRef }),
  };
}
