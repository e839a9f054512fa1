/**
 * Placing and tracking orders, shared by the savings cycle and the rebalance run. A leg is placed under the next
 * reference of its fund and side (check-before-create in the activity makes every retry safe); the result, placed
 * or refused in the custodian port's words, goes into the order book; `step` waits once for order events, retryNow
 * or the quiet-period safety net's next read (shared/quiet-period.ts), and `untilFinal` repeats it until every placed
 * order is final. The wait keeps one timer across wakes (WakeTimer): an event does not cost a timer.
 */
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlaceBatchOrderResult, PlaceOrderResult } from '../shared/custodian';
import { formatSek } from '../shared/money';
import { fondoWrite } from './activity-options';
import { OrderBook } from './order-book';
import { nowMs, waitUntil, WakeTimer } from './time';
import { PATCH } from './patches';

/**
 * Guards the quiet-period safety net and its one-timer waits (order desk and deposit): histories recorded before it
 * wait with `condition(fn, timeout)` per wake and poll every 12 h (orders) / 6 h (payments).
 */
export const QUIET_PERIOD_PATCH = PATCH.quietPeriodSafetyNet;

const write = proxyActivities<Activities>(fondoWrite);

/** retryNow: set by the signal, taken by the wait it interrupts. */
export class RetryFlag {
  requested = false;
  take(): boolean {
    const was = this.requested;
    this.requested = false;
    return was;
  }
}

export type Side = 'buy' | 'sell';

export interface Leg {
  instrument: string;
  side: Side;
  /** SEK ordered (a buy) or the estimated proceeds (a sell). */
  amount: string;
  /** For a sell: units within the fund's unit decimals. */
  units?: { units: string; decimalsUnits: number };
}

export class OrderDesk {
  readonly book: OrderBook;
  private readonly timer = new WakeTimer();

  constructor(
    private readonly account: { clientId: string; accountId: string },
    /** ISO instant no later than the owning workflow's start (the activity looks orders up from here). */
    readonly searchFrom: string,
    readonly retry: RetryFlag
  ) {
    this.book = new OrderBook(account.clientId);
  }

  /** Places one leg under `refFor(seq)`, seq = the fund's and side's next number; the result is in the book. */
  async place(leg: Leg, refFor: (seq: number) => string): Promise<PlaceOrderResult & { clientRef: string }> {
    const clientRef = refFor(this.book.count(leg.instrument, leg.side) + 1);
    const result = await this.create(leg, clientRef);
    const entry = { instrument: leg.instrument, clientRef, side: leg.side };
    if (result.outcome === 'placed') {
      // A buy is booked at the amount ordered; a sell at what the custodian estimates it raises.
      const amount = leg.side === 'buy' ? leg.amount : (result.order.amount ?? leg.amount);
      this.book.addPlaced({ ...entry, amount }, result.order);
    } else {
      this.book.addRefused({ ...entry, amount: leg.amount }, result.reason);
    }
    return { ...result, clientRef };
  }

  /**
   * Places several buys in one activity (`placeSubscriptions`), each under its fund's next reference; results in the
   * order of `buys`, each booked as `place` books one. An order that failed for good is not in the book. When the
   * activity itself fails (for good: it retries transient failures) nothing is booked and `undefined` is returned.
   */
  async placeBuys(
    buys: { instrument: string; amount: string }[],
    refFor: (instrument: string, seq: number) => string
  ): Promise<(PlaceBatchOrderResult & { clientRef: string })[] | undefined> {
    const seqs = new Map<string, number>();
    const orders = buys.map(({ instrument, amount }) => {
      const seq = (seqs.get(instrument) ?? this.book.count(instrument, 'buy')) + 1;
      seqs.set(instrument, seq);
      return { instrument, amount, clientRef: refFor(instrument, seq) };
    });
    const { clientId, accountId } = this.account;
    const summary = `buy ${orders.map((o) => `${o.instrument} for ${o.amount} SEK`).join(', ')}`;
    // An attempt places the orders one after the other: each gets what one placeSubscription attempt gets (fondoWrite's
    // minute: six HTTP timeouts), so a retry never starts while an earlier attempt may still be creating an order.
    const startToCloseTimeout = `${60 * orders.length} seconds`;
    let results: PlaceBatchOrderResult[];
    try {
      results = await write.placeSubscriptions.executeWithOptions({ ...fondoWrite, startToCloseTimeout, summary }, [
        { clientId, accountId, searchFrom: this.searchFrom, orders },
      ]);
    } catch (err) {
      if (isCancellation(err)) throw err;
      return undefined;
    }
    return orders.map((order, i) => {
      const result = results[i] ?? { outcome: 'failed', message: 'no result for this order' };
      const entry = { instrument: order.instrument, clientRef: order.clientRef, side: 'buy' as const };
      if (result.outcome === 'placed') this.book.addPlaced({ ...entry, amount: order.amount }, result.order);
      else if (result.outcome === 'refused') this.book.addRefused({ ...entry, amount: order.amount }, result.reason);
      return { ...result, clientRef: order.clientRef };
    });
  }

  private create(leg: Leg, clientRef: string): Promise<PlaceOrderResult> {
    const { clientId, accountId } = this.account;
    const common = { clientId, accountId, instrument: leg.instrument, clientRef, searchFrom: this.searchFrom };
    if (leg.side === 'sell' && leg.units) {
      return write.placeRedemption.executeWithOptions(
        { ...fondoWrite, summary: `sell ${leg.units.units} units of ${leg.instrument} (${clientRef})` },
        [{ ...common, units: leg.units.units, decimalsUnits: leg.units.decimalsUnits }]
      );
    }
    return write.placeSubscription.executeWithOptions(
      { ...fondoWrite, summary: `buy ${leg.instrument} for ${leg.amount} SEK (${clientRef})` },
      [{ ...common, amount: leg.amount }]
    );
  }

  /**
   * Waits once for order events, retryNow, the safety net's next read or `otherWakeAt`; applies the events and reads
   * the open orders when the safety net's read is due (or on retryNow while orders are open). Returns whether
   * retryNow interrupted the wait.
   */
  async step(otherWakeAt = Infinity): Promise<boolean> {
    if (!patched(QUIET_PERIOD_PATCH)) return this.stepPolling(otherWakeAt);
    const openBefore = this.book.open().length;
    const readAt = this.book.nextQuietReadAt();
    await this.timer.wait(() => this.book.hasEvents() || this.retry.requested, Math.min(otherWakeAt, readAt));
    const retry = this.retry.take();
    await this.book.applyEvents();
    if (nowMs() >= readAt) await this.book.quietRead();
    else if (retry && openBefore > 0) await this.book.poll();
    return retry;
  }

  /** `step` in histories recorded before the safety net: a timer per wait, a poll every 12 hours. */
  private async stepPolling(otherWakeAt: number): Promise<boolean> {
    const openBefore = this.book.open().length;
    const nextPoll = this.book.nextPollAt();
    await waitUntil(() => this.book.hasEvents() || this.retry.requested, Math.min(otherWakeAt, nextPoll));
    const retry = this.retry.take();
    await this.book.applyEvents();
    if (nowMs() >= nextPoll || (retry && openBefore > 0)) await this.book.poll();
    return retry;
  }

  /** Until every placed order is final; then settled orders carry the cash the custodian moved. */
  async untilFinal(): Promise<void> {
    while (this.book.open().length || this.book.hasEvents()) await this.step();
    this.timer.cancel(); // the safety net's timer, if one is still armed (none on the old path)
    await this.book.fetchSettledAmounts();
  }
}

/** The explanation sentence for a placed (or adopted) order. */
export function placedSentence(label: string, clientRef: string, adopted: boolean, amount: string): string {
  return `${label}: order ${clientRef} ${adopted ? 'found (placed by an earlier attempt)' : 'placed'} for ${formatSek(amount)}.`;
}
