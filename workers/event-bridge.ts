/**
 * The event bridge: Fondo's WebSocket events → signals to the workflow that owns them, found by clientRef.
 *   cashTransaction.create of a `deposit` with a payment reference → paymentEvent to savings-cycle:<plan>:<period>
 *   order.create / order.update with a subscription reference      → orderEvent  to savings-cycle:<plan>:<period>
 *   order.create / order.update with a rebalance reference         → orderEvent  to rebalance:<plan>:<date>
 * Only what a workflow acts on is signalled (issue 14): an order in a final state (settled, canceled, refused —
 * FINAL_ORDER_STATES), and a completed deposit; an order's intermediate statuses (received, sent, confirmed, …)
 * wake nobody.
 *
 * Delivery is at-least-once (docs/ARCHITECTURE.md, "Event bridge"):
 * - an event is remembered as delivered only after Temporal accepted its signal, or answered that the workflow
 *   does not exist; until then it waits in a per-workflow queue (in order) and is retried with backoff;
 * - the queues are bounded: an event that finds them full is dropped and left to the reconciliation;
 * - reconciliation replays, with `modifiedFrom`, what changed since a gap: at start (the bridge's own downtime),
 *   after every reconnect of a subscription and after every period in which signals failed. Its two walks
 *   (orders, payment cash transactions) retry with backoff and resume from their last cursor, independently.
 * Workflows are idempotent to duplicates; they also poll, so the bridge makes cycles fast, not correct.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CashTransaction, FondoClient, Order } from '../fondo';
import { backoffDelay } from '../fondo/events';
import { isFondoError } from '../fondo/errors';
import { FINAL_ORDER_STATES } from '../shared/custodian';
import { orderStateOfFondo } from '../shared/fondo-custodian';
import { parseClientRef } from '../shared/ids';
import {
  MAX_ORDER_EVENTS_PER_SIGNAL,
  orderEventSignal,
  orderEventsSignal,
  paymentEventSignal,
  type OrderEvent,
  type PaymentEvent,
} from '../shared/messages';

export type BridgeSignal =
  | { workflowId: string; kind: 'payment'; payload: PaymentEvent; dedupeKey: string; modifiedDate?: string }
  | { workflowId: string; kind: 'order'; payload: OrderEvent; dedupeKey: string; modifiedDate?: string };

/** What one signal carries: one event, or several order events of one workflow batched (`orderEvents`). */
export type BridgeDelivery =
  | BridgeSignal
  | { workflowId: string; kind: 'orders'; payload: { events: OrderEvent[] }; dedupeKey: string };

/** Routes a deposit cash transaction to the cycle that owns its payment reference. */
export function routeCashTransaction(tx: CashTransaction): BridgeSignal | undefined {
  if (tx.transactionType !== 'deposit' || !tx.clientRef || tx.aborted) return undefined;
  const ref = parseClientRef(tx.clientRef);
  if (ref?.kind !== 'payment') return undefined;
  return {
    workflowId: ref.workflowId,
    kind: 'payment',
    payload: { clientRef: tx.clientRef, status: 'completed', amount: tx.amount, transactionId: tx.id },
    dedupeKey: `cash|${tx.id}`,
    ...(tx.modifiedDate ? { modifiedDate: tx.modifiedDate } : {}),
  };
}

const FINAL: ReadonlySet<string> = new Set(FINAL_ORDER_STATES);

/**
 * Routes an order to the cycle or rebalance run that owns its reference — only once it is final: workflows act on
 * final states alone (an intermediate status would cost a signal, a workflow task and a read for nothing).
 */
export function routeOrder(order: Order): BridgeSignal | undefined {
  if (!order.clientRef || !FINAL.has(orderStateOfFondo(order.status))) return undefined;
  const ref = parseClientRef(order.clientRef);
  if (!ref || ref.kind === 'payment') return undefined;
  return {
    workflowId: ref.workflowId,
    kind: 'order',
    payload: {
      clientRef: order.clientRef,
      orderId: order.id,
      status: order.status,
      amount: order.amount ?? null,
      units: order.units ?? null,
      price: order.price ?? null,
    },
    dedupeKey: `order|${order.id}|${order.status}|${order.modifiedDate ?? ''}`,
    ...(order.modifiedDate ? { modifiedDate: order.modifiedDate } : {}),
  };
}

/** What Temporal answered to one signal. */
export type SignalOutcome = 'sent' | 'not-found' | 'rejected';

/**
 * Sends one signal. Resolves with Temporal's answer; throws when Temporal did not answer (unreachable,
 * overloaded, timed out) — the bridge then retries.
 */
export interface Signaller {
  send(route: BridgeDelivery): Promise<SignalOutcome>;
}

/**
 * gRPC codes that are an answer about the request itself (INVALID_ARGUMENT 3, FAILED_PRECONDITION 9): retrying
 * the same signal cannot succeed. Everything else (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, …) is
 * retried.
 */
const DEFINITIVE_CODES: ReadonlySet<number> = new Set([3, 9]);

/** The real signaller: the Temporal client. */
export function temporalSignaller(client: Client): Signaller {
  return {
    async send(route) {
      const handle = client.workflow.getHandle(route.workflowId);
      try {
        if (route.kind === 'payment') await handle.signal(paymentEventSignal, route.payload);
        else if (route.kind === 'orders') await handle.signal(orderEventsSignal, route.payload);
        else await handle.signal(orderEventSignal, route.payload);
        return 'sent';
      } catch (err) {
        // The owner already finished (or never existed): nothing to tell.
        if (err instanceof WorkflowNotFoundError) return 'not-found';
        const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
        if (typeof code === 'number' && DEFINITIVE_CODES.has(code)) return 'rejected';
        throw err;
      }
    },
  };
}

export interface EventBridgeOptions {
  fondo: FondoClient;
  /** Where signals go: the Temporal client, or (tests) any {@link Signaller}. */
  temporal: Client | Signaller;
  clientIds: string[];
  logger: Logger;
  /** How far back to replay when the bridge starts (its own downtime); default 24 h. */
  startLookbackMs?: number;
  heartbeatTimeoutMs?: number;
  /** Retrying failed signals: first delay (default 500 ms), largest delay (default 30 s). */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Retrying failed reconciliation pages: first delay (default 1 s), largest delay (default 60 s). */
  reconcileRetry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Most events waiting for delivery, all workflows together (default 10 000); beyond it, reconciliation. */
  maxPending?: number;
  /** How far before a gap reconciliation starts (clock skew, in-flight changes); default 60 s. */
  reconcileMarginMs?: number;
  /**
   * Order events of one workflow that reach the bridge within `windowMs` of the first go in one `orderEvents`
   * signal (at most MAX_ORDER_EVENTS_PER_SIGNAL): a cycle's orders settle together, so one signal, one workflow task
   * and one read instead of one per order (issue 14). A lone event is sent as `orderEvent`. Default 1 000 ms;
   * `false` sends every event on its own.
   */
  orderBatch?: { windowMs: number } | false;
  /** Fondo's subscription reconnect backoff (tests shorten it). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

export interface EventBridgeStats {
  events: number;
  /** Signals Temporal accepted. */
  signals: number;
  duplicates: number;
  notFound: number;
  /** Signals Temporal refused as invalid (logged as errors; not retried). */
  rejected: number;
  /** Failed signal attempts (each retried). */
  signalFailures: number;
  /** Events dropped because the delivery queues were full (replayed by reconciliation). */
  overflowed: number;
  /** Events queued for delivery by a reconciliation walk. */
  reconciled: number;
  /** Reconciliation runs that finished both walks. */
  reconciliations: number;
  /** Failed reconciliation pages (each retried from its cursor). */
  reconcileFailures: number;
  reconnects: number;
}

/** Raised by {@link EventBridge.start} when Fondo does not know some configured client ids. */
export class UnknownClientIdsError extends Error {
  override name = 'UnknownClientIdsError' as const;
  constructor(readonly clientIds: string[]) {
    super(`EVENT_BRIDGE_CLIENT_IDS names client ids Fondo does not know: ${clientIds.join(', ')}`);
  }
}

/** Recently delivered signals, for de-duplication (bounded; insertion order = age). */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
  }
}

interface Pending {
  route: BridgeSignal;
  /** When the event reached the bridge (ms), for the failure period's reconciliation start. */
  receivedAt: number;
}

interface ReconcileState {
  /** Earliest `modifiedFrom` requested and not yet walked. */
  since?: string;
  reasons: Set<string>;
  running?: Promise<void>;
}

type WalkName = 'orders' | 'payments';

/** What one reconciliation walk did. */
interface WalkReport {
  seen: number;
  replayed: number;
  retries: number;
  complete: boolean;
}

export class EventBridge {
  readonly stats: EventBridgeStats = {
    events: 0,
    signals: 0,
    duplicates: 0,
    notFound: 0,
    rejected: 0,
    signalFailures: 0,
    overflowed: 0,
    reconciled: 0,
    reconciliations: 0,
    reconcileFailures: 0,
    reconnects: 0,
  };
  private readonly delivered = new RecentKeys(20_000);
  private readonly pendingKeys = new Set<string>();
  private readonly queues = new Map<string, Pending[]>();
  private pendingCount = 0;
  /** Start (ms) of the current period in which signals fail, if any; and how many queues are failing. */
  private failingSince: number | undefined;
  private readonly failingQueues = new Set<string>();
  private readonly reconciles = new Map<string, ReconcileState>();
  private readonly subscribed = new Map<string, boolean>();
  private readonly abort = new AbortController();
  private readonly signaller: Signaller;
  private running: Promise<void>[] = [];
  private readonly drains = new Set<Promise<void>>();
  private fatal: ((err: Error) => void) | undefined;
  /** Rejects when the bridge cannot go on (a subscription refused for good); never resolves otherwise. */
  readonly failed: Promise<never>;

  constructor(private readonly options: EventBridgeOptions) {
    this.signaller = 'send' in options.temporal ? options.temporal : temporalSignaller(options.temporal);
    this.failed = new Promise<never>((_, reject) => {
      this.fatal = reject;
    });
    // A caller that never awaits `failed` must not see an unhandled rejection.
    this.failed.catch(() => undefined);
  }

  /**
   * Checks every client id with Fondo (retrying while Fondo is unreachable), then starts one subscription per
   * client; resolves once each has connected the first time.
   *
   * @throws UnknownClientIdsError naming every id Fondo does not know (none is silently dropped).
   */
  async start(): Promise<void> {
    await this.checkClientIds();
    const connected = this.options.clientIds.map(
      (clientId) =>
        new Promise<void>((resolve) => {
          this.running.push(this.follow(clientId, resolve));
        })
    );
    await Promise.race([Promise.all(connected), this.failed]);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.running);
    await Promise.allSettled([...this.drains]);
    await Promise.allSettled([...this.reconciles.values()].flatMap((r) => (r.running ? [r.running] : [])));
    this.running = [];
  }

  /** Readiness: every subscription is connected and signals are not failing. */
  health(): { subscriptions: boolean; signals: boolean } {
    const subscriptions =
      this.options.clientIds.length > 0 && this.options.clientIds.every((id) => this.subscribed.get(id) === true);
    return { subscriptions, signals: this.failingQueues.size === 0 };
  }

  /** Events waiting for delivery. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Resolves once nothing waits for delivery and no reconciliation runs (tests, shutdown reports). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.drains, ...[...this.reconciles.values()].flatMap((r) => (r.running ? [r.running] : []))];
      if (busy.length === 0) return;
      await Promise.allSettled(busy);
    }
  }

  private async checkClientIds(): Promise<void> {
    const unknown: string[] = [];
    for (const clientId of this.options.clientIds) {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.options.fondo.listClientInstruments(clientId, { signal: this.abort.signal });
          break;
        } catch (err) {
          if (isFondoError(err) && err.kind === 'not-found') {
            unknown.push(clientId);
            break;
          }
          if (!isFondoError(err) || !err.retryable || this.abort.signal.aborted) throw err;
          const retryInMs = backoffDelay(attempt, 500, 15_000);
          this.options.logger.warn(
            { dependency: 'fondo', attempt: attempt + 1, retryInMs, err },
            'Fondo not reachable; retrying'
          );
          await sleep(retryInMs, this.abort.signal);
        }
      }
    }
    if (unknown.length > 0) throw new UnknownClientIdsError(unknown);
  }

  private async follow(clientId: string, onFirstConnect: () => void): Promise<void> {
    const { fondo, logger } = this.options;
    const startedAt = new Date(Date.now() - (this.options.startLookbackMs ?? 24 * 3600_000)).toISOString();
    try {
      for await (const item of fondo.subscribe(clientId, {
        signal: this.abort.signal,
        ...(this.options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: this.options.heartbeatTimeoutMs } : {}),
        ...(this.options.reconnect ? { reconnect: this.options.reconnect } : {}),
        onInvalidEvent: (info) =>
          logger.warn({ clientId, eventType: info.eventType, issues: info.issues }, 'skipped a malformed Fondo event'),
        onDisconnected: ({ retryInMs, error }) => {
          this.subscribed.set(clientId, false);
          logger.warn(
            { clientId, retryInMs, ...(error === undefined ? {} : { err: error }) },
            'Fondo event subscription lost; reconnecting'
          );
        },
      })) {
        if (item.kind === 'connected') {
          this.subscribed.set(clientId, true);
          if (item.reconnect) this.stats.reconnects++;
          logger.info({ clientId, reconnect: item.reconnect }, 'subscribed to Fondo events');
          onFirstConnect();
          // Replay the gap: since the disconnect (minus a margin), or since the lookback when starting.
          const since =
            item.reconnect && item.disconnectedAt
              ? new Date(Date.parse(item.disconnectedAt) - this.marginMs).toISOString()
              : startedAt;
          this.requestReconcile(clientId, since, item.reconnect ? 'reconnect' : 'start');
          continue;
        }
        this.stats.events++;
        const event = item.event;
        if (event.resource === 'order' && event.current) this.enqueue(clientId, routeOrder(event.current));
        if (event.resource === 'cashTransaction' && event.eventType === 'cashTransaction.create' && event.current) {
          this.enqueue(clientId, routeCashTransaction(event.current));
        }
      }
    } catch (err) {
      this.subscribed.set(clientId, false);
      if (!this.abort.signal.aborted) {
        logger.error({ clientId, err }, 'event subscription ended');
        this.fatal?.(err instanceof Error ? err : new Error(String(err)));
      }
      onFirstConnect();
    }
  }

  private get marginMs(): number {
    return this.options.reconcileMarginMs ?? 60_000;
  }

  // --- Delivery ---------------------------------------------------------------------------------------------

  /** Queues one signal unless it was delivered or is queued already; true when queued. */
  private enqueue(clientId: string, route: BridgeSignal | undefined): boolean {
    if (!route) return false;
    if (this.delivered.has(route.dedupeKey) || this.pendingKeys.has(route.dedupeKey)) {
      this.stats.duplicates++;
      return false;
    }
    if (this.pendingCount >= (this.options.maxPending ?? 10_000)) {
      // Full: the event is not remembered, so the reconciliation after the failing period finds it again.
      this.stats.overflowed++;
      this.failingSince = Math.min(this.failingSince ?? Date.now(), eventTime(route, Date.now()));
      this.options.logger.warn(
        { clientId, ...describeRoute(route), pending: this.pendingCount },
        'delivery queue full; the event is left to reconciliation'
      );
      return false;
    }
    const queue = this.queues.get(route.workflowId);
    const entry: Pending = { route, receivedAt: Date.now() };
    this.pendingKeys.add(route.dedupeKey);
    this.pendingCount++;
    if (queue) {
      queue.push(entry);
      return true;
    }
    this.queues.set(route.workflowId, [entry]);
    const drain = this.drain(route.workflowId).finally(() => this.drains.delete(drain));
    this.drains.add(drain);
    return true;
  }

  /** Delivers one workflow's queue in order, retrying each signal until Temporal answers. */
  private async drain(workflowId: string): Promise<void> {
    const { logger } = this.options;
    const initialDelayMs = this.options.retry?.initialDelayMs ?? 500;
    const maxDelayMs = this.options.retry?.maxDelayMs ?? 30_000;
    const queue = this.queues.get(workflowId)!;
    /** Events still to send one by one, after Temporal refused the batch that held them. */
    let singly = 0;
    while (queue.length > 0) {
      await this.batchWindow(queue[0]!);
      const batch = singly > 0 ? [queue[0]!] : this.takeBatch(queue);
      singly = Math.max(0, singly - 1);
      const route = deliveryOf(batch.map((p) => p.route));
      const receivedAt = Math.min(...batch.map((p) => p.receivedAt));
      const eventAt = Math.min(...batch.map((p) => eventTime(p.route, p.receivedAt)));
      let batchRefused = false;
      for (let attempt = 0; ; attempt++) {
        if (this.abort.signal.aborted) return;
        let outcome: SignalOutcome;
        try {
          outcome = await this.signaller.send(route);
        } catch (err) {
          this.stats.signalFailures++;
          this.failingQueues.add(workflowId);
          this.failingSince = Math.min(this.failingSince ?? Date.now(), eventAt, receivedAt);
          const retryInMs = backoffDelay(attempt, initialDelayMs, maxDelayMs);
          logger.warn({ ...describeRoute(route), attempt: attempt + 1, retryInMs, err }, 'signal failed; retrying');
          await sleep(retryInMs, this.abort.signal);
          continue;
        }
        if (outcome === 'sent') {
          this.stats.signals++;
          logger.debug(describeRoute(route), 'signalled');
        } else if (outcome === 'not-found') {
          this.stats.notFound++;
        } else if (batch.length > 1) {
          // A refused batch does not condemn its events: each is sent on its own next (and refused alone if invalid).
          logger.warn(describeRoute(route), 'Temporal refused the batched signal; sending its events one by one');
          singly = batch.length;
          batchRefused = true;
          break;
        } else {
          this.stats.rejected++;
          logger.error(describeRoute(route), 'Temporal refused the signal as invalid; not retried');
        }
        for (const p of batch) this.delivered.add(p.route.dedupeKey);
        break;
      }
      if (batchRefused) continue; // nothing delivered: the same events, one by one
      queue.splice(0, batch.length);
      for (const p of batch) this.pendingKeys.delete(p.route.dedupeKey);
      this.pendingCount -= batch.length;
      this.failingQueues.delete(workflowId);
      this.afterFailingPeriod();
    }
    this.queues.delete(workflowId);
  }

  /** Before an order event is sent: waits until the batching window since it arrived has passed. */
  private async batchWindow(head: Pending): Promise<void> {
    const batching = this.options.orderBatch ?? { windowMs: 1000 };
    if (batching === false || head.route.kind !== 'order') return;
    const waitMs = head.receivedAt + batching.windowMs - Date.now();
    if (waitMs > 0) await sleep(waitMs, this.abort.signal);
  }

  /** The head of a queue and, when batching, the order events right behind it (in order, bounded). */
  private takeBatch(queue: Pending[]): Pending[] {
    const head = queue[0]!;
    if (this.options.orderBatch === false || head.route.kind !== 'order') return [head];
    let end = 1;
    while (end < queue.length && end < MAX_ORDER_EVENTS_PER_SIGNAL && queue[end]!.route.kind === 'order') end++;
    return queue.slice(0, end);
  }

  /**
   * Once no queue is failing any more (and the queues have room again after an overflow), replays the failure
   * period for every client.
   */
  private afterFailingPeriod(): void {
    if (this.failingQueues.size > 0 || this.failingSince === undefined) return;
    if (this.pendingCount > (this.options.maxPending ?? 10_000) / 2) return;
    const since = new Date(this.failingSince - this.marginMs).toISOString();
    this.failingSince = undefined;
    for (const clientId of this.options.clientIds) this.requestReconcile(clientId, since, 'signals-recovered');
  }

  // --- Reconciliation ---------------------------------------------------------------------------------------

  /** Asks for a reconciliation of one client from `since`; merges with one already waiting or running. */
  requestReconcile(clientId: string, since: string, reason: string): void {
    let state = this.reconciles.get(clientId);
    if (!state) {
      state = { reasons: new Set() };
      this.reconciles.set(clientId, state);
    }
    state.since = state.since === undefined || since < state.since ? since : state.since;
    state.reasons.add(reason);
    if (state.running) return;
    const current = state;
    current.running = this.reconcileLoop(clientId, current).finally(() => {
      current.running = undefined;
    });
  }

  private async reconcileLoop(clientId: string, state: ReconcileState): Promise<void> {
    while (state.since !== undefined && !this.abort.signal.aborted) {
      const since = state.since;
      const reasons = [...state.reasons];
      state.since = undefined;
      state.reasons.clear();
      await this.reconcile(clientId, since, reasons);
    }
  }

  /** Replays everything that changed since `since`: both walks, each to its end, independently. */
  async reconcile(clientId: string, since: string, reasons: string[] = ['manual']): Promise<void> {
    const [orders, payments] = await Promise.all([
      this.walk(clientId, 'orders', since),
      this.walk(clientId, 'payments', since),
    ]);
    if (this.abort.signal.aborted) return;
    if (orders.complete && payments.complete) this.stats.reconciliations++;
    this.options.logger.info(
      { clientId, since, reasons, orders, payments },
      `reconciliation ${orders.complete && payments.complete ? 'finished' : 'gave up'}: replayed ${
        orders.replayed
      } order and ${payments.replayed} payment events`
    );
  }

  private async walk(clientId: string, walk: WalkName, since: string): Promise<WalkReport> {
    const { fondo, logger } = this.options;
    const initialDelayMs = this.options.reconcileRetry?.initialDelayMs ?? 1000;
    const maxDelayMs = this.options.reconcileRetry?.maxDelayMs ?? 60_000;
    const report: WalkReport = { seen: 0, replayed: 0, retries: 0, complete: false };
    let cursor: string | undefined;
    const options = { signal: this.abort.signal };
    for (;;) {
      if (this.abort.signal.aborted) return report;
      const query = { modifiedFrom: since, ...(cursor === undefined ? {} : { start: cursor }) };
      try {
        if (walk === 'orders') {
          for await (const order of fondo.iterateOrders(clientId, query, options)) {
            cursor = order.sortedId;
            report.seen++;
            if (this.enqueue(clientId, routeOrder(order))) report.replayed++;
          }
        } else {
          for await (const tx of fondo.iterateCashTransactions(clientId, { ...query, reftype: 'payment' }, options)) {
            cursor = tx.sortedId;
            report.seen++;
            if (this.enqueue(clientId, routeCashTransaction(tx))) report.replayed++;
          }
        }
        this.stats.reconciled += report.replayed;
        report.complete = true;
        return report;
      } catch (err) {
        if (this.abort.signal.aborted) return report;
        this.stats.reconcileFailures++;
        if (isFondoError(err) && !err.retryable) {
          // Retrying cannot help (e.g. the client is gone); the workflows' polls remain.
          this.stats.reconciled += report.replayed;
          logger.error({ clientId, walk, err }, 'reconciliation walk refused by Fondo; not retried');
          return report;
        }
        const retryInMs = backoffDelay(report.retries++, initialDelayMs, maxDelayMs);
        logger.warn(
          { clientId, walk, attempt: report.retries, retryInMs, resumesAfterCursor: cursor !== undefined, err },
          'reconciliation page failed; retrying from its cursor'
        );
        await sleep(retryInMs, this.abort.signal);
      }
    }
  }
}

/** One signal for a batch: the event itself when alone, else one `orderEvents` signal (batches hold orders only). */
function deliveryOf(routes: BridgeSignal[]): BridgeDelivery {
  if (routes.length === 1) return routes[0]!;
  const events = routes.flatMap((r) => (r.kind === 'order' ? [r.payload] : []));
  return {
    workflowId: routes[0]!.workflowId,
    kind: 'orders',
    payload: { events },
    dedupeKey: routes.map((r) => r.dedupeKey).join(','),
  };
}

/** What a log line says about an event: its reference, kind and status (opaque ids only). */
function describeRoute(route: BridgeDelivery): Record<string, string> {
  if (route.kind === 'orders')
    return {
      workflowId: route.workflowId,
      kind: 'orders',
      references: route.payload.events.map((e) => e.clientRef).join(','),
      statuses: route.payload.events.map((e) => e.status).join(','),
    };
  return route.kind === 'payment'
    ? {
        workflowId: route.workflowId,
        kind: 'payment',
        reference: route.payload.clientRef,
        status: route.payload.status,
        transactionId: route.payload.transactionId,
      }
    : {
        workflowId: route.workflowId,
        kind: 'order',
        reference: route.payload.clientRef,
        status: route.payload.status,
        orderId: route.payload.orderId,
      };
}

/** The earliest moment an event may be dated by (its modification time, else when it arrived). */
function eventTime(route: BridgeSignal, receivedAt: number): number {
  const modified = route.modifiedDate === undefined ? NaN : Date.parse(route.modifiedDate);
  return Number.isNaN(modified) ? receivedAt : Math.min(modified, receivedAt);
}

/** Waits `ms`, or less if `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
