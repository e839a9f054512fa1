/**
 * Records the plan writes itself: its status (the planStatus query), a period that ran no cycle, and a rebalance
 * request that started no run.
 */
import { stockholmDate } from '../shared/calendar';
import { nextSubmission, pendingSkipsFrom } from '../shared/next-submission';
import { booksView } from '../shared/plan-books';
import { allPeriodsDone, dayFor, type DuePeriod } from '../shared/plan-schedule';
import type { RebalanceTrigger } from '../shared/rebalance-triggers';
import type { CycleSummary, PlanStateValue, PlanStatus, RebalanceRunRecord } from '../shared/status';
import type { PlanEntity } from './savings-plan';
import { nowIso } from './time';

/** The planStatus query's answer. */
export function planStatusOf(p: PlanEntity, due: DuePeriod | undefined, state: PlanStateValue): PlanStatus {
  const { st, plan } = p;
  const calendarAt = p.rebalancing.calendarAt();
  const running = p.rebalancing.running;
  const active = [...p.cycles.entries()].map(([period, c]) => ({ period, phase: c.phase }));
  // A plan past its last period with nothing running has completed (also when asked after it returned).
  const done = state === 'active' && !active.length && !running && allPeriodsDone(st.nextPeriod, plan.lastPeriod);
  return {
    ...{ planId: plan.planId, clientId: plan.clientId, accountId: plan.accountId, state: done ? 'completed' : state },
    ...{ amount: p.amount, allocation: p.allocation },
    dayOfMonth: due ? dayFor(due.period, p.dayOfMonth, st.pendingDayChange) : p.dayOfMonth,
    nextPeriod: due?.period ?? null,
    nextDebitDate: due?.debitDate ?? null,
    nextSubmissionDeadline: due?.deadline ?? null,
    pendingSkips: due ? pendingSkipsFrom(due.period, st.skipPeriods) : [],
    nextSubmission: nextSubmissionOf(p, due),
    ...{ paused: st.paused, cancelled: st.cancelled, attention: st.attention, carry: st.carry },
    books: booksView(p.books.ledger()),
    booksHold: st.booksHold ?? null,
    blockedReasons: active
      .filter((c) => c.phase === 'blocked-kyc' || c.phase === 'blocked-instrument')
      .map((c) => `${c.period}: ${c.phase}`),
    consecutiveFailedPeriods: st.consecutiveFailedPeriods,
    activeCycles: active,
    cycles: st.cycles,
    rebalance: {
      policy: p.rebalancePolicy,
      running: running ? { date: running.date, trigger: running.trigger } : null,
      pending: st.pendingRebalance ?? null,
      lastRebalanceDate: st.lastRebalanceDate ?? null,
      nextCalendarDate: calendarAt === undefined ? null : stockholmDate(new Date(calendarAt).toISOString()),
      runs: st.rebalanceRuns,
    },
  };
}

/** The first period past the pending skips; null (not a failed query) should the calendar not reach it. */
function nextSubmissionOf(p: PlanEntity, due: DuePeriod | undefined): PlanStatus['nextSubmission'] {
  try {
    return nextSubmission(due, {
      ...{ skipPeriods: p.st.skipPeriods, day: p.dayOfMonth },
      ...{ pendingDayChange: p.st.pendingDayChange, lastPeriod: p.plan.lastPeriod },
    });
  } catch {
    return null;
  }
}

/** A period that ran no cycle (skipped, skipped while paused, missed): nothing was debited. */
export function emptySummary(
  plan: { plan: { planId: string }; amount: string },
  due: DuePeriod,
  outcome: CycleSummary['outcome'],
  why: string
): CycleSummary {
  const now = nowIso();
  return {
    planId: plan.plan.planId,
    period: due.period,
    outcome,
    scheduledDebitDate: due.debitDate,
    debitDate: null,
    requestedAmount: plan.amount,
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

/** A rebalance request that started no run (in cooldown, or a run of the day already exists). */
export function skippedRun(planId: string, trigger: RebalanceTrigger, why: string): RebalanceRunRecord {
  const now = nowIso();
  return {
    planId,
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
}
