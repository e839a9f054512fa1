/**
 * The event bridge: Fondo's WebSocket events → signals to the workflow that owns them, found by clientRef.
 *   cashTransaction.create of a `deposit` with a payment reference → paymentEvent to savings-cycle:<plan>:<period>
 *   order.create / order.update with a subscription reference      → orderEvent  to savings-cycle:<plan>:<period>
 *   order.create / order.update with a rebalance reference         → orderEvent  to rebalance:<plan>:<date>
 * De-duplicates (the same event seen twice sends one signal), reconnects with backoff (the Fondo client does),
 * and after a gap — a reconnect, or the bridge starting — replays what changed since with `modifiedFrom`.
 * Signals are hints: workflows also poll, so a lost signal delays a cycle but never breaks it.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CashTransaction, FondoClient, Order } from '../fondo';
import { parseClientRef } from '../shared/ids';
import { orderEventSignal, paymentEventSignal, type OrderEvent, type PaymentEvent } from '../shared/messages';

export type BridgeSignal =
  | { workflowId: string; kind: 'payment'; payload: PaymentEvent; dedupeKey: string }
  | { workflowId: string; kind: 'order'; payload: OrderEvent; dedupeKey: string };

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
  };
}

/** Routes an order state to the cycle or rebalance run that owns its reference. */
export function routeOrder(order: Order): BridgeSignal | undefined {
  if (!order.clientRef) return undefined;
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
  };
}

export interface EventBridgeOptions {
  fondo: FondoClient;
  temporal: Client;
  clientIds: string[];
  logger: Logger;
  /** How far back to replay when the bridge starts (its own downtime); default 24 h. */
  startLookbackMs?: number;
  heartbeatTimeoutMs?: number;
}

export interface EventBridgeStats {
  events: number;
  signals: number;
  duplicates: number;
  notFound: number;
  reconciled: number;
  reconnects: number;
}

/** Recently sent signals, for de-duplication (bounded; insertion order = age). */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity: number) {}
  /** True if the key is new (and remembers it). */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}

export class EventBridge {
  readonly stats: EventBridgeStats = {
    events: 0,
    signals: 0,
    duplicates: 0,
    notFound: 0,
    reconciled: 0,
    reconnects: 0,
  };
  private readonly recent = new RecentKeys(20_000);
  private readonly abort = new AbortController();
  private running: Promise<void>[] = [];

  constructor(private readonly options: EventBridgeOptions) {}

  /** Starts one subscription per client; resolves once each has connected the first time. */
  async start(): Promise<void> {
    const connected = this.options.clientIds.map(
      (clientId) =>
        new Promise<void>((resolve) => {
          this.running.push(this.follow(clientId, resolve));
        })
    );
    await Promise.all(connected);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.running);
    this.running = [];
  }

  private async follow(clientId: string, onFirstConnect: () => void): Promise<void> {
    const { fondo, logger } = this.options;
    const startedAt = new Date(Date.now() - (this.options.startLookbackMs ?? 24 * 3600_000)).toISOString();
    try {
      for await (const item of fondo.subscribe(clientId, {
        signal: this.abort.signal,
        ...(this.options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: this.options.heartbeatTimeoutMs } : {}),
        onInvalidEvent: (info) =>
          logger.warn({ clientId, eventType: info.eventType, issues: info.issues }, 'skipped a malformed Fondo event'),
      })) {
        if (item.kind === 'connected') {
          if (item.reconnect) this.stats.reconnects++;
          logger.info({ clientId, reconnect: item.reconnect }, 'subscribed to Fondo events');
          onFirstConnect();
          // Replay the gap: since the disconnect (minus a margin), or since the lookback when starting.
          const since =
            item.reconnect && item.disconnectedAt
              ? new Date(Date.parse(item.disconnectedAt) - 60_000).toISOString()
              : startedAt;
          await this.reconcile(clientId, since);
          continue;
        }
        this.stats.events++;
        const event = item.event;
        if (event.resource === 'order' && event.current) await this.deliver(routeOrder(event.current));
        if (event.resource === 'cashTransaction' && event.eventType === 'cashTransaction.create' && event.current) {
          await this.deliver(routeCashTransaction(event.current));
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted)
        logger.error({ clientId, err: (err as Error).message }, 'event subscription ended');
      onFirstConnect();
    }
  }

  /** Signals everything that changed since `since` (events missed during a gap). */
  async reconcile(clientId: string, since: string): Promise<void> {
    const { fondo, logger } = this.options;
    try {
      for await (const order of fondo.iterateOrders(clientId, { modifiedFrom: since }, { signal: this.abort.signal })) {
        if (await this.deliver(routeOrder(order))) this.stats.reconciled++;
      }
      for await (const tx of fondo.iterateCashTransactions(
        clientId,
        { modifiedFrom: since, reftype: 'payment' },
        { signal: this.abort.signal }
      )) {
        if (await this.deliver(routeCashTransaction(tx))) this.stats.reconciled++;
      }
    } catch (err) {
      if (!this.abort.signal.aborted)
        logger.warn(
          { clientId, err: (err as Error).message },
          'reconciliation incomplete; workflows fall back to polling'
        );
    }
  }

  /** Sends one signal unless it was sent already; true when sent. */
  private async deliver(route: BridgeSignal | undefined): Promise<boolean> {
    if (!route) return false;
    if (!this.recent.add(route.dedupeKey)) {
      this.stats.duplicates++;
      return false;
    }
    const handle = this.options.temporal.workflow.getHandle(route.workflowId);
    try {
      if (route.kind === 'payment') await handle.signal(paymentEventSignal, route.payload);
      else await handle.signal(orderEventSignal, route.payload);
      this.stats.signals++;
      this.options.logger.debug(
        { workflowId: route.workflowId, kind: route.kind, clientRef: route.payload.clientRef },
        'signalled'
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // The owner already finished (or never existed): nothing to tell.
        this.stats.notFound++;
        return false;
      }
      this.options.logger.warn(
        { workflowId: route.workflowId, err: (err as Error).message },
        'signal failed; the workflow will poll'
      );
      return false;
    }
  }
}
