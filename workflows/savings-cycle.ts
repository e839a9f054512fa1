/**
 * savingsCycleWorkflow — one period of one savings plan: collect the deposit, then invest it.
 *
 * Id `savings-cycle:<planId>:<YYYY-MM>`, started by the plan with REJECT_DUPLICATE: a period never runs twice.
 *   1. pre-check: the account is active, the allocation valid, its funds known (else needs-attention, nothing debited);
 *   2. deposit (workflows/deposit.ts): attempts and renewed attempts by the bank's failure class;
 *   3. paid: the money is in (phase `paid`, PlanState `investing` from here on);
 *   4. order turn: waits while a rebalance of the plan places orders (orderTurn from the plan);
 *   5. KYC gate (workflows/kyc-gate.ts): at the KYC deadline the deposit is kept as cash and carried;
 *   6. split (shared/allocation.ts) and one buy per leg (clientRef `<planId>:<period>:<fund>`); held legs are
 *      re-checked every banking day until the blocked-leg deadline, then carried or redistributed
 *      (workflows/cycle-legs.ts, decisions in shared/cycle-steps.ts);
 *   7. track every order to a final state (workflows/order-desk.ts); 8. return the summary to the plan.
 * Messages: paymentEvent, orderEvent (event bridge), retryNow, orderTurn (plan); query cycleStatus.
 * The pool is the deposit + the plan's free cash handed in (`freeCash`) + the carry; residual and remainders go back to the
 * plan's free cash (shared/plan-books.ts). A failure after the debit keeps the money in the plan (needs-attention).
 * Invariant (to the öre, shared/carry.ts): paid + Σ carryIn + freeCashIn = Σ settled + settlementRemainder + Σ carryOut
 * + residual.
 */
import {
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities, InvestmentSnapshot, SnapshotRequest } from '../activities';
import type { SplitDecision } from '../shared/allocation';
import { cycleDetails } from '../shared/current-details';
import { carryOutOf, conservationBreach } from '../shared/carry';
import { holdReasonOf, investedOutcome } from '../shared/cycle-steps';
import {
  childPhaseSignal,
  cycleStatusQuery,
  NoPayload,
  OrderTurnPayload,
  orderTurnSignal,
  PaymentEventPayload,
  paymentEventSignal,
  retryNowSignal,
} from '../shared/messages';
import { dec, formatSek, SEK_SCALE, sekString, sum, toFixed } from '../shared/money';
import { uninvestedBlocker } from '../shared/plan-books';
import { phaseChangeToReport } from '../shared/plan-state';
import type { CycleOutcome } from '../shared/plan';
import { splitSnapshot } from '../shared/cycle-split';
import type { CyclePhase, CycleStatus, CycleSummary, PaymentAttempt, SplitLegRecord } from '../shared/status';
import { fondoRead } from './activity-options';
import type { CycleInput } from './child-inputs';
import { CycleLegs } from './cycle-legs';
import { cyclePreCheck } from './cycle-precheck';
import { collectDeposit } from './deposit';
import { failureMessage } from './failures';
import { passKycGate } from './kyc-gate';
import { onOrderEvents, onSignal } from './messages';
import { OrderDesk, RetryFlag } from './order-desk';
import { DAY_MS, nowIso, nowMs } from './time';
import { PATCH } from './patches';

const read = proxyActivities<Activities>(fondoRead);

export async function savingsCycleWorkflow(input: CycleInput): Promise<CycleSummary> {
  const cycle = new Cycle(input);
  setHandler(cycleStatusQuery, () => cycle.status());
  onSignal(paymentEventSignal, PaymentEventPayload, (e) => cycle.onPaymentEvent(e));
  onOrderEvents((e) => cycle.legs.desk.book.onEvent(e));
  onSignal(retryNowSignal, NoPayload, () => void (cycle.retry.requested = true));
  onSignal(orderTurnSignal, OrderTurnPayload, ({ open }) => void (cycle.turnOpen = open));
  return cycle.run();
}

class Cycle {
  readonly retry = new RetryFlag();
  readonly legs: CycleLegs;
  turnOpen: boolean;
  private phase: CyclePhase = 'pre-check';
  /** The phase the plan last heard of: it records 'pre-check' when it starts the cycle. */
  private reported: CyclePhase = 'pre-check';
  private readonly startedAt = nowIso();
  private readonly payments: PaymentAttempt[] = [];
  private readonly paymentEvents = new Map<string, z.output<typeof PaymentEventPayload>>();
  private readonly explanation: string[] = [];
  private residual = '0.00';
  private paid = '0.00';
  private paidAt: string | null = null;
  private investedAt: string | null = null;
  private debitDate: string | null = null;
  private kycBlockedSince: string | null = null;
  private kycDeadline: string | null = null;
  private splitDone = false;
  private failedAfterDebit = false;
  private blockedBy: { instrument: string; minimum: string } | undefined;
  private splitLegs: SplitLegRecord[] | undefined; // what the split decided per fund (statement), once invested
  /** The snapshot read with the paid payment (one activity for both); the split's first check uses it. */
  private prefetched: InvestmentSnapshot | undefined;

  constructor(private readonly input: CycleInput) {
    this.turnOpen = input.orderTurnOpen;
    const desk = new OrderDesk(input, new Date(nowMs() - DAY_MS).toISOString(), this.retry);
    this.legs = new CycleLegs(input, input.policies, desk, (s) => this.say(s));
  }

  async run(): Promise<CycleSummary> {
    const { input, legs } = this;
    const problem = await cyclePreCheck(input);
    if (problem) return this.finish('needs-attention', `pre-check failed: ${problem}; nothing was debited`);

    await this.enter('waiting-payment');
    const deposit = await collectDeposit({
      ...input,
      maxRenewedAttempts: input.policies.payment.maxRenewedAttempts,
      payments: this.payments,
      events: this.paymentEvents,
      retry: this.retry,
      say: (s) => this.say(s),
      // A cycle waiting for a rebalance's turn takes its snapshot when the turn opens, not with the payment.
      snapshotWhenPaid: () => (this.turnOpen ? this.snapshotRequest() : undefined),
      onSnapshot: (snapshot) => void (this.prefetched = snapshot),
    });
    if (!deposit.paid) return this.finish('payment-failed', deposit.why);
    this.paid = deposit.amount;
    this.paidAt = nowIso();
    this.debitDate = deposit.debitDate;
    await this.enter('paid');

    if (!this.turnOpen) {
      await this.enter('waiting-turn');
      await condition(() => this.turnOpen);
    }
    let split: SplitDecision | undefined;
    try {
      split = await this.splitWhenKycAllows();
    } catch (err) {
      // The money is in: a failure now must not drop it from the books (histories recorded before this rule fail the
      // cycle; patch `keep-money-after-debit-failure`).
      if (isCancellation(err) || !patched(PATCH.keepMoneyAfterDebitFailure)) throw err;
      return this.keepMoneyAfterFailure(err);
    }
    if (!split) return this.finish('needs-attention', legs.attention ?? 'KYC deadline passed');

    await this.enter('investing');
    // One activity for the split's buys (histories recorded before place one activity per fund).
    if (patched(PATCH.oneOrderActivityPerSplit)) await legs.buyAll(split.orders);
    else for (const order of split.orders) await legs.buy(order.instrument, order.amount);
    for (const leg of split.held) legs.hold(leg.instrument, leg.amount, leg.reason);
    this.investedAt = nowIso();
    await legs.trackUntilDone((phase) => this.enter(phase));
    const anySettled = legs.desk.book.orders.some((o) => o.status === 'settled');
    const leftUninvested = dec(this.residual).plus(legs.residual).greaterThan(0) || legs.carried.length > 0;
    return this.finish(investedOutcome(legs.attention, anySettled, leftUninvested), legs.attention);
  }

  /** The cash the cycle holds for its pool before it invests: what was paid + the plan's free cash handed in (SEK). */
  private cashInHand(): string {
    return sekString(dec(this.paid).plus(this.input.freeCash ?? '0'));
  }

  /** A failure after the debit: the money collected (and the free cash handed in) stays in the plan as free cash. */
  private keepMoneyAfterFailure(err: unknown): Promise<CycleSummary> {
    const kept = this.cashInHand();
    this.failedAfterDebit = true;
    // Whatever the split had decided is void (no order was placed before this point): the money is kept whole.
    this.splitDone = false;
    this.legs.carried.splice(0);
    this.legs.held = [];
    this.say(
      `The deposit could not be invested: ${failureMessage(err)}. ${formatSek(kept)} stays in the plan as free cash ` +
        'for the next cycle.'
    );
    return this.finish('needs-attention', `cycle failed after the debit: ${failureMessage(err)}`);
  }

  onPaymentEvent(event: z.output<typeof PaymentEventPayload>): void {
    if (this.payments.some((p) => p.clientRef === event.clientRef)) this.paymentEvents.set(event.clientRef, event);
  }

  /** What the split's snapshot reads: no pendingSince, the split spends the pool, not the account's cash. */
  private snapshotRequest(): SnapshotRequest {
    const { clientId, accountId, allocation, carry } = this.input;
    return { clientId, accountId, allocation, extraFunds: Object.keys(carry) };
  }

  /** Snapshots and splits once KYC allows orders; at the KYC deadline every leg is carried → undefined. */
  private async splitWhenKycAllows(): Promise<SplitDecision | undefined> {
    const { input, legs } = this;
    const gate = await passKycGate({
      deadlineDays: input.policies.kyc.deadlineDays,
      retry: this.retry,
      check: async () => {
        // The first check uses the snapshot read with the paid payment, if any; a re-check reads a new one.
        const snapshot = this.prefetched ?? (await read.investmentSnapshot(this.snapshotRequest()));
        this.prefetched = undefined;
        const rulesAware = patched(PATCH.cashFlowRespectsRules);
        const split = splitSnapshot(snapshot, { ...input, paid: this.paid, rulesAware });
        return { allowed: snapshot.kycOrder, value: { ...split, snapshot } };
      },
      onBlocked: async (deadline) => {
        this.kycBlockedSince = nowIso();
        this.kycDeadline = new Date(deadline).toISOString();
        this.say(
          `KYC does not allow orders: the money stays as cash; re-checking until ${new Date(deadline).toISOString()}.`
        );
        await this.enter('blocked-kyc');
      },
    });
    this.splitDone = true;
    const { decision, cashFlow, rules, snapshot } = gate.value;
    this.residual = decision.residual;
    if (dec(decision.residual).greaterThan(0)) {
      const funds = snapshot.weights.map((w) => w.instrument);
      this.blockedBy = uninvestedBlocker(funds, rules, snapshot.holdings);
    }
    if (!gate.allowed) {
      legs.keepAsCash(decision, input.policies.kyc.deadlineDays);
      return undefined;
    }
    this.splitLegs = gate.value.legs;
    if (this.kycBlockedSince) this.say('KYC now allows orders; investing.');
    this.kycBlockedSince = null;
    this.kycDeadline = null;
    if (cashFlow) this.say('Cash-flow rebalancing: the deposit goes to the most underweight funds first.');
    for (const sentence of decision.explanation) this.say(sentence);
    legs.carryBelowMinimum(
      decision,
      (fund) => gate.value.legs.find((l) => l.instrument === fund)?.minimum ?? undefined
    );
    // A fund the scheduler cannot trade at all (e.g. priced in another currency) is held with that reason.
    for (const h of decision.held)
      if (rules[h.instrument]?.unsupported) Object.assign(h, { reason: holdReasonOf(rules[h.instrument]) });
    return decision;
  }

  private say(sentence: string): void {
    this.explanation.push(sentence);
  }

  /**
   * Enters a phase and reports it to the plan. Since patch `phase-signals-only-state-changes` only a change the plan's
   * PlanState could show is signalled (shared/plan-state.ts `phaseChangeToReport`; 'completed' never: the plan learns
   * the end from the result): 1 signal on the happy path instead of 5. The plan's record of a running cycle's phase is
   * therefore the last reported one (e.g. 'paid' while the orders settle); the cycle's own query has the exact phase.
   */
  private async enter(phase: CyclePhase): Promise<void> {
    if (this.phase === phase) return;
    this.phase = phase;
    setCurrentDetails(cycleDetails(this.status())); // the UI's summary; no command
    const planId = this.input.planWorkflowId;
    if (!planId) return;
    if (patched(PATCH.phaseSignalsOnlyStateChanges) && !phaseChangeToReport(this.reported, phase)) return;
    try {
      await getExternalWorkflowHandle(planId).signal(childPhaseSignal, {
        workflowId: workflowInfo().workflowId,
        phase,
      });
      this.reported = phase;
    } catch (err) {
      log.warn('could not report the cycle phase to the plan', { phase, error: failureMessage(err) });
    }
  }

  status(): CycleStatus {
    const { held } = this.legs;
    return {
      planId: this.input.planId,
      period: this.input.period,
      phase: this.phase,
      payments: this.payments,
      orders: this.legs.desk.book.summaries(),
      held,
      blockedReason: this.kycBlockedSince
        ? 'KYC does not allow orders'
        : held.length
          ? `held: ${held.map((h) => `${h.instrument} (${h.reason})`).join(', ')}`
          : null,
      kycBlockedSince: this.kycBlockedSince,
      moneyWaiting: this.paidAt && !this.investedAt ? this.cashInHand() : null,
      kycDeadline: this.kycDeadline,
      explanation: this.explanation,
      legs: this.splitLegs,
    };
  }

  private async finish(outcome: CycleOutcome, attention: string | null): Promise<CycleSummary> {
    await this.enter('completed');
    const { legs } = this;
    // No split happened (nothing paid, the pre-check refused, or the split failed after the debit): the carry passes
    // through, and what was paid plus the plan's free cash handed in goes back to the plan's free cash as residual.
    if (!this.splitDone) {
      for (const [fund, amount] of Object.entries(this.input.carry)) legs.carry(fund, amount, 'no deposit this cycle');
      this.residual = this.cashInHand();
    }
    const orders = legs.desk.book.summaries();
    const settled = orders.filter((o) => o.status === 'settled');
    const remainder = sum(settled.map((o) => dec(o.amount).minus(o.settledAmount ?? o.amount)));
    const summary: CycleSummary = {
      planId: this.input.planId,
      period: this.input.period,
      outcome,
      scheduledDebitDate: this.input.scheduledDebitDate,
      debitDate: this.debitDate,
      requestedAmount: this.input.amount,
      paidAmount: this.paid,
      payments: this.payments,
      orders,
      carryIn: this.input.carry,
      ...(this.input.freeCash !== undefined ? { freeCashIn: this.input.freeCash } : {}),
      carried: legs.carried,
      carryOut: carryOutOf(legs.carried),
      residual: toFixed(dec(this.residual).plus(this.legs.residual), SEK_SCALE, 'down'),
      settlementRemainder: sekString(remainder),
      explanation: this.explanation,
      legs: this.splitLegs,
      attention,
      ...(this.failedAfterDebit ? { failedAfterDebit: true } : {}),
      ...(this.blockedBy && !this.failedAfterDebit ? { blockedBy: this.blockedBy } : {}),
      timings: { startedAt: this.startedAt, paidAt: this.paidAt, investedAt: this.investedAt, completedAt: nowIso() },
    };
    // A breach is a bug: failing the workflow task (not the execution) keeps the cycle stuck, visible and
    // replayable after a fix.
    const breach = conservationBreach({ ...summary, settled: settled.map((o) => o.settledAmount ?? o.amount) });
    if (breach) throw new Error(`cycle ${summary.planId} ${summary.period} does not conserve money: ${breach}`);
    return summary;
  }
}
