/**
 * rebalanceWorkflow — one rebalance run of a plan, id `rebalance:<planId>:<YYYY-MM-DD>` (at most one per plan
 * and day), started by the plan (calendar date, drift after a settled cycle, or admin rebalanceNow). The plan
 * starts it only when no savings cycle is active, so the two never place orders at the same time.
 *   1. snapshot positions, prices, available cash, rules and KYC; `planRebalance` in full mode (the drift band
 *      applies to drift triggers; calendar and admin runs always trade, above the minimum trade amount);
 *      nothing to trade → a `within-band` record;
 *   2. KYC gate (as in a savings cycle: backoff until the KYC deadline → needs-attention);
 *   3. sells: redemptions in units within each fund's unit decimals, sellable funds only, clientRef
 *      `<planId>:rb:<date>:<fund>:sell`, check-before-create; wait until they are final and the cash settled;
 *   4. buys, recomputed from a fresh snapshot against the cash actually raised (a canceled or rejected sell
 *      shrinks them), respecting minimums: `…:buy`; wait until settled;
 *   5. the run record: trigger, drift before and after, orders with status, skipped trades with reasons, timings.
 * Healing: after a worker restart the run resumes from Temporal's history and finds its orders by reference; a
 * sell canceled by Fondo simply raises less cash. Messages: orderEvent, retryNow; query rebalanceStatus.
 */
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, InvestmentSnapshot, PlaceOrderResult } from '../activities';
import { rebalanceClientRef } from '../shared/ids';
import {
  NoPayload,
  OrderEventPayload,
  orderEventSignal,
  rebalanceStatusQuery,
  retryNowSignal,
} from '../shared/messages';
import { formatSek } from '../shared/money';
import type { AllocationSource, PlanRebalancePolicy } from '../shared/plan';
import { planRebalance, type DriftSummary, type RebalanceDecision } from '../shared/rebalance';
import type { RebalanceRunRecord } from '../shared/status';
import { fondoRead, fondoWrite } from './activity-options';
import { onSignal } from './messages';
import { OrderBook } from './order-book';
import { DAY_MS, kycRecheckDelayMs, nowIso, nowMs, waitUntil } from './time';

const read = proxyActivities<Activities>(fondoRead);
const write = proxyActivities<Activities>(fondoWrite);

export interface RebalanceInput {
  planId: string;
  clientId: string;
  accountId: string;
  /** The run's date (Stockholm), part of its id and its orders' references. */
  date: string;
  trigger: 'admin' | 'calendar' | 'drift';
  allocation: AllocationSource;
  policy: PlanRebalancePolicy;
  kycDeadlineDays: number;
  planWorkflowId?: string;
}

type Phase = 'snapshot' | 'blocked-kyc' | 'selling' | 'buying' | 'completed';

export async function rebalanceWorkflow(input: RebalanceInput): Promise<RebalanceRunRecord> {
  const run = new RebalanceRun(input);
  onSignal(orderEventSignal, OrderEventPayload, (e) => run.book.onEvent(e));
  onSignal(retryNowSignal, NoPayload, () => void (run.retryRequested = true));
  setHandler(rebalanceStatusQuery, () => ({ ...run.record(), phase: run.phase }));
  return run.run();
}

class RebalanceRun {
  readonly book: OrderBook;
  retryRequested = false;
  phase: Phase = 'snapshot';
  private readonly startedAt = nowIso();
  private readonly searchFrom = new Date(nowMs() - DAY_MS).toISOString();
  private readonly skipped: RebalanceRunRecord['skipped'] = [];
  private readonly explanation: string[] = [];
  private driftBefore: DriftSummary | null = null;
  private driftAfter: DriftSummary | null = null;
  private sellsSettledAt: string | null = null;
  private attention = false;

  constructor(private readonly input: RebalanceInput) {
    this.book = new OrderBook(input.clientId);
  }

  async run(): Promise<RebalanceRunRecord> {
    const { input } = this;
    let snap = await this.snapshot();
    const full = this.decide(snap, 'full');
    this.driftBefore = full.driftBefore;
    this.say(
      `Rebalance (${input.trigger}): drift before ${full.driftBefore.maxAbsolutePp} pp max, ${full.driftBefore.total} pp total.`
    );
    if (full.redemptions.length === 0 && full.subscriptions.length === 0) {
      this.driftAfter = full.driftBefore;
      this.recordSkipped(full, 'sell');
      this.recordSkipped(full, 'buy');
      this.say(
        full.withinBand
          ? 'Every fund is within its band: nothing to trade.'
          : 'No trade above the minimum trade amount: nothing to trade.'
      );
      return this.finish('within-band');
    }

    if (!snap.kycOrder) {
      snap = (await this.waitForKyc()) ?? snap;
      if (!snap.kycOrder) return this.finish('needs-attention');
    }

    // Sells first: they raise the cash the buys need.
    this.phase = 'selling';
    const sells = this.decide(snap, 'full');
    this.recordSkipped(sells, 'sell');
    for (const r of sells.redemptions) {
      const decimals = snap.rules[r.instrument]?.decimalsUnits ?? 0;
      await this.place('sell', r.instrument, r.estimatedAmount, (clientRef) =>
        write.placeRedemption.executeWithOptions(
          { ...fondoWrite, summary: `sell ${r.units} units of ${r.instrument} (${clientRef})` },
          [
            {
              clientId: input.clientId,
              accountId: input.accountId,
              instrument: r.instrument,
              units: r.units,
              decimalsUnits: decimals,
              clientRef,
              searchFrom: this.searchFrom,
            },
          ]
        )
      );
    }
    await this.waitUntilFinal();
    if (sells.redemptions.length) {
      this.sellsSettledAt = nowIso();
      const raised = this.book.orders.filter((o) => o.side === 'sell' && o.status === 'settled');
      this.say(`Sells final: ${raised.length} of ${sells.redemptions.length} settled.`);
    }

    // Buys against the cash actually available now (a canceled sell raised nothing).
    this.phase = 'buying';
    snap = await this.snapshot();
    const buys = this.decide(snap, 'cash-flow');
    this.recordSkipped(buys, 'buy');
    for (const s of buys.subscriptions) {
      await this.place('buy', s.instrument, s.amount, (clientRef) =>
        write.placeSubscription.executeWithOptions(
          { ...fondoWrite, summary: `buy ${s.instrument} for ${s.amount} SEK (${clientRef})` },
          [
            {
              clientId: input.clientId,
              accountId: input.accountId,
              instrument: s.instrument,
              amount: s.amount,
              clientRef,
              searchFrom: this.searchFrom,
            },
          ]
        )
      );
    }
    await this.waitUntilFinal();

    const drift = await read.measurePlanDrift({
      clientId: input.clientId,
      accountId: input.accountId,
      allocation: input.allocation,
    });
    this.driftAfter = drift ? { maxAbsolutePp: drift.maxAbsolutePp, total: drift.total } : this.driftBefore;
    this.say(
      `Drift after: ${this.driftAfter?.maxAbsolutePp ?? '?'} pp max, ${this.driftAfter?.total ?? '?'} pp total.`
    );
    const incomplete = this.book.orders.some((o) => o.status !== 'settled');
    return this.finish(this.attention ? 'needs-attention' : incomplete ? 'partially-completed' : 'completed');
  }

  private async snapshot(): Promise<InvestmentSnapshot> {
    const { input } = this;
    return read.investmentSnapshot({
      clientId: input.clientId,
      accountId: input.accountId,
      allocation: input.allocation,
      extraFunds: [],
      pendingSince: this.searchFrom,
    });
  }

  /** Full: sells and buys toward the targets (band only for drift triggers). Cash-flow: buys with the cash there is. */
  private decide(snap: InvestmentSnapshot, mode: 'full' | 'cash-flow'): RebalanceDecision {
    const { policy, trigger } = this.input;
    return planRebalance({
      positions: snap.positions,
      cash: snap.cash.available,
      targets: snap.weights,
      instruments: snap.rules,
      policy: {
        mode,
        ...(trigger === 'drift' && mode === 'full' && policy.band ? { band: policy.band } : {}),
        minTradeAmount: policy.minTradeAmount,
        cashBufferPct: policy.cashBufferPct,
      },
    });
  }

  private async place(
    side: 'sell' | 'buy',
    instrument: string,
    amount: string,
    create: (clientRef: string) => Promise<PlaceOrderResult>
  ): Promise<void> {
    const { input } = this;
    for (;;) {
      const clientRef = rebalanceClientRef(
        input.planId,
        input.date,
        instrument,
        side,
        this.book.count(instrument, side) + 1
      );
      const result = await create(clientRef);
      if (result.outcome === 'placed') {
        this.book.addPlaced({ instrument, clientRef, amount: result.order.amount ?? amount, side }, result.order);
        this.say(
          `${side === 'sell' ? 'Sell' : 'Buy'} ${instrument} (${clientRef}) ${result.adopted ? 'found (placed by an earlier attempt)' : 'placed'}, about ${formatSek(amount)}.`
        );
        return;
      }
      if (result.code === 'kyc_incomplete') {
        // KYC was withdrawn mid-run: wait like a savings cycle, then place the same trade (the reference is unused).
        const snap = await this.waitForKyc();
        if (!snap?.kycOrder) return;
        continue;
      }
      this.skipped.push({ instrument, side, reason: result.code });
      this.say(`${side === 'sell' ? 'Sell' : 'Buy'} ${instrument} refused by Fondo (${result.code}); skipped.`);
      return;
    }
  }

  private async waitUntilFinal(): Promise<void> {
    while (this.book.open().length || this.book.hasEvents()) {
      const nextPoll = this.book.nextPollAt();
      await waitUntil(() => this.book.hasEvents() || this.retryRequested, nextPoll);
      const retry = this.retryRequested;
      this.retryRequested = false;
      this.book.applyEvents();
      if (retry || nowMs() >= nextPoll) await this.book.poll();
    }
    await this.book.fetchSettledAmounts();
    for (const o of this.book.orders.filter((o) => o.status === 'canceled')) {
      if (!this.skipped.some((s) => s.instrument === o.instrument && s.side === o.side)) {
        this.skipped.push({
          instrument: o.instrument,
          side: o.side,
          reason: `canceled${o.note ? ` (${o.note})` : ''}`,
        });
        this.say(
          `${o.side === 'sell' ? 'Sell' : 'Buy'} ${o.instrument} was canceled by Fondo; ${o.side === 'sell' ? 'the buys use only the cash raised' : 'the cash stays for the next cycle'}.`
        );
      }
    }
  }

  /** Backoff (1 h, 2 h, 4 h, 8 h, then daily) or retryNow, until KYC allows orders or the deadline passes. */
  private async waitForKyc(): Promise<InvestmentSnapshot | undefined> {
    const previous = this.phase;
    this.phase = 'blocked-kyc';
    const deadline = nowMs() + this.input.kycDeadlineDays * DAY_MS;
    this.say('KYC does not allow orders: waiting.');
    for (let check = 0; nowMs() < deadline; check++) {
      await waitUntil(() => this.retryRequested, Math.min(deadline, nowMs() + kycRecheckDelayMs(check)));
      this.retryRequested = false;
      if (await read.kycAllowsOrders({ clientId: this.input.clientId, accountId: this.input.accountId })) {
        this.phase = previous;
        this.say('KYC allows orders again; continuing.');
        return this.snapshot();
      }
    }
    this.attention = true;
    this.skipped.push({ instrument: '*', side: previous === 'buying' ? 'buy' : 'sell', reason: 'kyc' });
    this.say(`KYC did not allow orders within ${this.input.kycDeadlineDays} days; the run stops.`);
    return undefined;
  }

  /** Records the decision's skipped trades of one side (sells come from the full plan, buys from the recompute). */
  private recordSkipped(decision: RebalanceDecision, side: 'sell' | 'buy'): void {
    for (const s of decision.skipped) {
      if (
        s.side !== side ||
        this.skipped.some((k) => k.instrument === s.instrument && k.side === s.side && k.reason === s.reason)
      )
        continue;
      this.skipped.push({ instrument: s.instrument, side: s.side, reason: s.reason });
    }
  }

  private say(sentence: string): void {
    this.explanation.push(sentence);
  }

  record(): RebalanceRunRecord {
    return {
      planId: this.input.planId,
      date: this.input.date,
      trigger: this.input.trigger,
      outcome: 'completed',
      driftBefore: this.driftBefore,
      driftAfter: this.driftAfter,
      orders: this.book.orders.map((o) => ({ ...o })),
      skipped: this.skipped,
      explanation: this.explanation,
      timings: { startedAt: this.startedAt, sellsSettledAt: this.sellsSettledAt, completedAt: nowIso() },
    };
  }

  private finish(outcome: RebalanceRunRecord['outcome']): RebalanceRunRecord {
    this.phase = 'completed';
    return { ...this.record(), outcome };
  }
}
