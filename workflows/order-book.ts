/**
 * OrderBook — the orders one workflow placed, tracked to a final state. Order events from the event bridge
 * (orderEvent) wake it at once — an event is a hint: the book reads the order from the custodian and books only the
 * custodian's answer, so a forged or stale signal changes no money —. When events are lost, the quiet-period safety
 * net (shared/quiet-period.ts) reads the open orders 15 minutes after the later of the last progress (an order placed
 * or become final) and the moment the open orders are normally final (shared/order-timeline.ts: settled two banking
 * days after the trade date; before that a healthy bridge has nothing to say), then backs off ×4 up to 12 hours
 * (histories recorded before patch `orders-quiet-from-usual-settlement` count from the last progress; before the
 * safety net they poll every 12 hours: `poll()`), so a workflow completes even when no event ever arrives. Settled
 * orders are completed with the cash the custodian moved.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../activities';
import { FINAL_ORDER_STATES, type OrderRefusal, type OrderState, type OrderStateName } from '../shared/custodian';
import type { OrderEventPayload } from '../shared/messages';
import { SEK_SCALE, toFixed } from '../shared/money';
import { usualFinalAt } from '../shared/order-timeline';
import { nextQuietReadAt, ORDER_QUIET_POLICY } from '../shared/quiet-period';
import type { OrderRecordSummary } from '../shared/status';
import { fondoRead } from './activity-options';
import { HOUR_MS, nowMs } from './time';
import { PATCH } from './patches';

const read = proxyActivities<Activities>(fondoRead);

type OrderEvent = z.output<typeof OrderEventPayload>;

/** States after which an order never changes. */
export const FINAL_STATUSES: ReadonlySet<OrderStateName> = new Set(FINAL_ORDER_STATES);
export const ORDER_POLL_INTERVAL_MS = 12 * HOUR_MS;
/** Bound on buffered events (a cycle or run has a handful of orders with ~4 events each). */
const MAX_PENDING_EVENTS = 500;

export type TrackedOrder = OrderRecordSummary & { side: 'buy' | 'sell' };

/**
 * Cash amounts in summaries always carry 2 decimals (a custodian may send 400 for 400.00). Settled cash is whole öre;
 * should a custodian report more decimals, the customer is credited no more than was moved (round down).
 */
function sek(amount: string | null): string | null {
  return amount === null ? null : toFixed(amount, SEK_SCALE, 'down');
}

export class OrderBook {
  readonly orders: TrackedOrder[] = [];
  private events: OrderEvent[] = [];
  /** Events of orders not yet in the book, re-queued when an order is added. */
  private waiting: OrderEvent[] = [];
  private lastPoll = 0;
  /** Quiet-period safety net: the last progress (an order placed or become final) and the reads since then. */
  private progressAt = 0;
  private quietReads = 0;
  /** The anchor the reads are counted from (shared/quiet-period.ts backs off from it). */
  private quietAnchorAt = 0;
  /** When each order is normally final (from its placement in this workflow), by clientRef. */
  private readonly usualFinal = new Map<string, number>();
  private readonly reported = new Set<string>();

  constructor(private readonly clientId: string) {}

  add(order: TrackedOrder): void {
    this.orders.push(order);
    this.usualFinal.set(order.clientRef, usualFinalAt(nowMs()));
    this.events = [...this.waiting, ...this.events];
    this.waiting = [];
    if (this.lastPoll < nowMs()) this.lastPoll = nowMs();
    this.progressed();
  }

  private progressed(): void {
    this.progressAt = nowMs();
    this.quietReads = 0;
  }

  /** Records an order the custodian accepted (or an earlier attempt placed); `amount` is what was ordered. */
  addPlaced(
    leg: { instrument: string; clientRef: string; amount: string; side: 'buy' | 'sell' },
    state: OrderState
  ): void {
    this.add({
      ...leg,
      orderId: state.orderId,
      units: state.units,
      price: state.price,
      settledAmount: null,
      status: state.status,
      note: null,
    });
  }

  /** Records an order the custodian refused (kept in the summary with the neutral refusal). */
  addRefused(
    leg: { instrument: string; clientRef: string; amount: string; side: 'buy' | 'sell' },
    reason: OrderRefusal
  ): void {
    this.add({ ...leg, orderId: null, units: null, price: null, settledAmount: null, status: 'refused', note: reason });
  }

  /** Orders of one fund and side so far (for the next reference's sequence number). */
  count(instrument: string, side: 'buy' | 'sell'): number {
    return this.orders.filter((o) => o.instrument === instrument && o.side === side).length;
  }

  /** Placed orders not yet final. */
  open(): TrackedOrder[] {
    return this.orders.filter((o) => o.orderId !== null && !FINAL_STATUSES.has(o.status));
  }

  /** Whether events are waiting to be applied (events of orders not yet known wait apart and do not count). */
  hasEvents(): boolean {
    return this.events.length > 0;
  }

  /**
   * Signal handler. The bridge routes only this workflow's references here, so an event is kept even when its
   * order is not known yet: the create may have succeeded while the activity's result is still on its way (the
   * worker died after the create), and the events must apply once the retried activity adopts the order.
   */
  onEvent(event: OrderEvent): void {
    this.events.push(event);
  }

  /**
   * Applies events of known orders; events of orders not yet known wait (bounded). Events are hints: the orders they
   * name are read from the custodian and only its answer is booked (histories recorded before this rule apply the
   * event's own status, as they did; patch `order-events-are-hints`).
   */
  async applyEvents(): Promise<void> {
    const named = new Set<TrackedOrder>();
    for (const e of this.events.splice(0)) {
      const order = this.orders.find(
        (o) => o.clientRef === e.clientRef || (o.orderId !== null && o.orderId === e.orderId)
      );
      if (!order) {
        this.waiting.push(e);
        if (this.waiting.length > MAX_PENDING_EVENTS) this.waiting.shift();
        continue;
      }
      if (FINAL_STATUSES.has(order.status)) continue;
      named.add(order);
      if (!patched(PATCH.orderEventsAreHints))
        Object.assign(order, { status: e.status, units: e.units ?? order.units, price: e.price ?? order.price });
    }
    if (named.size && patched(PATCH.orderEventsAreHints)) await this.read([...named]);
  }

  /** When the fallback poll is due (Infinity when nothing is open). */
  nextPollAt(): number {
    return this.open().length ? this.lastPoll + ORDER_POLL_INTERVAL_MS : Infinity;
  }

  /** Reads the open orders from the custodian (the fallback when events are missing). */
  async poll(): Promise<void> {
    this.lastPoll = nowMs();
    const open = this.open();
    if (open.length) await this.read(open);
  }

  /**
   * When the quiet-period safety net reads next (Infinity when nothing is open): the quiet period after its anchor,
   * then ×4 up to the old 12-hour poll (shared/quiet-period.ts). Reads that find nothing new move it out; an order
   * placed or become final brings it back to the quiet period after the new anchor.
   */
  nextQuietReadAt(): number {
    const open = this.open();
    if (!open.length) return Infinity;
    const anchor = this.quietAnchor(open);
    // Reads before the anchor do not back off the reads after it. Progress resets both, so this matters only for a
    // workflow in flight when its anchor moved to the usual settlement (its earlier reads counted from placement).
    if (anchor > this.quietAnchorAt) [this.quietAnchorAt, this.quietReads] = [anchor, 0];
    return nextQuietReadAt(anchor, this.quietReads, ORDER_QUIET_POLICY);
  }

  /**
   * The later of the last progress and the moment the first open order is normally final: a healthy bridge signals
   * final states only, so silence before then is the happy path, not a lost event (issue 14: counting from the
   * placement read 7 times during every settlement wait). Patch `orders-quiet-from-usual-settlement`.
   */
  private quietAnchor(open: TrackedOrder[]): number {
    if (!patched(PATCH.ordersQuietFromUsualSettlement)) return this.progressAt;
    const firstFinal = Math.min(...open.map((o) => this.usualFinal.get(o.clientRef) ?? this.progressAt));
    return Math.max(this.progressAt, firstFinal);
  }

  /** The safety net's read of the open orders (counted, so the next one backs off unless it found progress). */
  async quietRead(): Promise<void> {
    this.quietReads++;
    await this.poll();
  }

  /** Books the custodian's current state of `orders` (status, units, price, and the cash moved once settled). */
  private async read(orders: TrackedOrder[]): Promise<void> {
    const openBefore = this.open().length;
    const states = await read.getOrderStates({ clientId: this.clientId, orderIds: orders.map((o) => o.orderId!) });
    for (const s of states) {
      const order = this.orders.find((o) => o.orderId === s.orderId)!;
      Object.assign(order, {
        status: s.status,
        units: s.units,
        price: s.price,
        settledAmount: sek(s.settledAmount),
        note: s.reason ?? order.note,
      });
    }
    if (this.open().length < openBefore) this.progressed();
  }

  /** Settled orders known from events lack the cash the custodian moved: read it once. */
  async fetchSettledAmounts(): Promise<void> {
    const missing = this.orders.filter((o) => o.status === 'settled' && o.settledAmount === null && o.orderId !== null);
    if (!missing.length) return;
    const states = await read.getOrderStates({ clientId: this.clientId, orderIds: missing.map((o) => o.orderId!) });
    for (const s of states) {
      const order = this.orders.find((o) => o.orderId === s.orderId)!;
      Object.assign(order, { units: s.units, price: s.price, settledAmount: sek(s.settledAmount) });
    }
  }

  /** Orders that reached a final state since the last call (each reported once, for the explanation). */
  takeNewlyFinal(): TrackedOrder[] {
    const fresh = this.orders.filter(
      (o) => o.orderId !== null && FINAL_STATUSES.has(o.status) && !this.reported.has(o.clientRef)
    );
    for (const o of fresh) this.reported.add(o.clientRef);
    return fresh;
  }

  /** The orders as reported (summaries without workflow bookkeeping). */
  summaries(): OrderRecordSummary[] {
    return this.orders.map(({ side: _side, ...o }) => ({ ...o }));
  }
}
