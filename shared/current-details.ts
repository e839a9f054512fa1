/**
 * The short Markdown a plan or cycle shows as its "current details" in the Temporal UI (workflow metadata): state,
 * the next action and the money waiting. Pure, deterministic (workflow code), and free of personal data: plan id,
 * periods, fund ids, amounts and dates only — never the client or account id.
 */
import { stockholmDate } from './calendar';
import { FINAL_ORDER_STATES } from './custodian';
import { dec, formatSek, sum } from './money';
import type { CycleStatus, PlanStatus } from './status';

/** A plan's details: state, what happens next, what waits, what needs an operator. */
export function planDetails(s: PlanStatus): string {
  const lines = [`**Plan ${s.planId}** — state **${s.state}**, ${formatSek(s.amount)} a month`];
  if (s.cancelled) lines.push(`- Cancelled: ${s.cancelled.reason}`);
  else if (s.paused) lines.push(`- Paused since ${stockholmDate(s.paused.since)}: nothing is submitted until resumed`);
  else {
    for (const period of s.pendingSkips ?? []) lines.push(`- Skip requested for ${period}: nothing will be debited`);
    const next =
      s.nextSubmission !== undefined
        ? s.nextSubmission
        : s.nextDebitDate && s.nextSubmissionDeadline
          ? { period: s.nextPeriod ?? '?', debitDate: s.nextDebitDate, submissionDeadline: s.nextSubmissionDeadline }
          : null;
    if (next)
      lines.push(
        `- Next: submit ${formatSek(s.amount)} by ${stockholmDate(next.submissionDeadline)} 19:00 Stockholm time ` +
          `for debit on ${next.debitDate} (period ${next.period})`
      );
  }
  for (const c of s.activeCycles) lines.push(`- Running: period ${c.period} — ${c.phase}`);
  if (s.rebalance.running)
    lines.push(`- Rebalancing since ${s.rebalance.running.date} (${s.rebalance.running.trigger})`);
  const carried = Object.entries(s.carry).filter(([, a]) => !dec(a).isZero());
  if (carried.length)
    lines.push(
      `- Money waiting: ${formatSek(sum(carried.map(([, a]) => a)))} carried ` +
        `(${carried.map(([f, a]) => `${f} ${formatSek(a)}`).join(', ')})`
    );
  if (s.attention.length) lines.push(`- **Needs attention** (${s.attention.length}): ${s.attention.at(-1)!.reason}`);
  return lines.join('\n');
}

/** A cycle's details: phase, payment, orders, held legs with their deadline, KYC. */
export function cycleDetails(c: CycleStatus): string {
  const lines = [`**Period ${c.period}** of plan ${c.planId} — **${c.phase}**`];
  const payment = c.payments.at(-1);
  if (payment)
    lines.push(
      `- Payment ${payment.clientRef}: ${payment.status}${payment.reasonCode ? ` (code ${payment.reasonCode})` : ''}` +
        `${payment.debitDate ? `, debit ${payment.debitDate}` : ''}`
    );
  if (c.orders.length) {
    const open = c.orders.filter((o) => !FINAL_ORDER_STATES.includes(o.status));
    lines.push(
      `- Orders: ${c.orders.length} placed, ${open.length} open (${formatSek(sum(open.map((o) => o.amount)))})`
    );
  }
  for (const h of c.held)
    lines.push(`- Held: ${h.instrument} ${formatSek(h.amount)} (${h.reason}) until ${stockholmDate(h.deadline)}`);
  if (c.kycBlockedSince) lines.push(`- Orders wait for KYC since ${stockholmDate(c.kycBlockedSince)}`);
  return lines.join('\n');
}
