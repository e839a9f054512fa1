/**
 * When a plan rebalances, as pure decisions: the next calendar rebalance instant, cooldown after a run that
 * traded, whether a drift measurement asks for a run, and whether a pending request starts now, is dropped, or is
 * recorded as skipped. Instants are epoch milliseconds (the workflow's clock).
 */
import { stockholmDate, stockholmTime } from './calendar';
import type { PlanRebalancePolicy } from './plan';
import { isOutsideBand, type DriftMeasurement } from './rebalance';
import { nextCalendarRebalanceDate } from './rebalance-schedule';

const DAY_MS = 86_400_000;
/** Calendar runs start at 10:00 Stockholm time on their date. */
export const CALENDAR_RUN_TIME = '10:00';

export type RebalanceTrigger = 'admin' | 'calendar' | 'drift';

/**
 * The instant of the next calendar rebalance after `handledThrough` (the last calendar date already handled; by
 * default yesterday), or undefined when the policy has no calendar (or is off, or the plan is cancelled).
 */
export function calendarRebalanceAt(
  policy: PlanRebalancePolicy,
  f: { cancelled: boolean; handledThrough: string | undefined; nowMs: number }
): number | undefined {
  const calendar = policy.enabled ? policy.calendar : undefined;
  if (!calendar || f.cancelled) return undefined;
  const after = f.handledThrough ?? stockholmDate(new Date(f.nowMs - DAY_MS).toISOString());
  return Date.parse(stockholmTime(nextCalendarRebalanceDate(calendar, after), CALENDAR_RUN_TIME));
}

/** Whether a run that traded on `lastRebalanceDate` still blocks automatic runs (cooldownDays from its midnight). */
export function inCooldown(lastRebalanceDate: string | undefined, cooldownDays: number, nowMs: number): boolean {
  if (!lastRebalanceDate) return false;
  return nowMs < Date.parse(stockholmTime(lastRebalanceDate, '00:00')) + cooldownDays * DAY_MS;
}

/** Whether the plan should measure drift after a settled cycle (the drift trigger's preconditions). */
export function driftCheckWanted(
  policy: PlanRebalancePolicy,
  f: { paused: boolean; pending: boolean; cooldown: boolean }
): boolean {
  return policy.enabled && policy.band !== undefined && !f.paused && !f.pending && !f.cooldown;
}

/** Whether a drift measurement (null: nothing held) asks for a rebalance. */
export function driftTriggers(policy: PlanRebalancePolicy, drift: DriftMeasurement | null): boolean {
  return drift !== null && policy.band !== undefined && isOutsideBand(drift, policy.band);
}

export type StartDecision = { kind: 'start' } | { kind: 'drop' } | { kind: 'skip'; why: string };

/**
 * A pending request when no cycle runs: an admin request always starts (ignoring cooldown and the band);
 * automatic ones are dropped while the policy is off or the plan paused; a calendar run in cooldown is recorded
 * as skipped.
 */
export function startDecision(
  trigger: RebalanceTrigger,
  f: { enabled: boolean; paused: boolean; cooldown: boolean }
): StartDecision {
  if (trigger === 'admin') return { kind: 'start' };
  if (!f.enabled || f.paused) return { kind: 'drop' };
  if (trigger === 'calendar' && f.cooldown) return { kind: 'skip', why: 'in cooldown' };
  return { kind: 'start' };
}

/** A run counts for cooldown only when it placed orders. */
export function tradedOn(run: { date: string; orders: readonly unknown[] }): string | undefined {
  return run.orders.length > 0 ? run.date : undefined;
}
