/**
 * savingsPlanWorkflow — the entity workflow of one savings plan, id `savings-plan:<planId>`.
 *
 * For each period (YYYY-MM) the schedule (shared/plan-schedule.ts) gives the debit date and Bankgirot deadline;
 * the plan sleeps until `submissionMarginMinutes` before the deadline and starts that period's cycle as a child.
 * It folds each cycle's summary into its books (carry per fund, last 12 summaries, failure count: shared/carry.ts,
 * shared/plan-state.ts) and into its ledger (every krona from debit to settled units, free cash handed to the next
 * cycle or rebalance run one child at a time: shared/ledger.ts, shared/plan-books.ts), triggers rebalances (calendar date, drift after a settled cycle outside cooldown, admin
 * rebalanceNow: shared/rebalance-triggers.ts) and serialises them with cycles: a rebalance starts only when no
 * cycle is active, and a cycle started during a rebalance places no orders until it ends.
 * Messages: workflows/plan-messages.ts. Continue-as-new: whenever no child runs and a period or rebalance was
 * handled in this run (or the server suggests it), carrying PlanCarriedState checked against the next run's
 * schema first. Ends: when cancelled (after its children finish) or after `lastPeriod`.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  makeContinueAsNewFunc,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { addCarry } from '../shared/carry';
import { FailureType } from '../shared/failure-types';
import { describeIssue, PlanInputSchema, type Plan, type PlanCarriedState, type PlanInput } from '../shared/plan';
import { actAt, advance, allPeriodsDone, duePeriod, periodAction, type DuePeriod } from '../shared/plan-schedule';
import { foldCycle as foldCycleBooks } from '../shared/plan-books';
import { foldCycle, keepNewest, planStateOf } from '../shared/plan-state';
import { planDetails } from '../shared/current-details';
import { NextDebitDateKey, PlanStateKey } from '../shared/search-attributes';
import type { CyclePhase, CycleSummary, PlanStateValue, PlanStatus, RebalanceRunRecord } from '../shared/status';
import { failureMessage } from './failures';
import { issueShape } from './messages';
import { startCycle } from './plan-children';
import { registerPlanHandlers } from './plan-messages';
import { emptySummary, planStatusOf } from './plan-records';
import { PlanBooks } from './plan-books';
import { PlanRebalancing } from './plan-rebalancing';
import { nowIso, nowMs, waitUntil, WakeTimer } from './time';
import { PATCH } from './patches';

export interface PlanResult {
  planId: string;
  state: 'cancelled' | 'completed';
  cycles: CycleSummary[];
  carry: Record<string, string>;
  /** The plan's own cash still on the account (its ledger's free + carried + held, SEK); absent before the ledger. */
  cashLeft?: string;
}

export async function savingsPlanWorkflow(raw: PlanInput): Promise<PlanResult> {
  const parsed = PlanInputSchema.safeParse(raw);
  if (!parsed.success) {
    const message = `invalid savings plan: ${describeIssue(parsed.error)}`;
    throw ApplicationFailure.nonRetryable(message, FailureType.InvalidPlanInput);
  }
  const plan = new PlanEntity(parsed.data);
  registerPlanHandlers(plan);
  return plan.run();
}

/** What the plan shows in its search attributes (nextDebit '' = none). */
interface Shown {
  state: PlanStateValue;
  nextDebit: string;
}

/** The search attributes that show `shown` (an empty next debit date removes the attribute). */
function shownAttributes(shown: Shown) {
  return [
    { key: PlanStateKey, value: shown.state },
    { key: NextDebitDateKey, value: shown.nextDebit || null },
  ];
}

type Finished =
  | { period: string; summary: CycleSummary | Error }
  | { run: RebalanceRunRecord | Error; date: string; trigger: RebalanceRunRecord['trigger'] };

export class PlanEntity {
  readonly st: PlanCarriedState;
  amount: string;
  dayOfMonth: Plan['dayOfMonth'];
  allocation: Plan['allocation'];
  rebalancePolicy: Plan['rebalance'];
  wake = false;
  readonly cycles = new Map<
    string,
    {
      workflowId: string;
      phase: CyclePhase;
      turnOpen: boolean;
      carryGiven: Record<string, string>;
      /** The plan's free cash handed to the cycle's pool (the ledger keeps it as free cash until the cycle ends). */
      freeGiven: string;
    }
  >();
  readonly rebalancing = new PlanRebalancing(this);
  readonly books = new PlanBooks(this);
  private readonly finished: Finished[] = [];
  private handledThisRun = 0;
  private shown: Shown | undefined;
  /** The loop's one timer, kept across wakes (a child's phase or end does not start a new one). */
  private readonly timer = new WakeTimer();

  constructor(readonly plan: Plan) {
    this.st = plan.state ?? {
      nextPeriod: plan.firstPeriod,
      ...{ carry: {}, paused: null, cancelled: null, consecutiveFailedPeriods: 0 },
      ...{ skipPeriods: [], attention: [], cycles: [], rebalanceRuns: [] },
    };
    PlanBooks.open(this.st);
    this.amount = plan.amount;
    this.dayOfMonth = plan.dayOfMonth;
    this.allocation = plan.allocation;
    this.rebalancePolicy = plan.rebalance;
  }

  async run(): Promise<PlanResult> {
    for (;;) {
      this.foldFinished();
      await this.rebalancing.maybeStart();
      if (this.idle() && (this.st.cancelled || allPeriodsDone(this.st.nextPeriod, this.plan.lastPeriod)))
        return this.finish();
      if (this.idle() && (this.handledThisRun > 0 || workflowInfo().continueAsNewSuggested))
        return this.continueAsNew();
      const due = this.duePeriod();
      const calendarAt = this.rebalancing.calendarAt();
      this.showState(due);
      const wakeAt = Math.min(due ? actAt(due, !!this.st.paused) : Infinity, calendarAt ?? Infinity);
      // Runs recorded before patch `plan-one-timer-across-wakes` started a timer at every wake.
      if (patched(PATCH.planOneTimerAcrossWakes)) await this.timer.wait(() => this.wake, wakeAt);
      else await waitUntil(() => this.wake, wakeAt);
      this.wake = false;
      this.foldFinished();
      if (due && nowMs() >= actAt(due, !!this.st.paused)) await this.handlePeriod(due);
      if (calendarAt !== undefined && nowMs() >= calendarAt) this.rebalancing.requestCalendar(calendarAt);
    }
  }

  // ---- periods ---------------------------------------------------------------------------------------------

  private duePeriod(): DuePeriod | undefined {
    const { plan, st } = this;
    return duePeriod({
      ...{ nextPeriod: st.nextPeriod, firstPeriod: plan.firstPeriod, lastPeriod: plan.lastPeriod },
      ...{ day: this.dayOfMonth, pendingDayChange: st.pendingDayChange, startImmediately: plan.startImmediately },
      ...{ anyCycleRecorded: st.cycles.length > 0, submissionMarginMinutes: plan.policies.submissionMarginMinutes },
      ...{ cancelled: st.cancelled !== null, nowMs: nowMs() },
    });
  }

  private async handlePeriod(due: DuePeriod): Promise<void> {
    const { st } = this;
    this.handledThisRun++;
    const next = advance(due.period, this.dayOfMonth, st.pendingDayChange);
    st.nextPeriod = next.nextPeriod;
    this.dayOfMonth = next.day;
    if (next.pendingDayChange) st.pendingDayChange = next.pendingDayChange;
    else delete st.pendingDayChange;
    const action = periodAction(due, {
      ...{ skipPeriods: st.skipPeriods, pausedReason: st.paused?.reason ?? null },
      ...{ lateSubmissionBankingDays: this.plan.policies.lateSubmissionBankingDays, nowMs: nowMs() },
    });
    if (action.kind === 'submit') return this.startCycle(due.period, action.debitDate);
    if (action.kind === 'skipped') st.skipPeriods = st.skipPeriods.filter((p) => p !== due.period);
    st.cycles = keepNewest(st.cycles, emptySummary(this, due, action.kind, action.why));
    if (action.kind === 'missed') this.attention(action.attention, due.period);
  }

  private async startCycle(period: string, scheduledDebitDate: string): Promise<void> {
    const { plan, st } = this;
    const turnOpen = this.rebalancing.running === undefined;
    const carry = st.carry;
    // Each krona of free cash is handed to one child at a time; a cycle that waits for a rebalance's turn gets none.
    const freeCash = turnOpen ? this.books.freeCashForChild() : '0.00';
    try {
      const handle = await startCycle({
        ...{ planId: plan.planId, clientId: plan.clientId, accountId: plan.accountId, period, amount: this.amount },
        ...{ scheduledDebitDate, allocation: this.allocation, policies: plan.policies, carry, freeCash },
        ...{
          cashFlow: this.rebalancePolicy.cashFlow,
          orderTurnOpen: turnOpen,
          planWorkflowId: workflowInfo().workflowId,
        },
      });
      st.carry = {};
      this.cycles.set(period, {
        ...{ workflowId: handle.workflowId, phase: 'pre-check', turnOpen },
        ...{ carryGiven: carry, freeGiven: freeCash },
      });
      handle.result().then(
        (summary) => this.childDone({ period, summary }),
        (err: Error) => this.childDone({ period, summary: err })
      );
    } catch (err) {
      // A period never runs twice: an existing cycle for it (e.g. after a reset) is reported, not repeated.
      this.attention(`period ${period} was not started: ${failureMessage(err)}`, period);
    }
  }

  childDone(done: Finished): void {
    this.finished.push(done);
    this.wake = true;
  }

  /** Folds finished children into the books (synchronously, so queries always see a consistent plan). */
  private foldFinished(): void {
    const { st } = this;
    for (const done of this.finished.splice(0)) {
      if ('run' in done) {
        this.handledThisRun++;
        this.rebalancing.finished(done.run, done.date);
        continue;
      }
      const { period, summary } = done;
      const given = this.cycles.get(period)?.carryGiven ?? {};
      this.cycles.delete(period);
      if (summary instanceof Error) {
        // The cycle's books are unknown: keep the carry it was given, and ask an operator to look. Money it was paid
        // or spent is not in the ledger, so no free cash is handed out until the books are reconciled.
        st.carry = addCarry(st.carry, given);
        this.attention(`cycle ${period} failed: ${failureMessage(summary)}`, period);
        this.books.hold(`cycle ${period} failed`);
        continue;
      }
      st.cycles = keepNewest(st.cycles, summary);
      st.carry = addCarry(st.carry, summary.carryOut);
      if (summary.attention) this.attention(summary.attention, period);
      // Carry handed to other running cycles is still carried in the ledger until they report.
      const handedCarry = [...this.cycles.values()].reduce((acc, c) => addCarry(acc, c.carryGiven), st.carry);
      this.books.post(`cycle ${period}`, period, (ledger) => foldCycleBooks(ledger, summary, handedCarry));
      const fold = foldCycle(
        { ...summary, anySettled: summary.orders.some((o) => o.status === 'settled') },
        {
          ...st,
          paused: st.paused !== null,
          maxConsecutiveFailedPeriods: this.plan.policies.maxConsecutiveFailedPeriods,
        }
      );
      st.consecutiveFailedPeriods = fold.consecutiveFailedPeriods;
      if (fold.selfPause) {
        st.paused = { since: nowIso(), reason: fold.selfPause.reason };
        this.attention(fold.selfPause.attention, period);
      }
      this.rebalancing.driftCheckDue ||= fold.driftCheckDue;
    }
  }

  // ---- state, UI, status -----------------------------------------------------------------------------------

  childWorkflowIds(): string[] {
    return [
      ...[...this.cycles.values()].map((c) => c.workflowId),
      ...(this.rebalancing.running ? [this.rebalancing.running.workflowId] : []),
    ];
  }

  private idle(): boolean {
    return this.cycles.size === 0 && this.rebalancing.running === undefined && this.finished.length === 0;
  }

  attention(reason: string, period?: string): void {
    this.st.attention = keepNewest(this.st.attention, { at: nowIso(), reason, ...(period ? { period } : {}) });
  }

  private planState(): PlanStateValue {
    const { st } = this;
    const cyclePhases = [...this.cycles.values()].map((c) => c.phase);
    const facts = { cancelled: !!st.cancelled, paused: !!st.paused, attentionItems: st.attention.length };
    return planStateOf({ ...facts, cyclePhases, rebalancing: this.rebalancing.running !== undefined });
  }

  /** Upserts search attributes only when they change (each upsert is a billable action). */
  private showState(due: DuePeriod | undefined): void {
    setCurrentDetails(planDetails(this.status())); // the UI's summary; no command, no billable action
    const shown = this.showing(due);
    this.shown ??= this.startedShowing();
    if (this.shown?.state === shown.state && this.shown.nextDebit === shown.nextDebit) return;
    this.shown = shown;
    upsertSearchAttributes(shownAttributes(shown));
  }

  private showing(due: DuePeriod | undefined): Shown {
    return { state: this.planState(), nextDebit: due?.debitDate ?? '' };
  }

  /**
   * What this run was started showing: the attributes its start or continue-as-new carried (free, unlike an upsert).
   * Runs recorded before patch `run-starts-showing-carried-state` upserted at their first loop whatever they carried.
   */
  private startedShowing(): Shown | undefined {
    if (!patched(PATCH.runStartsShowingCarriedState)) return undefined;
    const carried = workflowInfo().typedSearchAttributes;
    const state = carried.get(PlanStateKey) as PlanStateValue | undefined;
    return state === undefined ? undefined : { state, nextDebit: carried.get(NextDebitDateKey) ?? '' };
  }

  status(): PlanStatus {
    return planStatusOf(this, this.duePeriod(), this.planState());
  }

  /**
   * The next run's input, checked against the schema the next run parses BEFORE continue-as-new: a run never
   * starts from state it would reject. A breach is a bug; failing the workflow task (not the execution) keeps the
   * plan alive, visible and replayable after a fix.
   */
  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    const { amount, dayOfMonth, allocation, rebalancePolicy: rebalance, st: state } = this;
    const next: PlanInput = { ...this.plan, amount, dayOfMonth, allocation, rebalance, state };
    const checked = PlanInputSchema.safeParse(next);
    if (!checked.success)
      throw new Error(`the plan's next run would reject its state: ${JSON.stringify(issueShape(checked.error))}`);
    // The next run starts showing what its first loop shows (the plan is idle: no child phase in its state), so it
    // upserts nothing until something changes.
    const shows = shownAttributes(this.showing(this.duePeriod()));
    const typedSearchAttributes = workflowInfo().typedSearchAttributes.updateCopy(shows);
    return makeContinueAsNewFunc<typeof savingsPlanWorkflow>({ typedSearchAttributes })(next);
  }

  private finish(): PlanResult {
    const state = this.st.cancelled ? 'cancelled' : 'completed';
    upsertSearchAttributes(shownAttributes({ state, nextDebit: '' }));
    const { cycles, carry } = this.st;
    return { planId: this.plan.planId, state, cycles, carry, cashLeft: this.books.cashLeft() };
  }
}
