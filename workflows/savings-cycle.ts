/**
 * savingsCycleWorkflow — one period of one savings plan: debit by autogiro, then invest the deposit.
 *
 * Id `savings-cycle:<planId>:<YYYY-MM>`, started by the plan with REJECT_DUPLICATE: a period never runs twice.
 *   1. pre-check: the account exists and is active (else needs-attention, nothing debited);
 *   2. payment: attempt 1 with clientRef `<planId>:<period>`; codes 1 and 9 → a renewed attempt `…:a<n>` the next
 *      banking day (at most `maxRenewedAttempts`); codes 2 and 4 → no retry, needs-attention. The outcome arrives by
 *      the event bridge (paymentEvent) or, as a slow fallback, by polling from the debit date 08:00;
 *   3. order turn: waits while a rebalance of the plan places orders (orderTurn from the plan);
 *   4. KYC gate: orders only when KYC allows; re-checked on a backoff (1 h, 2 h, 4 h, 8 h, then daily) or at once on
 *      retryNow, until the KYC deadline → needs-attention, the money stays as cash and is carried to the next cycle;
 *   5. split (shared/allocation.ts) and place one subscription per leg (clientRef `<planId>:<period>:<fund>`);
 *      blocked legs are re-checked every banking day until the blocked-leg deadline, then carried or redistributed;
 *   6. track every order to settled (orderEvent, polling fallback); a canceled order is placed again under a new
 *      reference while its fund is open, refusals are carried and reported;
 *   7. return the summary to the plan.
 * Invariant (to the öre): paid + Σ carryIn = Σ settled + settlementRemainder + Σ carryOut + residual.
 */
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, FundRules, PaymentOutcome, PlaceOrderResult } from '../activities';
import { apportion, splitDeposit, type SplitDecision } from '../shared/allocation';
import { addBankingDays, earliestDebitDate, nextBankingDay, stockholmDate, stockholmTime } from '../shared/calendar';
import { paymentClientRef, subscriptionClientRef } from '../shared/ids';
import {
  NoPayload,
  OrderEventPayload,
  OrderTurnPayload,
  PaymentEventPayload,
  childPhaseSignal,
  cycleStatusQuery,
  orderEventSignal,
  orderTurnSignal,
  paymentEventSignal,
  retryNowSignal,
  type OrderEvent,
  type PaymentEvent,
} from '../shared/messages';
import { dec, formatSek, SEK_SCALE, sum, ZERO, type Decimal } from '../shared/money';
import type { AllocationSource, CycleOutcome, SavingsPolicies } from '../shared/plan';
import { cashFlowAllocation } from '../shared/rebalance';
import type { CyclePhase, CycleStatus, CycleSummary, LegAmount, PaymentAttempt } from '../shared/status';
import { fondoRead, fondoWrite } from './activity-options';
import { onSignal } from './messages';
import { OrderBook, type TrackedOrder } from './order-book';
import { DAY_MS, HOUR_MS, kycRecheckDelayMs, nowIso, nowMs, waitUntil } from './time';

const read = proxyActivities<Activities>(fondoRead);
const write = proxyActivities<Activities>(fondoWrite);

export interface CycleInput {
  planId: string;
  clientId: string;
  accountId: string;
  period: string;
  amount: string;
  /** The debit date the schedule asked for (Fondo picks the actual one from the submission time). */
  scheduledDebitDate: string;
  allocation: AllocationSource;
  policies: SavingsPolicies;
  /** Money carried in per fund from earlier cycles. */
  carry: Record<string, string>;
  /** Steer the deposit to underweight funds first (cash-flow rebalancing). */
  cashFlow: boolean;
  /** Whether the plan lets this cycle place orders right away (false while a rebalance runs). */
  orderTurnOpen: boolean;
  /** The plan to report phases to (absent when a cycle runs alone, e.g. in a test). */
  planWorkflowId?: string;
}

const MAX_ORDERS_PER_FUND = 3;

interface HeldLeg extends LegAmount {
  since: string;
  deadline: string;
}

export async function savingsCycleWorkflow(input: CycleInput): Promise<CycleSummary> {
  const cycle = new Cycle(input);
  setHandler(cycleStatusQuery, () => cycle.status());
  onSignal(paymentEventSignal, PaymentEventPayload, (e) => cycle.onPaymentEvent(e));
  onSignal(orderEventSignal, OrderEventPayload, (e) => cycle.onOrderEvent(e));
  onSignal(retryNowSignal, NoPayload, () => void (cycle.retryRequested = true));
  onSignal(orderTurnSignal, OrderTurnPayload, ({ open }) => void (cycle.turnOpen = open));
  return cycle.run();
}

class Cycle {
  retryRequested = false;
  turnOpen: boolean;
  private phase: CyclePhase = 'pre-check';
  private readonly startedAt = nowIso();
  private readonly searchFrom = new Date(nowMs() - DAY_MS).toISOString();
  private readonly payments: PaymentAttempt[] = [];
  private readonly paymentEvents = new Map<string, PaymentEvent>();
  private readonly book: OrderBook;
  private held: HeldLeg[] = [];
  private readonly carried: LegAmount[] = [];
  private readonly explanation: string[] = [];
  private residual = ZERO;
  private paid = ZERO;
  private paidAt: string | null = null;
  private investedAt: string | null = null;
  private debitDate: string | null = null;
  private attention: string | null = null;
  private kycBlockedSince: string | null = null;
  private blockedReason: string | null = null;
  private splitDone = false;
  private readonly handledCancels = new Set<string>();

  constructor(private readonly input: CycleInput) {
    this.turnOpen = input.orderTurnOpen;
    this.book = new OrderBook(input.clientId);
  }

  private get orders(): TrackedOrder[] {
    return this.book.orders;
  }

  async run(): Promise<CycleSummary> {
    const { input } = this;
    const account = await read.checkAccount({ clientId: input.clientId, accountId: input.accountId });
    if (!account.active) {
      const reason = account.found ? `account is ${account.status ?? 'not active'}` : 'account not found';
      return this.finish('needs-attention', `pre-check failed: ${reason}; nothing was debited`);
    }

    const payment = await this.collectPayment();
    if (payment !== 'completed') return this.finish('payment-failed', payment);

    if (!this.turnOpen) {
      await this.enter('waiting-turn');
      await condition(() => this.turnOpen);
    }
    const split = await this.splitWhenKycAllows();
    if (!split) return this.finish('needs-attention', this.attention ?? 'KYC deadline passed');

    await this.enter('investing');
    for (const order of split.orders) await this.place(order.instrument, order.amount);
    for (const leg of split.held) this.hold(leg.instrument, leg.amount, leg.reason);
    this.investedAt = nowIso();
    await this.trackUntilDone();
    const invested = this.orders.some((o) => o.status === 'settled');
    const outcome: CycleOutcome = this.attention ? (invested ? 'partially-invested' : 'needs-attention') : 'invested';
    return this.finish(outcome, this.attention);
  }

  // ---- payment ---------------------------------------------------------------------------------------------

  /** Runs payment attempts until one completes; returns 'completed' or why the period's payment failed. */
  private async collectPayment(): Promise<string> {
    const { input } = this;
    const maxAttempts = 1 + input.policies.payment.maxRenewedAttempts;
    await this.enter('waiting-payment');
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const clientRef = paymentClientRef(input.planId, input.period, attempt);
      const record: PaymentAttempt = {
        attempt,
        clientRef,
        instructionId: null,
        debitDate: null,
        status: 'submitted',
        reasonCode: null,
        submittedAt: nowIso(),
        resolvedAt: null,
      };
      this.payments.push(record);
      try {
        const submitted = await write.submitAutogiroPayment.executeWithOptions(
          { ...writeOptions, summary: `autogiro ${input.amount} SEK, attempt ${attempt} (${clientRef})` },
          [{ clientId: input.clientId, accountId: input.accountId, amount: input.amount, clientRef }]
        );
        record.instructionId = submitted.instructionId;
        record.debitDate =
          submitted.debitDate ?? (attempt === 1 ? input.scheduledDebitDate : earliestDebitDate(nowIso()));
      } catch (err) {
        record.status = 'unknown';
        this.attention = `payment attempt ${attempt} could not be submitted: ${failureMessage(err)}`;
        return this.attention;
      }
      this.say(
        `Payment attempt ${attempt} (${clientRef}) submitted for ${formatSek(input.amount)}, debit date ${record.debitDate}.`
      );

      const outcome = await this.awaitPayment(record);
      record.resolvedAt = nowIso();
      if (outcome.status === 'completed') {
        record.status = 'completed';
        this.paid = dec(outcome.amount ?? input.amount);
        this.paidAt = record.resolvedAt;
        this.debitDate = outcome.debitDate ?? record.debitDate;
        this.say(`Payment completed: ${formatSek(this.paid.toFixed(SEK_SCALE))} received.`);
        return 'completed';
      }
      if (outcome.status === 'pending') {
        record.status = 'unknown';
        this.attention = `payment ${clientRef} has no outcome 10 banking days after its debit date`;
        return this.attention;
      }
      record.status = 'failed';
      record.reasonCode = outcome.reasonCode;
      const code = outcome.reasonCode ?? '?';
      const renewable = code === '1' || code === '9';
      if (!renewable) {
        this.attention = `payment rejected by Bankgirot with code ${code}${code === '2' ? ' (no autogiro mandate)' : code === '4' ? ' (mandate pending)' : ''}; not retried`;
        this.say(`Payment attempt ${attempt} failed with code ${code}: not retried.`);
        return this.attention;
      }
      if (attempt === maxAttempts) {
        this.say(`Payment attempt ${attempt} failed with code ${code}; no renewed attempts left.`);
        return `payment failed with code ${code} after ${attempt} attempts`;
      }
      this.say(`Payment attempt ${attempt} failed with code ${code}; renewed attempt on the next banking day.`);
    }
    return 'payment failed';
  }

  /**
   * Waits for one attempt's outcome: a completed-deposit event, or a poll — from the debit date 08:00 (after
   * Bankgirot's 06:00 report), every 6 hours, for 10 banking days, and at once on retryNow. Failures have no event
   * in Fondo, so they are always learnt by polling.
   */
  private async awaitPayment(record: PaymentAttempt): Promise<PaymentOutcome> {
    const debitDate = record.debitDate!;
    let nextPoll = Math.max(nowMs(), Date.parse(stockholmTime(debitDate, '08:00')));
    const giveUpAt = Date.parse(stockholmTime(addBankingDays(debitDate, 10), '08:00'));
    for (;;) {
      await waitUntil(() => this.paymentEvents.has(record.clientRef) || this.retryRequested, nextPoll);
      this.retryRequested = false;
      const event = this.paymentEvents.get(record.clientRef);
      if (event) return { status: 'completed', amount: event.amount, reasonCode: null, reason: null, debitDate };
      const outcome = await read.getPaymentOutcome({
        clientId: this.input.clientId,
        instructionId: record.instructionId!,
        clientRef: record.clientRef,
      });
      if (outcome.status !== 'pending' || nowMs() >= giveUpAt) return outcome;
      if (nowMs() >= nextPoll) nextPoll = nowMs() + 6 * HOUR_MS;
    }
  }

  onPaymentEvent(event: PaymentEvent): void {
    if (this.payments.some((p) => p.clientRef === event.clientRef)) this.paymentEvents.set(event.clientRef, event);
  }

  // ---- KYC and split -----------------------------------------------------------------------------------------

  /**
   * Snapshots and splits once KYC allows orders. While it does not, re-checks on a backoff (1 h, 2 h, 4 h, 8 h, then
   * daily) or at once on retryNow; at the KYC deadline every leg is carried (the money stays as cash) → undefined.
   */
  private async splitWhenKycAllows(): Promise<SplitDecision | undefined> {
    const { input } = this;
    let deadline: number | undefined;
    for (let check = 0; ; check++) {
      const snapshot = await read.investmentSnapshot({
        clientId: input.clientId,
        accountId: input.accountId,
        allocation: input.allocation,
        extraFunds: Object.keys(input.carry),
        pendingSince: this.searchFrom,
      });
      const cashFlow = input.cashFlow && Object.keys(snapshot.positions).length > 0;
      const weights = cashFlow
        ? cashFlowAllocation({
            positions: snapshot.positions,
            targets: snapshot.weights,
            amount: this.paid.toFixed(SEK_SCALE),
          })
        : snapshot.weights;
      const decision = splitDeposit({
        amount: this.paid.toFixed(SEK_SCALE),
        allocation: weights,
        instruments: snapshot.rules,
        holdings: snapshot.holdings,
        carry: input.carry,
        policy: { belowMinimum: input.policies.belowMinimum, blocked: 'hold' },
      });
      this.splitDone = true;
      if (snapshot.kycOrder) {
        if (deadline !== undefined) this.say('KYC now allows orders; investing.');
        this.kycBlockedSince = null;
        this.blockedReason = null;
        if (cashFlow) this.say('Cash-flow rebalancing: the deposit goes to the most underweight funds first.');
        for (const sentence of decision.explanation) this.say(sentence);
        this.residual = dec(decision.residual);
        for (const [fund, amount] of Object.entries(decision.carry)) this.carry(fund, amount, 'below the fund minimum');
        return decision;
      }
      if (deadline === undefined) {
        deadline = nowMs() + input.policies.kyc.deadlineDays * DAY_MS;
        this.kycBlockedSince = nowIso();
        this.blockedReason = 'KYC does not allow orders';
        this.say(
          `KYC does not allow orders: the money stays as cash; re-checking until ${new Date(deadline).toISOString()}.`
        );
        await this.enter('blocked-kyc');
      }
      if (nowMs() >= deadline) {
        // Nothing is lost: every leg's money stays as cash and is carried to the next cycle.
        for (const leg of [...decision.orders, ...decision.held])
          this.carry(leg.instrument, leg.amount, 'KYC deadline passed');
        for (const [fund, amount] of Object.entries(decision.carry)) this.carry(fund, amount, 'below the fund minimum');
        this.residual = dec(decision.residual);
        this.attention = `KYC did not allow orders within ${input.policies.kyc.deadlineDays} days; the deposit is kept as cash and carried`;
        return undefined;
      }
      await waitUntil(() => this.retryRequested, Math.min(deadline, nowMs() + kycRecheckDelayMs(check)));
      this.retryRequested = false;
    }
  }

  // ---- orders ------------------------------------------------------------------------------------------------

  /** Places one subscription under the fund's next reference and records the result. */
  private async place(instrument: string, amount: string): Promise<void> {
    const { input } = this;
    const seq = this.book.count(instrument, 'buy') + 1;
    const clientRef = subscriptionClientRef(input.planId, input.period, instrument, seq);
    let result: PlaceOrderResult;
    try {
      result = await write.placeSubscription.executeWithOptions(
        { ...writeOptions, summary: `buy ${instrument} for ${amount} SEK (${clientRef})` },
        [
          {
            clientId: input.clientId,
            accountId: input.accountId,
            instrument,
            amount,
            clientRef,
            searchFrom: this.searchFrom,
          },
        ]
      );
    } catch (err) {
      this.carry(instrument, amount, `order could not be placed: ${failureMessage(err)}`);
      this.attention ??= `order ${clientRef} could not be placed`;
      return;
    }
    if (result.outcome === 'placed') {
      this.book.addPlaced({ instrument, clientRef, amount, side: 'buy' }, result.order);
      this.say(
        `${instrument}: order ${clientRef} ${result.adopted ? 'found (placed by an earlier attempt)' : 'placed'} for ${formatSek(amount)}.`
      );
      return;
    }
    this.book.addRefused({ instrument, clientRef, amount, side: 'buy' }, result.code);
    if (['instrument_not_tradable', 'instrument_not_buyable', 'kyc_incomplete'].includes(result.code)) {
      this.hold(
        instrument,
        amount,
        result.code === 'kyc_incomplete'
          ? 'kyc'
          : result.code === 'instrument_not_tradable'
            ? 'not-tradable'
            : 'not-buyable'
      );
    } else {
      this.carry(instrument, amount, `order refused by Fondo (${result.code})`);
      if (result.code !== 'below_minimum') this.attention ??= `order ${clientRef} refused: ${result.code}`;
    }
  }

  private hold(instrument: string, amount: string, reason: string): void {
    const existing = this.held.find((h) => h.instrument === instrument);
    if (existing) {
      existing.amount = dec(existing.amount).plus(amount).toFixed(SEK_SCALE);
      return;
    }
    const today = stockholmDate(nowIso());
    const deadline = stockholmTime(addBankingDays(today, this.input.policies.blockedLeg.deadlineBankingDays), '10:00');
    this.held.push({ instrument, amount, reason, since: nowIso(), deadline });
    this.say(`${instrument}: ${formatSek(amount)} held (${reason}); retried each banking day until ${deadline}.`);
  }

  private carry(instrument: string, amount: string, reason: string): void {
    if (dec(amount).isZero()) return;
    this.carried.push({ instrument, amount: dec(amount).toFixed(SEK_SCALE), reason });
    this.say(`${instrument}: ${formatSek(amount)} carried to the next cycle — ${reason}.`);
  }

  /** Until no leg is held and every order is final: re-check held legs daily, apply events, poll as a fallback. */
  private async trackUntilDone(): Promise<void> {
    for (;;) {
      const open = this.book.open();
      if (this.held.length === 0 && open.length === 0 && !this.book.hasEvents()) return;
      await this.enter(this.held.length > 0 ? 'blocked-instrument' : 'waiting-orders');
      const nextHeldCheck = this.held.length
        ? Date.parse(stockholmTime(nextBankingDay(stockholmDate(nowIso())), '10:00'))
        : Infinity;
      const nextDeadline = Math.min(...this.held.map((h) => Date.parse(h.deadline)));
      const nextPoll = this.book.nextPollAt();
      await waitUntil(
        () => this.book.hasEvents() || this.retryRequested,
        Math.min(nextHeldCheck, nextDeadline, nextPoll)
      );
      const retry = this.retryRequested;
      this.retryRequested = false;
      this.book.applyEvents();
      if (nowMs() >= nextPoll || (retry && open.length)) await this.book.poll();
      if (this.held.length && (retry || nowMs() >= Math.min(nextHeldCheck, nextDeadline))) await this.recheckHeld();
      await this.book.fetchSettledAmounts();
      for (const o of this.book.takeNewlyFinal()) {
        if (o.status !== 'settled') continue;
        this.say(
          `${o.instrument}: order ${o.clientRef} settled: ${o.units ?? '?'} units at ${o.price ?? '?'}, ${formatSek(o.settledAmount ?? o.amount)} paid.`
        );
      }
      await this.replaceCanceled();
    }
  }

  onOrderEvent(event: OrderEvent): void {
    this.book.onEvent(event);
  }

  /** A canceled order's money is ordered again under a new reference while the fund is open; else held. */
  private async replaceCanceled(): Promise<void> {
    for (const order of this.orders.filter((o) => o.status === 'canceled' && !this.handledCancels.has(o.clientRef))) {
      this.handledCancels.add(order.clientRef);
      const attempts = this.book.count(order.instrument, 'buy');
      this.say(`${order.instrument}: order ${order.clientRef} was canceled by Fondo.`);
      if (attempts >= MAX_ORDERS_PER_FUND) {
        this.carry(order.instrument, order.amount, `canceled ${attempts} times`);
        this.attention ??= `orders for ${order.instrument} keep being canceled`;
        continue;
      }
      const rules = (await read.fundRules({ clientId: this.input.clientId, instruments: [order.instrument] }))[
        order.instrument
      ];
      if (rules?.isBuyable && rules.isTradable) await this.place(order.instrument, order.amount);
      else this.hold(order.instrument, order.amount, rules?.isTradable === false ? 'not-tradable' : 'not-buyable');
    }
  }

  /** Daily re-check of held legs: order those whose fund reopened; apply the deadline policy to the expired rest. */
  private async recheckHeld(): Promise<void> {
    const { input } = this;
    const legs = this.held;
    this.held = [];
    const rules = await read.fundRules({ clientId: input.clientId, instruments: legs.map((h) => h.instrument) });
    const kycOk = legs.some((h) => h.reason === 'kyc')
      ? await read.kycAllowsOrders({ clientId: input.clientId, accountId: input.accountId })
      : true;
    for (const leg of legs) {
      const r = rules[leg.instrument];
      if (r?.isBuyable === true && r.isTradable && (leg.reason !== 'kyc' || kycOk)) {
        this.say(`${leg.instrument}: open again; ordering the held ${formatSek(leg.amount)}.`);
        await this.place(leg.instrument, leg.amount);
      } else if (nowMs() >= Date.parse(leg.deadline)) {
        await this.atDeadline(leg, rules);
      } else {
        this.held.push(leg);
      }
    }
  }

  /** At the blocked-leg deadline: carry the money, or redistribute it over the funds ordered this cycle. */
  private async atDeadline(leg: HeldLeg, rules: Record<string, FundRules>): Promise<void> {
    const others = [
      ...new Set(this.orders.filter((o) => o.orderId && o.instrument !== leg.instrument).map((o) => o.instrument)),
    ].filter((id) => rules[id]?.isBuyable !== false);
    if (this.input.policies.blockedLeg.atDeadline === 'carry' || others.length === 0) {
      this.carry(leg.instrument, leg.amount, `still ${leg.reason} at the deadline ${leg.deadline}`);
      return;
    }
    // Pro rata to what this cycle ordered in each other fund, öre by öre (largest remainder).
    const claims = others.map((id) => ({
      key: id,
      weight: ore(sum(this.orders.filter((o) => o.instrument === id && o.orderId).map((o) => o.amount))),
    }));
    const shares = apportion(ore(dec(leg.amount)), claims);
    this.say(
      `${leg.instrument}: still ${leg.reason} at the deadline; ${formatSek(leg.amount)} redistributed to the other funds.`
    );
    for (const [i, id] of others.entries()) {
      const share = shares[i] ?? 0n;
      if (share > 0n) await this.place(id, dec(share.toString()).div(100).toFixed(SEK_SCALE));
    }
  }

  // ---- reporting ---------------------------------------------------------------------------------------------

  private say(sentence: string): void {
    this.explanation.push(sentence);
  }

  private async enter(phase: CyclePhase): Promise<void> {
    if (this.phase === phase) return;
    this.phase = phase;
    const planId = this.input.planWorkflowId;
    if (!planId) return;
    try {
      await getExternalWorkflowHandle(planId).signal(childPhaseSignal, {
        workflowId: workflowInfo().workflowId,
        phase,
      });
    } catch (err) {
      log.warn('could not report the cycle phase to the plan', { phase, error: failureMessage(err) });
    }
  }

  status(): CycleStatus {
    return {
      planId: this.input.planId,
      period: this.input.period,
      phase: this.phase,
      payments: this.payments,
      orders: this.book.summaries(),
      held: this.held,
      blockedReason:
        this.blockedReason ??
        (this.held.length ? `held: ${this.held.map((h) => `${h.instrument} (${h.reason})`).join(', ')}` : null),
      kycBlockedSince: this.kycBlockedSince,
      explanation: this.explanation,
    };
  }

  private async finish(outcome: CycleOutcome, attention: string | null): Promise<CycleSummary> {
    await this.enter('completed');
    // No split happened (nothing paid, or the account failed its pre-check): carried-in money passes through.
    if (!this.splitDone)
      for (const [fund, amount] of Object.entries(this.input.carry)) this.carry(fund, amount, 'no deposit this cycle');
    const carryOut: Record<string, string> = {};
    for (const c of this.carried)
      carryOut[c.instrument] = dec(carryOut[c.instrument] ?? '0')
        .plus(c.amount)
        .toFixed(SEK_SCALE);
    const settled = this.orders.filter((o) => o.status === 'settled');
    const remainder = sum(settled.map((o) => dec(o.amount).minus(o.settledAmount ?? o.amount)));
    const summary: CycleSummary = {
      planId: this.input.planId,
      period: this.input.period,
      outcome,
      scheduledDebitDate: this.input.scheduledDebitDate,
      debitDate: this.debitDate,
      requestedAmount: this.input.amount,
      paidAmount: this.paid.toFixed(SEK_SCALE),
      payments: this.payments,
      orders: this.book.summaries(),
      carryIn: this.input.carry,
      carried: this.carried,
      carryOut,
      residual: this.residual.toFixed(SEK_SCALE),
      settlementRemainder: remainder.toFixed(SEK_SCALE),
      explanation: this.explanation,
      attention,
      timings: { startedAt: this.startedAt, paidAt: this.paidAt, investedAt: this.investedAt, completedAt: nowIso() },
    };
    assertConserved(summary);
    return summary;
  }
}

const writeOptions = fondoWrite;

/** An SEK amount as a count of öre. */
function ore(amount: Decimal): bigint {
  return BigInt(amount.times(100).toFixed(0));
}

/**
 * paid + carry in = settled + remainder + carry out + residual (to the öre). When nothing was paid, carry in
 * passes through as carry out. A breach is a bug:
 * failing the workflow task (not the execution) keeps the cycle stuck, visible and replayable after a fix.
 */
function assertConserved(s: CycleSummary): void {
  const inflow = dec(s.paidAmount).plus(sum(Object.values(s.carryIn)));
  const outflow = sum(s.orders.filter((o) => o.status === 'settled').map((o) => o.settledAmount ?? o.amount))
    .plus(s.settlementRemainder)
    .plus(sum(Object.values(s.carryOut)))
    .plus(s.residual);
  if (!inflow.equals(outflow)) {
    throw new Error(
      `cycle ${s.planId} ${s.period} does not conserve money: in ${inflow.toFixed(2)}, out ${outflow.toFixed(2)}`
    );
  }
}

function failureMessage(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.message;
  if (err instanceof Error) return (err.cause instanceof Error ? err.cause.message : undefined) ?? err.message;
  return String(err);
}
