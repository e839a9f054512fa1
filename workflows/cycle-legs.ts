/**
 * A savings cycle's legs after the split: buys placed through the shared order desk, legs held while their fund
 * (or KYC) does not take orders and re-checked every banking day until the blocked-leg deadline, money carried to
 * the next cycle, and canceled buys placed again. Decisions come from shared/cycle-steps.ts; this class keeps the
 * books (held, carried, attention) and the Temporal part (activities, waits).
 */
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { apportion, redecideReleasedLeg, type SplitDecision } from '../shared/allocation';
import { addBankingDays, nextBankingDay, stockholmDate, stockholmTime } from '../shared/calendar';
import type { FundRules, PlaceOrderResult } from '../shared/custodian';
import {
  afterBuyCanceled,
  afterBuyRefusal,
  heldLegOpen,
  holdReasonOf,
  MAX_ORDERS_PER_FUND,
  type HoldReason,
} from '../shared/cycle-steps';
import { subscriptionClientRef } from '../shared/ids';
import { dec, formatSek, SEK_SCALE, sekString, sum, toFixed } from '../shared/money';
import type { AllocationSource, SavingsPolicies } from '../shared/plan';
import { holdsUnits } from '../shared/instrument-rules';
import { minimumOf } from '../shared/plan-books';
import type { LegAmount } from '../shared/status';
import { fondoRead } from './activity-options';
import { failureMessage } from './failures';
import { placedSentence, type OrderDesk } from './order-desk';
import { nowIso, nowMs } from './time';
import { PATCH } from './patches';

const read = proxyActivities<Activities>(fondoRead);

export interface HeldLeg extends LegAmount {
  since: string;
  deadline: string;
}

export class CycleLegs {
  held: HeldLeg[] = [];
  readonly carried: LegAmount[] = [];
  /** Released legs no fund could take: residual cash, back to the plan's free cash (SEK). */
  residual = '0.00';
  attention: string | null = null;
  private readonly handledCancels = new Set<string>();

  constructor(
    private readonly cycle: {
      planId: string;
      clientId: string;
      accountId: string;
      period: string;
      allocation: AllocationSource;
    },
    private readonly policies: SavingsPolicies,
    readonly desk: OrderDesk,
    private readonly say: (sentence: string) => void
  ) {}

  /** Places one buy under the fund's next reference; a refusal holds or carries the leg. */
  async buy(instrument: string, amount: string): Promise<void> {
    const { planId, period } = this.cycle;
    let result;
    try {
      result = await this.desk.place({ instrument, side: 'buy', amount }, (seq) =>
        subscriptionClientRef(planId, period, instrument, seq)
      );
    } catch (err) {
      const clientRef = subscriptionClientRef(planId, period, instrument, this.desk.book.count(instrument, 'buy') + 1);
      return this.notPlaced(instrument, amount, clientRef, failureMessage(err));
    }
    this.afterPlacing(instrument, amount, result);
  }

  /**
   * The split's buys in one activity (patch `one-order-activity-per-split`): each result is handled as `buy` handles
   * one. Should the batch itself fail (it retries transient failures, so only for good), each buy is placed on its
   * own: a buy an earlier attempt placed is adopted by its reference, never placed twice.
   */
  async buyAll(buys: { instrument: string; amount: string }[]): Promise<void> {
    if (buys.length < 2) {
      for (const b of buys) await this.buy(b.instrument, b.amount);
      return;
    }
    const { planId, period } = this.cycle;
    const results = await this.desk.placeBuys(buys, (instrument, seq) =>
      subscriptionClientRef(planId, period, instrument, seq)
    );
    if (!results) {
      // Nothing was booked: each buy under the same reference the batch used, adopted if the batch placed it.
      for (const b of buys) await this.buy(b.instrument, b.amount);
      return;
    }
    for (const [i, result] of results.entries()) {
      const { instrument, amount } = buys[i]!;
      if (result.outcome === 'failed') this.notPlaced(instrument, amount, result.clientRef, result.message);
      else this.afterPlacing(instrument, amount, result);
    }
  }

  /** A buy that could not be placed (a failure, not a refusal): its money is carried, and someone should look. */
  private notPlaced(instrument: string, amount: string, clientRef: string, why: string): void {
    this.carry(instrument, amount, `order could not be placed: ${why}`);
    this.attention ??= `order ${clientRef} could not be placed`;
  }

  /** A placed buy is said; a refused one is held or carried by the refusal's rule. */
  private afterPlacing(instrument: string, amount: string, result: PlaceOrderResult & { clientRef: string }): void {
    if (result.outcome === 'placed') {
      this.say(placedSentence(instrument, result.clientRef, result.adopted, amount));
      return;
    }
    const step = afterBuyRefusal(result.reason, result.providerCode);
    if (step.kind === 'hold') return this.hold(instrument, amount, step.reason);
    this.carry(instrument, amount, step.reason);
    if (step.attention) this.attention ??= `order ${result.clientRef} refused: ${result.reason}`;
  }

  hold(instrument: string, amount: string, reason: HoldReason): void {
    const existing = this.held.find((h) => h.instrument === instrument);
    if (existing) {
      existing.amount = sekString(dec(existing.amount).plus(amount));
      return;
    }
    const today = stockholmDate(nowIso());
    const deadline = stockholmTime(addBankingDays(today, this.policies.blockedLeg.deadlineBankingDays), '10:00');
    this.held.push({ instrument, amount, reason, since: nowIso(), deadline });
    this.say(`${instrument}: ${formatSek(amount)} held (${reason}); retried each banking day until ${deadline}.`);
  }

  carry(instrument: string, amount: string, reason: string, minimum?: string): void {
    if (dec(amount).isZero()) return;
    this.carried.push({ instrument, amount: sekString(amount), reason, ...(minimum ? { minimum } : {}) });
    this.say(`${instrument}: ${formatSek(amount)} carried to the next cycle — ${reason}.`);
  }

  /** KYC never allowed orders: every leg's money stays as cash and is carried to the next cycle (nothing is lost). */
  keepAsCash(decision: SplitDecision, kycDeadlineDays: number): void {
    for (const leg of [...decision.orders, ...decision.held])
      this.carry(leg.instrument, leg.amount, 'KYC deadline passed');
    this.carryBelowMinimum(decision);
    this.attention = `KYC did not allow orders within ${kycDeadlineDays} days; the deposit is kept as cash and carried`;
  }

  /** Legs below their fund's minimum, carried with that minimum (`minimumOf`: the fund's effective minimum). */
  carryBelowMinimum(decision: SplitDecision, minimumOf: (fund: string) => string | undefined = () => undefined): void {
    for (const [fund, amount] of Object.entries(decision.carry))
      this.carry(fund, amount, 'below the fund minimum', minimumOf(fund));
  }

  /** When held legs are next re-checked (next banking day 10:00, or a leg's deadline); Infinity when none. */
  nextHeldCheckAt(): number {
    if (!this.held.length) return Infinity;
    const nextDay = Date.parse(stockholmTime(nextBankingDay(stockholmDate(nowIso())), '10:00'));
    return Math.min(nextDay, ...this.held.map((h) => Date.parse(h.deadline)));
  }

  /** Daily re-check of held legs: order those whose fund reopened; apply the deadline policy to the expired rest. */
  async recheckHeld(): Promise<void> {
    const { clientId, accountId } = this.cycle;
    const legs = this.held;
    this.held = [];
    let rules: Record<string, FundRules>;
    let kycOk: boolean;
    try {
      rules = await read.fundRules({ clientId, instruments: legs.map((h) => h.instrument) });
      kycOk = legs.some((h) => h.reason === 'kyc') ? await read.kycAllowsOrders({ clientId, accountId }) : true;
    } catch (err) {
      // The custodian refused the re-check (not a transient failure: those are retried). The money is kept, never
      // dropped: legs wait as held, and at their deadline are carried (patch `keep-money-after-debit-failure`).
      if (isCancellation(err) || !patched(PATCH.keepMoneyAfterDebitFailure)) throw err;
      this.attention ??= `held legs could not be re-checked: ${failureMessage(err)}`;
      for (const leg of legs)
        if (nowMs() >= Date.parse(leg.deadline))
          this.carry(leg.instrument, leg.amount, `could not be re-checked by its deadline ${leg.deadline}`);
        else this.held.push(leg);
      return;
    }
    for (const leg of legs) {
      if (heldLegOpen(leg.reason, rules[leg.instrument], kycOk)) {
        // Re-decided against the fund's current rules (histories recorded before this rule ordered the held amount
        // as it was; patch `released-legs-re-decided`).
        if (patched(PATCH.releasedLegsReDecided)) {
          await this.release(leg);
          continue;
        }
        this.say(`${leg.instrument}: open again; ordering the held ${formatSek(leg.amount)}.`);
        await this.buy(leg.instrument, leg.amount);
      } else if (nowMs() >= Date.parse(leg.deadline)) {
        await this.atDeadline(leg, rules);
      } else {
        this.held.push(leg);
      }
    }
  }

  /**
   * A held leg whose block cleared goes through the same policy as a fresh leg, against the fund's CURRENT rules
   * (shared/allocation.ts `redecideReleasedLeg`): ordered when orderable, else carried or redistributed over the
   * allocation's other funds, held again if a block came back — never an order the custodian must refuse. What no fund
   * can take is residual (the plan's free cash).
   */
  private async release(leg: HeldLeg): Promise<void> {
    const { clientId, accountId, allocation } = this.cycle;
    let snap;
    try {
      snap = await read.investmentSnapshot({
        ...{ clientId, accountId, allocation, extraFunds: [leg.instrument] }, // the leg's own money: no cash read
      });
    } catch (err) {
      // Refused by the custodian (e.g. the allocation is gone): the money is carried, never dropped.
      if (isCancellation(err) || !patched(PATCH.keepMoneyAfterDebitFailure)) throw err;
      this.carry(leg.instrument, leg.amount, `released, but could not be re-checked: ${failureMessage(err)}`);
      this.attention ??= `a released leg could not be re-checked: ${failureMessage(err)}`;
      return;
    }
    const decision = redecideReleasedLeg({
      ...{ instrument: leg.instrument, amount: leg.amount, allocation: snap.weights, instruments: snap.rules },
      ...{ holdings: snap.holdings, policy: { belowMinimum: this.policies.belowMinimum, blocked: 'hold' } },
    });
    for (const sentence of decision.explanation) this.say(sentence);
    for (const order of decision.orders) await this.buy(order.instrument, order.amount);
    for (const held of decision.held)
      this.hold(held.instrument, held.amount, holdReasonOf(snap.rules[held.instrument]));
    for (const [fund, amount] of Object.entries(decision.carry)) {
      const rules = snap.rules[fund];
      const minimum = rules ? minimumOf(rules, holdsUnits(snap.holdings, fund)) : undefined;
      this.carry(fund, amount, 'below the fund minimum', minimum);
    }
    this.residual = sekString(dec(this.residual).plus(decision.residual));
  }

  /** At the blocked-leg deadline: carry the money, or redistribute it over the funds ordered this cycle. */
  private async atDeadline(leg: HeldLeg, rules: Record<string, FundRules>): Promise<void> {
    const orders = this.desk.book.orders.filter((o) => o.orderId && o.instrument !== leg.instrument);
    const others = [...new Set(orders.map((o) => o.instrument))].filter((id) => rules[id]?.isBuyable !== false);
    if (this.policies.blockedLeg.atDeadline === 'carry' || others.length === 0) {
      this.carry(leg.instrument, leg.amount, `still ${leg.reason} at the deadline ${leg.deadline}`);
      return;
    }
    // Pro rata to what this cycle ordered in each other fund, öre by öre (largest remainder).
    const claims = others.map((id) => ({
      key: id,
      weight: ore(sum(orders.filter((o) => o.instrument === id).map((o) => o.amount))),
    }));
    const shares = apportion(ore(leg.amount), claims);
    this.say(
      `${leg.instrument}: still ${leg.reason} at the deadline; ${formatSek(leg.amount)} redistributed to the other funds.`
    );
    for (const [i, id] of others.entries()) {
      const share = shares[i] ?? 0n;
      if (share > 0n) await this.buy(id, toFixed(dec(share.toString()).div(100), SEK_SCALE, 'down'));
    }
  }

  /** Until no leg is held and every order is final: re-check held legs daily, apply events, poll as a fallback. */
  async trackUntilDone(enter: (phase: 'blocked-instrument' | 'waiting-orders') => Promise<void>): Promise<void> {
    const { book } = this.desk;
    for (;;) {
      if (this.held.length === 0 && book.open().length === 0 && !book.hasEvents()) return;
      await enter(this.held.length > 0 ? 'blocked-instrument' : 'waiting-orders');
      const heldCheckAt = this.nextHeldCheckAt();
      const retry = await this.desk.step(heldCheckAt);
      if (this.held.length && (retry || nowMs() >= heldCheckAt)) await this.recheckHeld();
      await book.fetchSettledAmounts();
      for (const o of book.takeNewlyFinal()) {
        if (o.status !== 'settled') continue;
        this.say(
          `${o.instrument}: order ${o.clientRef} settled: ${o.units ?? '?'} units at ${o.price ?? '?'}, ${formatSek(o.settledAmount ?? o.amount)} paid.`
        );
      }
      await this.replaceCanceled();
    }
  }

  /** A canceled buy's money is ordered again under a new reference while the fund is open; else held or carried. */
  async replaceCanceled(): Promise<void> {
    const book = this.desk.book;
    for (const order of book.orders.filter((o) => o.status === 'canceled' && !this.handledCancels.has(o.clientRef))) {
      this.handledCancels.add(order.clientRef);
      const attempts = book.count(order.instrument, 'buy');
      this.say(`${order.instrument}: order ${order.clientRef} was canceled by the custodian.`);
      const rules =
        attempts >= MAX_ORDERS_PER_FUND
          ? undefined
          : (await read.fundRules({ clientId: this.cycle.clientId, instruments: [order.instrument] }))[
              order.instrument
            ];
      const step = afterBuyCanceled(attempts, rules);
      if (step.kind === 'place-again') await this.buy(order.instrument, order.amount);
      else if (step.kind === 'hold') this.hold(order.instrument, order.amount, step.reason);
      else {
        this.carry(order.instrument, order.amount, step.reason);
        this.attention ??= `orders for ${order.instrument} keep being canceled`;
      }
    }
  }
}

/** An SEK amount (at most 2 decimals) as a count of öre: exact, no rounding. */
function ore(amount: string | ReturnType<typeof dec>): bigint {
  return BigInt(toFixed(dec(sekString(amount)).times(100), 0, 'down')); // exact: at most 2 decimals
}
