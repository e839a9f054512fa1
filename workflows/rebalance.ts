/**
 * rebalanceWorkflow — one rebalance run of a plan, id `rebalance:<planId>:<YYYY-MM-DD>` (at most one per plan
 * and day), started by the plan (calendar date, drift after a settled cycle, or admin rebalanceNow). The plan
 * starts it only when no savings cycle is active, so the two never place orders at the same time.
 *   1. snapshot positions, prices, available cash, rules and KYC; the cash the run may spend is the plan's free cash
 *      handed to it (plus what its sells raise), never more than the account has (shared/plan-books.ts runSpendable);
 *      `planRebalance` in full mode (the drift band
 *      applies to drift triggers; calendar and admin runs always trade, above the minimum trade amount);
 *      nothing to trade → a `within-band` record;
 *   2. KYC gate (workflows/kyc-gate.ts, as in a savings cycle: backoff until the KYC deadline → needs-attention);
 *   3. sells: by units within each fund's unit decimals, sellable funds only, clientRef
 *      `<planId>:rb:<date>:<fund>:sell`; wait until they are final and the cash settled (workflows/order-desk.ts);
 *   4. buys, recomputed from a fresh snapshot against the cash actually raised (a canceled or refused sell
 *      shrinks them), respecting minimums: `…:buy`; wait until settled;
 *   5. the run record: trigger, drift before and after, orders with status, skipped trades with reasons, timings.
 * Healing: after a worker restart the run resumes from Temporal's history and finds its orders by reference; a
 * sell canceled by the custodian simply raises less cash. Messages: orderEvent, retryNow; query rebalanceStatus.
 */
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, InvestmentSnapshot } from '../activities';
import { rebalanceClientRef } from '../shared/ids';
import {
  NoPayload,
  rebalanceStatusQuery,
  retryNowSignal,
} from '../shared/messages';
import { runSpendable } from '../shared/plan-books';
import { planRebalance, type DriftSummary, type RebalanceDecision } from '../shared/rebalance';
import type { RebalanceRunRecord } from '../shared/status';
import { fondoRead } from './activity-options';
import type { RebalanceInput } from './child-inputs';
import { passKycGate } from './kyc-gate';
import { onOrderEvents, onSignal } from './messages';
import { OrderDesk, placedSentence, RetryFlag, type Leg } from './order-desk';
import { DAY_MS, nowIso, nowMs } from './time';

const read = proxyActivities<Activities>(fondoRead);

type Phase = 'snapshot' | 'blocked-kyc' | 'selling' | 'buying' | 'completed';

export async function rebalanceWorkflow(input: RebalanceInput): Promise<RebalanceRunRecord> {
  const run = new RebalanceRun(input);
  onOrderEvents((e) => run.desk.book.onEvent(e));
  onSignal(retryNowSignal, NoPayload, () => void (run.desk.retry.requested = true));
  setHandler(rebalanceStatusQuery, () => ({ ...run.record(), phase: run.phase }));
  return run.run();
}

class RebalanceRun {
  readonly desk: OrderDesk;
  phase: Phase = 'snapshot';
  private readonly startedAt = nowIso();
  private readonly skipped: RebalanceRunRecord['skipped'] = [];
  private readonly explanation: string[] = [];
  private driftBefore: DriftSummary | null = null;
  private driftAfter: DriftSummary | null = null;
  private sellsSettledAt: string | null = null;
  private attention = false;

  constructor(private readonly input: RebalanceInput) {
    this.desk = new OrderDesk(input, new Date(nowMs() - DAY_MS).toISOString(), new RetryFlag());
  }

  async run(): Promise<RebalanceRunRecord> {
    const { input, desk } = this;
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
      const decimalsUnits = snap.rules[r.instrument]?.decimalsUnits ?? 0;
      await this.trade({
        instrument: r.instrument,
        side: 'sell',
        amount: r.estimatedAmount,
        units: { units: r.units, decimalsUnits },
      });
    }
    await this.untilFinal();
    if (sells.redemptions.length) {
      this.sellsSettledAt = nowIso();
      const raised = desk.book.orders.filter((o) => o.side === 'sell' && o.status === 'settled');
      this.say(`Sells final: ${raised.length} of ${sells.redemptions.length} settled.`);
    }

    // Buys against the cash actually available now (a canceled sell raised nothing).
    this.phase = 'buying';
    snap = await this.snapshot();
    const buys = this.decide(snap, 'cash-flow');
    this.recordSkipped(buys, 'buy');
    for (const s of buys.subscriptions) await this.trade({ instrument: s.instrument, side: 'buy', amount: s.amount });
    await this.untilFinal();

    const { clientId, accountId, allocation } = input;
    const drift = await read.measurePlanDrift({ clientId, accountId, allocation });
    this.driftAfter = drift ? { maxAbsolutePp: drift.maxAbsolutePp, total: drift.total } : this.driftBefore;
    this.say(
      `Drift after: ${this.driftAfter?.maxAbsolutePp ?? '?'} pp max, ${this.driftAfter?.total ?? '?'} pp total.`
    );
    const incomplete = desk.book.orders.some((o) => o.status !== 'settled');
    return this.finish(this.attention ? 'needs-attention' : incomplete ? 'partially-completed' : 'completed');
  }

  private snapshot(): Promise<InvestmentSnapshot> {
    const { clientId, accountId, allocation } = this.input;
    return read.investmentSnapshot({
      clientId,
      accountId,
      allocation,
      extraFunds: [],
      pendingSince: this.desk.searchFrom,
    });
  }

  /** Full: sells and buys toward the targets (band only for drift triggers). Cash-flow: buys with the cash there is. */
  private decide(snap: InvestmentSnapshot, mode: 'full' | 'cash-flow'): RebalanceDecision {
    const { policy, trigger } = this.input;
    const proceeds = this.desk.book.orders
      .filter((o) => o.side === 'sell' && o.status === 'settled')
      .map((o) => o.settledAmount ?? o.amount);
    return planRebalance({
      positions: snap.positions,
      // The run's snapshots read the account's available cash (pendingSince); were it missing, none is spent.
      cash: runSpendable(snap.cash.available ?? '0.00', this.input.freeCash, proceeds),
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

  /** Places one trade; KYC withdrawn mid-run → waits at the gate, then places the same trade (its reference is unused). */
  private async trade(leg: Leg): Promise<void> {
    const { planId, date } = this.input;
    const label = `${leg.side === 'sell' ? 'Sell' : 'Buy'} ${leg.instrument}`;
    for (;;) {
      const result = await this.desk.place(leg, (seq) =>
        rebalanceClientRef(planId, date, leg.instrument, leg.side, seq)
      );
      if (result.outcome === 'placed') {
        this.say(placedSentence(label, result.clientRef, result.adopted, result.order.amount ?? leg.amount));
        return;
      }
      if (result.reason === 'kyc') {
        const snap = await this.waitForKyc();
        if (!snap?.kycOrder) return;
        continue;
      }
      this.skipped.push({ instrument: leg.instrument, side: leg.side, reason: result.reason });
      this.say(`${label} refused by the custodian (${result.reason}, ${result.providerCode}); skipped.`);
      return;
    }
  }

  private async untilFinal(): Promise<void> {
    await this.desk.untilFinal();
    for (const o of this.desk.book.orders.filter((o) => o.status === 'canceled')) {
      if (this.skipped.some((s) => s.instrument === o.instrument && s.side === o.side)) continue;
      this.skipped.push({ instrument: o.instrument, side: o.side, reason: `canceled${o.note ? ` (${o.note})` : ''}` });
      this.say(
        `${o.side === 'sell' ? 'Sell' : 'Buy'} ${o.instrument} was canceled by the custodian; ${o.side === 'sell' ? 'the buys use only the cash raised' : 'the cash stays for the next cycle'}.`
      );
    }
  }

  /** The KYC gate until the KYC deadline; then the run stops with needs-attention. */
  private async waitForKyc(): Promise<InvestmentSnapshot | undefined> {
    const previous = this.phase;
    const { clientId, accountId, kycDeadlineDays } = this.input;
    const gate = await passKycGate({
      deadlineDays: kycDeadlineDays,
      retry: this.desk.retry,
      check: async () => ({ allowed: await read.kycAllowsOrders({ clientId, accountId }), value: undefined }),
      onBlocked: async () => {
        this.phase = 'blocked-kyc';
        this.say('KYC does not allow orders: waiting.');
        return Promise.resolve();
      },
    });
    this.phase = previous;
    if (gate.allowed) {
      this.say('KYC allows orders again; continuing.');
      return this.snapshot();
    }
    this.attention = true;
    this.skipped.push({ instrument: '*', side: previous === 'buying' ? 'buy' : 'sell', reason: 'kyc' });
    this.say(`KYC did not allow orders within ${kycDeadlineDays} days; the run stops.`);
    return undefined;
  }

  /** Records the decision's skipped trades of one side (sells come from the full plan, buys from the recompute). */
  private recordSkipped(decision: RebalanceDecision, side: 'sell' | 'buy'): void {
    for (const s of decision.skipped) {
      const known = this.skipped.some(
        (k) => k.instrument === s.instrument && k.side === s.side && k.reason === s.reason
      );
      if (s.side === side && !known) this.skipped.push({ instrument: s.instrument, side: s.side, reason: s.reason });
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
      orders: this.desk.book.orders.map((o) => ({ ...o })),
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
