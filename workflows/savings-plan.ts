/**
 * savingsPlanWorkflow — the entity workflow of one savings plan, id `savings-plan:<planId>`.
 *
 * For each period (YYYY-MM) it computes the debit date and Bankgirot deadline on the Swedish banking-day calendar,
 * sleeps until `submissionMarginMinutes` before the deadline, and starts that period's cycle as a child
 * (`savings-cycle:<planId>:<period>`, REJECT_DUPLICATE, ABANDON on plan close). It folds each cycle's summary
 * into its state (carry-over per fund, last 12 summaries, failure count), triggers rebalances (calendar date,
 * drift after a settled cycle outside cooldown, admin rebalanceNow) and serialises them with cycles: a rebalance
 * starts only when no cycle is active, and a cycle started during a rebalance places no orders until it ends.
 *
 * Periods: a period reached while paused is skipped once its deadline passes; a period reached after its deadline
 * (workers down) is submitted late within `lateSubmissionBankingDays`, else recorded as missed; after
 * `maxConsecutiveFailedPeriods` failed payments in a row the plan pauses itself.
 * Messages: signals pause, resume, skipNextPeriod, retryNow, cancelPlan, rebalanceNow (+ childPhase from children);
 * updates changeAmount, changeDayOfMonth, changeAllocationOverride, changeRebalancePolicy; query planStatus.
 * Continue-as-new: whenever no child runs and a period or rebalance was handled in this run (or the server
 * suggests it), carrying PlanCarriedState; so history stays small over years.
 * Ends: when cancelled (after its children finish) or after `lastPeriod`.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  addBankingDays,
  addPeriods,
  comparePeriods,
  debitDate as scheduledDebitDate,
  earliestDebitDate,
  stockholmDate,
  stockholmTime,
  submissionDeadline,
} from '../shared/calendar';
import { cycleWorkflowId, rebalanceWorkflowId } from '../shared/ids';
import {
  CancelPlanPayload,
  ChangeAllocationOverridePayload,
  ChangeAmountPayload,
  ChangeDayOfMonthPayload,
  ChangeRebalancePolicyPayload,
  ChildPhasePayload,
  NoPayload,
  PausePayload,
  cancelPlanSignal,
  changeAllocationOverrideUpdate,
  changeAmountUpdate,
  changeDayOfMonthUpdate,
  changeRebalancePolicyUpdate,
  childPhaseSignal,
  orderTurnSignal,
  pauseSignal,
  planStatusQuery,
  rebalanceNowSignal,
  resumeSignal,
  retryNowSignal,
  skipNextPeriodSignal,
} from '../shared/messages';
import { dec, SEK_SCALE } from '../shared/money';
import { describeIssue, PlanInputSchema, type Plan, type PlanCarriedState, type PlanInput } from '../shared/plan';
import { isOutsideBand } from '../shared/rebalance';
import { nextCalendarRebalanceDate } from '../shared/rebalance-schedule';
import {
  CyclePeriodKey,
  FondoClientIdKey,
  NextDebitDateKey,
  PlanStateKey,
  SavingsPlanIdKey,
} from '../shared/search-attributes';
import type { CyclePhase, CycleSummary, PlanStateValue, PlanStatus, RebalanceRunRecord } from '../shared/status';
import { FailureType } from '../shared/failure-types';
import { fondoRead } from './activity-options';
import { issueShape, onSignal, onUpdate } from './messages';
import { rebalanceWorkflow, type RebalanceInput } from './rebalance';
import { savingsCycleWorkflow, type CycleInput } from './savings-cycle';
import { DAY_MS, nowIso, nowMs, waitUntil } from './time';

const read = proxyActivities<Activities>(fondoRead);
const KEEP = 12;

export interface PlanResult {
  planId: string;
  state: 'cancelled' | 'completed';
  cycles: CycleSummary[];
  carry: Record<string, string>;
}

interface DuePeriod {
  period: string;
  debitDate: string;
  deadline: string;
  wakeAt: number;
  /** Start now regardless of the schedule (the plan's first period with startImmediately). */
  immediate: boolean;
}

export async function savingsPlanWorkflow(raw: PlanInput): Promise<PlanResult> {
  const parsed = PlanInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid savings plan: ${describeIssue(parsed.error)}`,
      FailureType.InvalidPlanInput
    );
  }
  const plan = new PlanEntity(parsed.data);
  plan.registerHandlers();
  return plan.run();
}

class PlanEntity {
  private readonly st: PlanCarriedState;
  private amount: string;
  private dayOfMonth: Plan['dayOfMonth'];
  private allocation: Plan['allocation'];
  private rebalancePolicy: Plan['rebalance'];
  private readonly cycles = new Map<
    string,
    { workflowId: string; phase: CyclePhase; turnOpen: boolean; carryGiven: Record<string, string> }
  >();
  private rebalance: { date: string; trigger: string; workflowId: string } | undefined;
  private readonly finished: { kind: 'cycle'; period: string; summary: CycleSummary | Error }[] = [];
  private readonly finishedRebalances: (RebalanceRunRecord | { error: Error; date: string; trigger: string })[] = [];
  private wake = false;
  /** A cycle settled orders: measure drift before the next decision (not carried: checked before continue-as-new). */
  private driftCheckDue = false;
  private handledThisRun = 0;
  private lastState: PlanStateValue | undefined;
  private lastNextDebit: string | undefined;

  constructor(private readonly plan: Plan) {
    this.st = plan.state ?? {
      nextPeriod: plan.firstPeriod,
      carry: {},
      paused: null,
      cancelled: null,
      consecutiveFailedPeriods: 0,
      skipPeriods: [],
      attention: [],
      cycles: [],
      rebalanceRuns: [],
    };
    this.amount = plan.amount;
    this.dayOfMonth = plan.dayOfMonth;
    this.allocation = plan.allocation;
    this.rebalancePolicy = plan.rebalance;
  }

  registerHandlers(): void {
    const changed = () => void (this.wake = true);
    const open = () => this.assertOpen();
    setHandler(planStatusQuery, () => this.status());
    onSignal(pauseSignal, PausePayload, (arg) => {
      if (!this.st.paused) this.st.paused = { since: nowIso(), reason: arg?.reason ?? 'paused by operator' };
      changed();
    });
    onSignal(resumeSignal, NoPayload, () => {
      this.st.paused = null;
      this.st.attention = [];
      this.st.consecutiveFailedPeriods = 0;
      changed();
    });
    onSignal(skipNextPeriodSignal, NoPayload, () => {
      if (!this.st.skipPeriods.includes(this.st.nextPeriod)) this.st.skipPeriods.push(this.st.nextPeriod);
      changed();
    });
    onSignal(cancelPlanSignal, CancelPlanPayload, (arg) => {
      this.st.cancelled ??= { at: nowIso(), reason: arg?.reason ?? 'cancelled by operator' };
      delete this.st.pendingRebalance;
      changed();
    });
    onSignal(rebalanceNowSignal, NoPayload, () => {
      if (!this.st.cancelled) this.st.pendingRebalance = { trigger: 'admin', requestedAt: nowIso() };
      changed();
    });
    onSignal(retryNowSignal, NoPayload, async () => {
      const targets = [
        ...[...this.cycles.values()].map((c) => c.workflowId),
        ...(this.rebalance ? [this.rebalance.workflowId] : []),
      ];
      for (const id of targets) await signalChild(id, () => getExternalWorkflowHandle(id).signal(retryNowSignal));
    });
    onSignal(childPhaseSignal, ChildPhasePayload, ({ workflowId, phase }) => {
      for (const c of this.cycles.values())
        if (c.workflowId === workflowId && phase !== 'rebalancing' && phase !== 'done') c.phase = phase;
      changed();
    });

    onUpdate(
      changeAmountUpdate,
      ChangeAmountPayload,
      ({ amount }) => {
        this.amount = amount;
        changed();
        return { appliesFrom: this.st.nextPeriod };
      },
      open
    );
    onUpdate(
      changeDayOfMonthUpdate,
      ChangeDayOfMonthPayload,
      ({ dayOfMonth }) => {
        // The change applies to the next period not yet submitted, unless its new deadline has already passed:
        // then that period keeps its schedule and the new day starts the period after.
        const next = this.st.nextPeriod;
        const from =
          Date.parse(submissionDeadline(scheduledDebitDate(next, dayOfMonth))) > nowMs() ? next : addPeriods(next, 1);
        this.st.pendingDayChange = { day: dayOfMonth, from };
        changed();
        return { appliesFrom: from, nextDebitDate: scheduledDebitDate(from, dayOfMonth) };
      },
      open
    );
    onUpdate(
      changeAllocationOverrideUpdate,
      ChangeAllocationOverridePayload,
      async ({ weights }) => {
        if (weights) {
          const unknown = await read.unknownFunds({
            clientId: this.plan.clientId,
            instruments: weights.map((w) => w.instrument),
          });
          if (unknown.length)
            throw ApplicationFailure.nonRetryable(
              `not in the client's instrument universe: ${unknown.join(', ')}`,
              FailureType.InvalidPlanInput
            );
        }
        this.allocation = weights ? { source: 'override', weights } : { source: 'fondo' };
        changed();
        return { appliesFrom: this.st.nextPeriod };
      },
      open
    );
    onUpdate(
      changeRebalancePolicyUpdate,
      ChangeRebalancePolicyPayload,
      ({ policy }) => {
        this.rebalancePolicy = policy;
        changed();
        return { policy: this.rebalancePolicy };
      },
      open
    );
  }

  async run(): Promise<PlanResult> {
    for (;;) {
      this.foldFinished();
      await this.maybeStartRebalance();
      if (this.idle() && (this.st.cancelled || this.allPeriodsDone())) return this.finish();
      if (this.readyToContinueAsNew()) return this.continueAsNew();
      const due = this.duePeriod();
      const calendarAt = this.calendarRebalanceAt();
      this.upsertSearchAttributes(due);

      // A due period waits for its wake time; while paused, for its deadline (resume before it runs it).
      const dueAt = due ? (this.st.paused ? Date.parse(due.deadline) : due.wakeAt) : Infinity;
      await waitUntil(() => this.wake, Math.min(dueAt, calendarAt ?? Infinity));
      this.wake = false;
      this.foldFinished();
      if (due && nowMs() >= (this.st.paused ? Date.parse(due.deadline) : due.wakeAt)) await this.handleDue(due);
      if (calendarAt !== undefined && nowMs() >= calendarAt) this.requestCalendarRebalance();
    }
  }

  // ---- periods ---------------------------------------------------------------------------------------------

  private allPeriodsDone(): boolean {
    return this.plan.lastPeriod !== undefined && comparePeriods(this.st.nextPeriod, this.plan.lastPeriod) > 0;
  }

  private dayFor(period: string): Plan['dayOfMonth'] {
    return this.st.pendingDayChange && comparePeriods(period, this.st.pendingDayChange.from) >= 0
      ? this.st.pendingDayChange.day
      : this.dayOfMonth;
  }

  private duePeriod(): DuePeriod | undefined {
    if (this.st.cancelled || this.allPeriodsDone()) return undefined;
    const period = this.st.nextPeriod;
    const immediate = this.plan.startImmediately && period === this.plan.firstPeriod && this.st.cycles.length === 0;
    const debitDate = immediate ? earliestDebitDate(nowIso()) : scheduledDebitDate(period, this.dayFor(period));
    const deadline = submissionDeadline(debitDate);
    const wakeAt = immediate ? nowMs() : Date.parse(deadline) - this.plan.policies.submissionMarginMinutes * 60_000;
    return { period, debitDate, deadline, wakeAt, immediate };
  }

  private async handleDue(due: DuePeriod): Promise<void> {
    const { period } = due;
    this.handledThisRun++;
    this.st.nextPeriod = addPeriods(period, 1);
    if (this.st.pendingDayChange && comparePeriods(this.st.nextPeriod, this.st.pendingDayChange.from) > 0) {
      this.dayOfMonth = this.st.pendingDayChange.day;
      delete this.st.pendingDayChange;
    }
    if (this.st.skipPeriods.includes(period)) {
      this.st.skipPeriods = this.st.skipPeriods.filter((p) => p !== period);
      this.record(this.emptySummary(due, 'skipped', 'skipped by operator'));
      return;
    }
    if (this.st.paused) {
      this.record(
        this.emptySummary(due, 'skipped-paused', `plan paused (${this.st.paused.reason}) at the submission deadline`)
      );
      return;
    }
    let debitDate = due.debitDate;
    if (!due.immediate && nowMs() > Date.parse(due.deadline)) {
      // Late (workers were down): submit now if the debit is at most `lateSubmissionBankingDays` late.
      const lateDebit = earliestDebitDate(nowIso());
      if (lateDebit > addBankingDays(due.debitDate, this.plan.policies.lateSubmissionBankingDays)) {
        this.record(this.emptySummary(due, 'missed', `reached after its deadline ${due.deadline}; too late to debit`));
        this.attention(`period ${period} missed: the plan was not running at its submission deadline`, period);
        return;
      }
      debitDate = lateDebit;
    }
    await this.startCycle(period, debitDate);
  }

  private async startCycle(period: string, debitDate: string): Promise<void> {
    const workflowId = cycleWorkflowId(this.plan.planId, period);
    const turnOpen = this.rebalance === undefined;
    const input: CycleInput = {
      planId: this.plan.planId,
      clientId: this.plan.clientId,
      accountId: this.plan.accountId,
      period,
      amount: this.amount,
      scheduledDebitDate: debitDate,
      allocation: this.allocation,
      policies: this.plan.policies,
      carry: this.st.carry,
      cashFlow: this.rebalancePolicy.cashFlow,
      orderTurnOpen: turnOpen,
      planWorkflowId: workflowInfo().workflowId,
    };
    let handle: ChildWorkflowHandle<typeof savingsCycleWorkflow>;
    try {
      handle = await startChild(savingsCycleWorkflow, {
        workflowId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `savings ${period}: ${input.amount} SEK`,
        typedSearchAttributes: [
          { key: SavingsPlanIdKey, value: this.plan.planId },
          { key: FondoClientIdKey, value: this.plan.clientId },
          { key: CyclePeriodKey, value: period },
        ],
      });
    } catch (err) {
      // A period never runs twice: an existing cycle for it (e.g. after a reset) is reported, not repeated.
      this.attention(`period ${period} was not started: ${errorMessage(err)}`, period);
      return;
    }
    this.st.carry = {};
    this.cycles.set(period, { workflowId, phase: 'pre-check', turnOpen, carryGiven: input.carry });
    handle.result().then(
      (summary) => this.childDone(period, summary),
      (err: Error) => this.childDone(period, err)
    );
  }

  private childDone(period: string, summary: CycleSummary | Error): void {
    this.finished.push({ kind: 'cycle', period, summary });
    this.wake = true;
  }

  /** Folds finished children into the state (synchronously, so queries always see a consistent plan). */
  private foldFinished(): void {
    for (const { period, summary } of this.finished.splice(0)) {
      const given = this.cycles.get(period)?.carryGiven ?? {};
      this.cycles.delete(period);
      if (summary instanceof Error) {
        // The cycle's books are unknown: keep the carry it was given, and ask an operator to look.
        this.addCarry(given);
        this.attention(`cycle ${period} failed: ${errorMessage(summary)}`, period);
        continue;
      }
      this.record(summary);
      this.addCarry(summary.carryOut);
      if (summary.attention) this.attention(summary.attention, period);
      if (summary.outcome === 'payment-failed') {
        this.st.consecutiveFailedPeriods++;
        const max = this.plan.policies.maxConsecutiveFailedPeriods;
        if (this.st.consecutiveFailedPeriods >= max && !this.st.paused) {
          this.st.paused = { since: nowIso(), reason: `${max} failed periods in a row` };
          this.attention(`paused itself after ${max} failed periods in a row`, period);
        }
      } else if (dec(summary.paidAmount).greaterThan(0)) {
        this.st.consecutiveFailedPeriods = 0;
        if (summary.orders.some((o) => o.status === 'settled')) this.driftCheckDue = true;
      }
    }
    for (const run of this.finishedRebalances.splice(0)) {
      this.rebalance = undefined;
      if ('error' in run) {
        this.attention(`rebalance ${run.date} failed: ${errorMessage(run.error)}`);
      } else {
        this.st.rebalanceRuns = [...this.st.rebalanceRuns, run as unknown as Record<string, unknown>].slice(-KEEP);
        if (run.orders.length > 0) this.st.lastRebalanceDate = run.date;
        if (run.outcome === 'needs-attention') this.attention(`rebalance ${run.date} needs attention`);
      }
      this.handledThisRun++;
    }
  }

  private addCarry(carry: Record<string, string>): void {
    for (const [fund, amount] of Object.entries(carry)) {
      this.st.carry[fund] = dec(this.st.carry[fund] ?? '0')
        .plus(amount)
        .toFixed(SEK_SCALE);
    }
  }

  private record(summary: CycleSummary): void {
    this.st.cycles = [...this.st.cycles, summary as unknown as Record<string, unknown>].slice(-KEEP);
  }

  private emptySummary(due: DuePeriod, outcome: CycleSummary['outcome'], why: string): CycleSummary {
    const now = nowIso();
    return {
      planId: this.plan.planId,
      period: due.period,
      outcome,
      scheduledDebitDate: due.debitDate,
      debitDate: null,
      requestedAmount: this.amount,
      paidAmount: '0.00',
      payments: [],
      orders: [],
      carryIn: {},
      carried: [],
      carryOut: {},
      residual: '0.00',
      settlementRemainder: '0.00',
      explanation: [`Period ${due.period}: ${why}; nothing was debited.`],
      attention: null,
      timings: { startedAt: now, paidAt: null, investedAt: null, completedAt: now },
    };
  }

  // ---- rebalancing -------------------------------------------------------------------------------------------

  private calendarRebalanceAt(): number | undefined {
    const calendar = this.rebalancePolicy.enabled ? this.rebalancePolicy.calendar : undefined;
    if (!calendar || this.st.cancelled) return undefined;
    const after = this.st.calendarHandledThrough ?? stockholmDate(new Date(nowMs() - DAY_MS).toISOString());
    return Date.parse(stockholmTime(nextCalendarRebalanceDate(calendar, after), '10:00'));
  }

  private nextCalendarDate(): string | null {
    const at = this.calendarRebalanceAt();
    return at === undefined ? null : stockholmDate(new Date(at).toISOString());
  }

  private requestCalendarRebalance(): void {
    const date = this.nextCalendarDate();
    if (!date) return;
    this.st.calendarHandledThrough = date;
    if (!this.st.paused) this.st.pendingRebalance ??= { trigger: 'calendar', requestedAt: nowIso() };
  }

  private inCooldown(): boolean {
    if (!this.st.lastRebalanceDate) return false;
    const until =
      Date.parse(stockholmTime(this.st.lastRebalanceDate, '00:00')) + this.rebalancePolicy.cooldownDays * DAY_MS;
    return nowMs() < until;
  }

  /** Starts the pending (or a drift-triggered) rebalance when no cycle is active. */
  private async maybeStartRebalance(): Promise<void> {
    if (this.rebalance || this.cycles.size > 0 || this.st.cancelled) return;
    if (this.driftCheckDue) {
      this.driftCheckDue = false;
      const band = this.rebalancePolicy.band;
      if (this.rebalancePolicy.enabled && band && !this.st.paused && !this.st.pendingRebalance && !this.inCooldown()) {
        const drift = await read.measurePlanDrift({
          clientId: this.plan.clientId,
          accountId: this.plan.accountId,
          allocation: this.allocation,
        });
        if (drift && isOutsideBand(drift, band)) this.st.pendingRebalance = { trigger: 'drift', requestedAt: nowIso() };
      }
    }
    const pending = this.st.pendingRebalance;
    if (!pending) return;
    delete this.st.pendingRebalance;
    if (pending.trigger !== 'admin' && (!this.rebalancePolicy.enabled || this.st.paused)) return;
    if (pending.trigger === 'calendar' && this.inCooldown()) {
      this.finishedRebalanceSkipped(pending.trigger, 'in cooldown');
      return;
    }
    const date = stockholmDate(nowIso());
    const workflowId = rebalanceWorkflowId(this.plan.planId, date);
    const input: RebalanceInput = {
      planId: this.plan.planId,
      clientId: this.plan.clientId,
      accountId: this.plan.accountId,
      date,
      trigger: pending.trigger,
      allocation: this.allocation,
      policy: this.rebalancePolicy,
      kycDeadlineDays: this.plan.policies.kyc.deadlineDays,
      planWorkflowId: workflowInfo().workflowId,
    };
    try {
      const handle = await startChild(rebalanceWorkflow, {
        workflowId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `rebalance ${date} (${pending.trigger})`,
        typedSearchAttributes: [
          { key: SavingsPlanIdKey, value: this.plan.planId },
          { key: FondoClientIdKey, value: this.plan.clientId },
          { key: PlanStateKey, value: 'rebalancing' },
        ],
      });
      this.rebalance = { date, trigger: pending.trigger, workflowId };
      handle.result().then(
        (run) => {
          this.finishedRebalances.push(run);
          this.wake = true;
          void this.reopenOrderTurns();
        },
        (error: Error) => {
          this.finishedRebalances.push({ error, date, trigger: pending.trigger });
          this.wake = true;
          void this.reopenOrderTurns();
        }
      );
    } catch (err) {
      this.finishedRebalanceSkipped(
        pending.trigger,
        `not started: ${errorMessage(err)} (one rebalance per plan and day)`
      );
    }
  }

  private finishedRebalanceSkipped(trigger: RebalanceRunRecord['trigger'], why: string): void {
    log.info('rebalance request dropped', { trigger, why });
    const now = nowIso();
    const run: RebalanceRunRecord = {
      planId: this.plan.planId,
      date: stockholmDate(now),
      trigger,
      outcome: 'skipped',
      driftBefore: null,
      driftAfter: null,
      orders: [],
      skipped: [],
      explanation: [`Rebalance (${trigger}) not run: ${why}.`],
      timings: { startedAt: now, sellsSettledAt: null, completedAt: now },
    };
    this.st.rebalanceRuns = [...this.st.rebalanceRuns, run as unknown as Record<string, unknown>].slice(-KEEP);
  }

  /** After a rebalance: cycles started while it ran may now place orders. */
  private async reopenOrderTurns(): Promise<void> {
    for (const c of this.cycles.values()) {
      if (c.turnOpen) continue;
      c.turnOpen = true;
      await signalChild(c.workflowId, () =>
        getExternalWorkflowHandle(c.workflowId).signal(orderTurnSignal, { open: true })
      );
    }
  }

  // ---- state, UI, status -----------------------------------------------------------------------------------

  private idle(): boolean {
    return (
      this.cycles.size === 0 &&
      this.rebalance === undefined &&
      this.finished.length === 0 &&
      this.finishedRebalances.length === 0
    );
  }

  private attention(reason: string, period?: string): void {
    this.st.attention = [...this.st.attention, { at: nowIso(), reason, ...(period ? { period } : {}) }].slice(-KEEP);
  }

  private assertOpen(): void {
    if (this.st.cancelled) throw new Error('the plan is cancelled');
  }

  private planState(): PlanStateValue {
    if (this.st.cancelled) return 'cancelled';
    if (this.st.attention.length) return 'needs-attention';
    const phases = [...this.cycles.values()].map((c) => c.phase);
    if (phases.includes('blocked-kyc')) return 'blocked-kyc';
    if (phases.includes('blocked-instrument')) return 'blocked-instrument';
    if (this.st.paused) return 'paused';
    if (this.rebalance) return 'rebalancing';
    if (phases.includes('waiting-payment') || phases.includes('pre-check')) return 'waiting-payment';
    if (phases.length) return 'investing';
    return 'active';
  }

  /** Upserts search attributes only when they change (each upsert is a billable action). */
  private upsertSearchAttributes(due: DuePeriod | undefined): void {
    const state = this.planState();
    const nextDebit = due?.debitDate ?? '';
    if (state === this.lastState && nextDebit === this.lastNextDebit) return;
    this.lastState = state;
    this.lastNextDebit = nextDebit;
    upsertSearchAttributes([
      { key: PlanStateKey, value: state },
      { key: NextDebitDateKey, value: nextDebit || null },
    ]);
  }

  status(): PlanStatus {
    const due = this.duePeriod();
    return {
      planId: this.plan.planId,
      clientId: this.plan.clientId,
      accountId: this.plan.accountId,
      state: this.planState(),
      amount: this.amount,
      dayOfMonth: due ? this.dayFor(due.period) : this.dayOfMonth,
      allocation: this.allocation,
      nextPeriod: due?.period ?? null,
      nextDebitDate: due?.debitDate ?? null,
      nextSubmissionDeadline: due?.deadline ?? null,
      paused: this.st.paused,
      cancelled: this.st.cancelled,
      blockedReasons: [...this.cycles.entries()]
        .filter(([, c]) => c.phase === 'blocked-kyc' || c.phase === 'blocked-instrument')
        .map(([period, c]) => `${period}: ${c.phase}`),
      attention: this.st.attention,
      carry: this.st.carry,
      consecutiveFailedPeriods: this.st.consecutiveFailedPeriods,
      activeCycles: [...this.cycles.entries()].map(([period, c]) => ({ period, phase: c.phase })),
      cycles: this.st.cycles as unknown as CycleSummary[],
      rebalance: {
        policy: this.rebalancePolicy,
        running: this.rebalance ? { date: this.rebalance.date, trigger: this.rebalance.trigger } : null,
        pending: this.st.pendingRebalance ?? null,
        lastRebalanceDate: this.st.lastRebalanceDate ?? null,
        nextCalendarDate: this.nextCalendarDate(),
        runs: this.st.rebalanceRuns as unknown as RebalanceRunRecord[],
      },
    };
  }

  private readyToContinueAsNew(): boolean {
    return this.idle() && (this.handledThisRun > 0 || workflowInfo().continueAsNewSuggested);
  }

  /**
   * The next run's input, checked against the schema the next run parses BEFORE continue-as-new: a run never
   * starts from state it would reject. A breach is a bug; failing the workflow task (not the execution) keeps the
   * plan alive, visible and replayable after a fix.
   */
  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    const next: PlanInput = {
      ...this.plan,
      amount: this.amount,
      dayOfMonth: this.dayOfMonth,
      allocation: this.allocation,
      rebalance: this.rebalancePolicy,
      state: this.st,
    };
    const checked = PlanInputSchema.safeParse(next);
    if (!checked.success) {
      throw new Error(`the plan's next run would reject its state: ${JSON.stringify(issueShape(checked.error))}`);
    }
    return continueAsNew<typeof savingsPlanWorkflow>(next);
  }

  private finish(): PlanResult {
    upsertSearchAttributes([
      { key: PlanStateKey, value: this.st.cancelled ? 'cancelled' : 'completed' },
      { key: NextDebitDateKey, value: null },
    ]);
    return {
      planId: this.plan.planId,
      state: this.st.cancelled ? 'cancelled' : 'completed',
      cycles: this.st.cycles as unknown as CycleSummary[],
      carry: this.st.carry,
    };
  }
}

async function signalChild(workflowId: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    log.warn('could not signal child workflow', { workflowId, error: errorMessage(err) });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
