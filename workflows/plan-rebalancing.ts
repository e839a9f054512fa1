/**
 * The plan's rebalancing: calendar requests, the drift check after a settled cycle, and starting a run when no
 * cycle is active (decisions in shared/rebalance-triggers.ts). At most one run at a time; when it ends, cycles
 * started meanwhile get their order turn back.
 */
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { stockholmDate } from '../shared/calendar';
import { foldRun } from '../shared/plan-books';
import { keepNewest } from '../shared/plan-state';
import * as triggers from '../shared/rebalance-triggers';
import type { RebalanceRunRecord } from '../shared/status';
import { fondoRead } from './activity-options';
import { failureMessage } from './failures';
import { openOrderTurn, startRebalance } from './plan-children';
import { skippedRun } from './plan-records';
import type { PlanEntity } from './savings-plan';
import { nowIso, nowMs } from './time';

const read = proxyActivities<Activities>(fondoRead);

export class PlanRebalancing {
  running: { date: string; trigger: string; workflowId: string } | undefined;
  /** A cycle settled orders: measure drift before the next decision (checked before continue-as-new). */
  driftCheckDue = false;

  constructor(private readonly p: PlanEntity) {}

  /** When the next calendar run is due (undefined: no calendar). */
  calendarAt(): number | undefined {
    const { st } = this.p;
    const f = { cancelled: st.cancelled !== null, handledThrough: st.calendarHandledThrough, nowMs: nowMs() };
    return triggers.calendarRebalanceAt(this.p.rebalancePolicy, f);
  }

  requestCalendar(at: number): void {
    const { st } = this.p;
    st.calendarHandledThrough = stockholmDate(new Date(at).toISOString());
    if (!st.paused) st.pendingRebalance ??= { trigger: 'calendar', requestedAt: nowIso() };
  }

  private cooldown(): boolean {
    return triggers.inCooldown(this.p.st.lastRebalanceDate, this.p.rebalancePolicy.cooldownDays, nowMs());
  }

  /** Starts the pending (or a drift-triggered) rebalance when no cycle is active. */
  async maybeStart(): Promise<void> {
    const { st, plan, rebalancePolicy: policy } = this.p;
    if (this.running || this.p.cycles.size > 0 || st.cancelled) return;
    if (this.driftCheckDue) {
      this.driftCheckDue = false;
      const blocks = { paused: !!st.paused, pending: !!st.pendingRebalance, cooldown: this.cooldown() };
      if (triggers.driftCheckWanted(policy, blocks)) {
        const { clientId, accountId } = plan;
        const drift = await read.measurePlanDrift({ clientId, accountId, allocation: this.p.allocation });
        if (triggers.driftTriggers(policy, drift)) st.pendingRebalance = { trigger: 'drift', requestedAt: nowIso() };
      }
    }
    const pending = st.pendingRebalance;
    if (!pending) return;
    delete st.pendingRebalance;
    const { trigger } = pending;
    const facts = { enabled: policy.enabled, paused: !!st.paused, cooldown: this.cooldown() };
    const decision = triggers.startDecision(trigger, facts);
    if (decision.kind === 'drop') return;
    if (decision.kind === 'skip') return this.record(skippedRun(plan.planId, trigger, decision.why));
    const date = stockholmDate(nowIso());
    try {
      const handle = await startRebalance({
        ...{ planId: plan.planId, clientId: plan.clientId, accountId: plan.accountId, date, trigger },
        ...{ allocation: this.p.allocation, policy, kycDeadlineDays: plan.policies.kyc.deadlineDays },
        freeCash: this.p.books.freeCashForChild(), // no cycle is active: all the plan's free cash (none while on hold)
        planWorkflowId: workflowInfo().workflowId,
      });
      this.running = { date, trigger, workflowId: handle.workflowId };
      const done = (run: RebalanceRunRecord | Error) => {
        this.p.childDone({ run, date, trigger });
        void this.reopenOrderTurns();
      };
      handle.result().then(done, done);
    } catch (err) {
      const why = `not started: ${failureMessage(err)} (one rebalance per plan and day)`;
      log.info('rebalance request dropped', { trigger, why });
      this.record(skippedRun(plan.planId, trigger, why));
    }
  }

  /** A finished run (or its failure) into the plan's books. */
  finished(run: RebalanceRunRecord | Error, date: string): void {
    this.running = undefined;
    if (run instanceof Error) {
      this.p.attention(`rebalance ${date} failed: ${failureMessage(run)}`);
      this.p.books.hold(`rebalance ${date} failed`);
    } else {
      this.record(run);
      this.p.books.post(`rebalance ${date}`, undefined, (ledger) => foldRun(ledger, run));
    }
  }

  private record(run: RebalanceRunRecord): void {
    const { st } = this.p;
    st.rebalanceRuns = keepNewest(st.rebalanceRuns, run);
    st.lastRebalanceDate = triggers.tradedOn(run) ?? st.lastRebalanceDate;
    if (run.outcome === 'needs-attention') this.p.attention(`rebalance ${run.date} needs attention`);
  }

  /** After a rebalance: cycles started while it ran may now place orders. */
  private async reopenOrderTurns(): Promise<void> {
    for (const c of this.p.cycles.values()) {
      if (c.turnOpen) continue;
      c.turnOpen = true;
      await openOrderTurn(c.workflowId);
    }
  }
}
