/**
 * The plan's message handlers: admin signals (pause, resume, skipNextPeriod, retryNow, cancelPlan, rebalanceNow),
 * childPhase from its cycles, admin updates (changeAmount, changeDayOfMonth, changeAllocationOverride,
 * changeRebalancePolicy) and the planStatus query. Every payload is parsed where it lands (workflows/messages.ts);
 * a cancelled plan rejects every update.
 */
import { ApplicationFailure, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType } from '../shared/failure-types';
import {
  CancelPlanPayload,
  cancelPlanSignal,
  ChangeAllocationOverridePayload,
  changeAllocationOverrideUpdate,
  ChangeAmountPayload,
  changeAmountUpdate,
  ChangeDayOfMonthPayload,
  changeDayOfMonthUpdate,
  ChangeRebalancePolicyPayload,
  changeRebalancePolicyUpdate,
  ChildPhasePayload,
  childPhaseSignal,
  NoPayload,
  PausePayload,
  pauseSignal,
  planStatusQuery,
  rebalanceNowSignal,
  resumeSignal,
  retryNowSignal,
  skipNextPeriodSignal,
} from '../shared/messages';
import { dayChange } from '../shared/plan-schedule';
import { fondoRead } from './activity-options';
import { onSignal, onUpdate } from './messages';
import { retryChildren } from './plan-children';
import type { PlanEntity } from './savings-plan';
import { nowIso, nowMs } from './time';

const read = proxyActivities<Activities>(fondoRead);

export function registerPlanHandlers(plan: PlanEntity): void {
  const { st } = plan;
  const open = () => {
    if (st.cancelled) throw new Error('the plan is cancelled');
  };
  const changed = () => void (plan.wake = true);
  setHandler(planStatusQuery, () => plan.status());

  onSignal(pauseSignal, PausePayload, (arg) => {
    st.paused ??= { since: nowIso(), reason: arg?.reason ?? 'paused by operator' };
    changed();
  });
  onSignal(resumeSignal, NoPayload, () => {
    st.paused = null;
    st.attention = [];
    st.consecutiveFailedPeriods = 0;
    delete st.booksHold; // the operator has reconciled the books
    changed();
  });
  onSignal(skipNextPeriodSignal, NoPayload, () => {
    if (!st.skipPeriods.includes(st.nextPeriod)) st.skipPeriods.push(st.nextPeriod);
    changed();
  });
  onSignal(cancelPlanSignal, CancelPlanPayload, (arg) => {
    st.cancelled ??= { at: nowIso(), reason: arg?.reason ?? 'cancelled by operator' };
    delete st.pendingRebalance;
    changed();
  });
  onSignal(rebalanceNowSignal, NoPayload, () => {
    if (!st.cancelled) st.pendingRebalance = { trigger: 'admin', requestedAt: nowIso() };
    changed();
  });
  onSignal(retryNowSignal, NoPayload, () => retryChildren(plan.childWorkflowIds()));
  onSignal(childPhaseSignal, ChildPhasePayload, ({ workflowId, phase }) => {
    for (const c of plan.cycles.values())
      if (c.workflowId === workflowId && phase !== 'rebalancing' && phase !== 'done') c.phase = phase;
    changed();
  });

  onUpdate(
    changeAmountUpdate,
    ChangeAmountPayload,
    ({ amount }) => {
      plan.amount = amount;
      changed();
      return { appliesFrom: st.nextPeriod };
    },
    open
  );
  onUpdate(
    changeDayOfMonthUpdate,
    ChangeDayOfMonthPayload,
    ({ dayOfMonth }) => {
      const { change, nextDebitDate } = dayChange(st.nextPeriod, dayOfMonth, nowMs());
      st.pendingDayChange = change;
      changed();
      return { appliesFrom: change.from, nextDebitDate };
    },
    open
  );
  onUpdate(
    changeAllocationOverrideUpdate,
    ChangeAllocationOverridePayload,
    async ({ weights }) => {
      if (weights) {
        const instruments = weights.map((w) => w.instrument);
        const unknown = await read.unknownFunds({ clientId: plan.plan.clientId, instruments });
        if (unknown.length)
          throw ApplicationFailure.nonRetryable(
            `not in the client's instrument universe: ${unknown.join(', ')}`,
            FailureType.InvalidPlanInput
          );
      }
      plan.allocation = weights ? { source: 'override', weights } : { source: 'fondo' };
      changed();
      return { appliesFrom: st.nextPeriod };
    },
    open
  );
  onUpdate(
    changeRebalancePolicyUpdate,
    ChangeRebalancePolicyPayload,
    ({ policy }) => {
      plan.rebalancePolicy = policy;
      changed();
      return { policy };
    },
    open
  );
}
