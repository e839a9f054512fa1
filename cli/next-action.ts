/**
 * "What happens next" for a plan, in one line an operator can read to a saver on the phone. Pure: derived from the
 * plan's status and its running cycles' status. Times are Stockholm wall time with the zone named.
 */
import { FINAL_ORDER_STATES } from '../shared/custodian';
import { formatSek } from '../shared/money';
import type { NextSubmission } from '../shared/next-submission';
import type { CycleStatus, PlanStatus } from '../shared/status';
import { longDate, stockholmDateTime } from './stockholm';

function cycleNext(c: CycleStatus): string {
  const pending = c.payments.at(-1);
  switch (c.phase) {
    case 'pre-check':
      return `period ${c.period}: checking the account before the debit`;
    case 'waiting-payment':
      return pending?.debitDate
        ? `period ${c.period}: waiting for Bankgirot's answer on the debit of ${longDate(pending.debitDate)} (attempt ${pending.attempt})`
        : `period ${c.period}: submitting the payment`;
    case 'paid':
      return `period ${c.period}: paid; reading the account and the funds' rules to split the deposit`;
    case 'waiting-turn':
      return `period ${c.period}: paid; orders wait until the running rebalance has placed its orders`;
    case 'blocked-kyc':
      return `period ${c.period}: paid; orders wait for the saver's KYC${c.kycBlockedSince ? ` (blocked since ${stockholmDateTime(c.kycBlockedSince)})` : ''}; re-checked on a backoff`;
    case 'blocked-instrument': {
      const held = c.held.map((h) => `${h.instrument} ${formatSek(h.amount)} until ${stockholmDateTime(h.deadline)}`);
      return `period ${c.period}: legs held for closed funds (${held.join('; ')}); re-checked every banking day`;
    }
    case 'investing':
      return `period ${c.period}: paid; placing the orders`;
    case 'waiting-orders': {
      const open = c.orders.filter((o) => !FINAL_ORDER_STATES.includes(o.status)).length;
      return `period ${c.period}: waiting for ${open} order(s) to settle`;
    }
    case 'completed':
      return `period ${c.period}: completed`;
  }
}

/** The first period that will be submitted: past the pending skips (answers without `nextSubmission`: the next). */
function nextSubmissionOf(s: PlanStatus): NextSubmission | null {
  if (s.nextSubmission !== undefined) return s.nextSubmission;
  if (!s.nextSubmissionDeadline || !s.nextDebitDate || !s.nextPeriod) return null;
  return { period: s.nextPeriod, debitDate: s.nextDebitDate, submissionDeadline: s.nextSubmissionDeadline };
}

/** The next thing that will happen to the plan's money, and when. */
export function nextAction(status: PlanStatus, running: readonly CycleStatus[]): string {
  if (status.cancelled) return `nothing: the plan was cancelled ${stockholmDateTime(status.cancelled.at)}`;
  if (status.state === 'completed') return 'nothing: the plan has run its last period';
  const cycles = running.filter((c) => c.phase !== 'completed').map(cycleNext);
  if (status.paused)
    return [
      ...cycles,
      `nothing is submitted while paused (since ${stockholmDateTime(status.paused.since)}); resume to continue`,
    ].join('; then ');
  for (const period of status.pendingSkips ?? [])
    cycles.push(`period ${period} is skipped (requested): nothing will be debited`);
  const next = nextSubmissionOf(status);
  if (next)
    cycles.push(
      `by ${stockholmDateTime(next.submissionDeadline)}: submit ${formatSek(status.amount)} for debit on ${longDate(next.debitDate)} (period ${next.period})`
    );
  return cycles.length ? cycles.join('; ') : 'nothing scheduled';
}
