/** Human-readable output of the admin CLI (the `--json` flag prints the raw objects instead). */
import { dec, formatSek } from '../shared/money';
import type { CycleStatus, CycleSummary, PlanStatus, RebalanceRunRecord } from '../shared/status';
import { stockholmDateTime } from './stockholm';

export interface PlanListRow {
  planId: string;
  clientId: string;
  state: string;
  nextDebitDate: string;
  status: string;
}

/** One execution of a plan's workflow as visibility lists it (each continue-as-new run is one). */
export interface PlanExecutionRow extends PlanListRow {
  workflowId: string;
  startMs: number;
}

/** One row per plan: each workflow id's latest run (visibility lists every continue-as-new run), by plan id. */
export function latestRunPerPlan(executions: Iterable<PlanExecutionRow>): PlanListRow[] {
  const latest = new Map<string, PlanExecutionRow>();
  for (const e of executions) {
    const seen = latest.get(e.workflowId);
    if (!seen || e.startMs > seen.startMs) latest.set(e.workflowId, e);
  }
  return [...latest.values()]
    .sort((a, b) => a.planId.localeCompare(b.planId))
    .map(({ planId, clientId, state, nextDebitDate, status }) => ({ planId, clientId, state, nextDebitDate, status }));
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatList(rows: PlanListRow[]): string {
  if (rows.length === 0) return 'No savings plans match.';
  return table(
    ['PLAN', 'CLIENT', 'STATE', 'NEXT DEBIT', 'WORKFLOW'],
    rows.map((r) => [r.planId, r.clientId, r.state, r.nextDebitDate, r.status])
  );
}

function cycleRow(c: CycleSummary): string[] {
  const settled = c.orders.filter((o) => o.status === 'settled').length;
  return [
    c.period,
    c.outcome,
    c.debitDate ?? '-',
    formatSek(c.paidAmount),
    `${settled}/${c.orders.length}`,
    c.attention ?? '',
  ];
}

function runRow(r: RebalanceRunRecord): string[] {
  return [
    r.date,
    r.trigger,
    r.outcome,
    r.driftBefore ? `${r.driftBefore.maxAbsolutePp} pp` : '-',
    r.driftAfter ? `${r.driftAfter.maxAbsolutePp} pp` : '-',
    r.orders.map((o) => `${o.side} ${o.instrument} ${o.status}`).join('; ') || '-',
    r.skipped.map((s) => `${s.side} ${s.instrument}: ${s.reason}`).join('; '),
  ];
}

/**
 * The plan ledger's cash (shared/plan-books.ts): what was collected and invested, and the cash the plan holds — free
 * cash by where it came from (the next cycle's pool spends it), money carried per fund with the minimum that blocks it.
 */
export function planCashLines(
  books: NonNullable<PlanStatus['books']>,
  runningPeriods: readonly string[] = []
): string[] {
  const t = books.totals;
  const lines = [
    `  plan cash        free ${formatSek(t.free)}, carried ${formatSek(t.carried)}, held ${formatSek(t.held)}` +
      ` (collected ${formatSek(t.collected)}, invested ${formatSek(t.settled)})`,
  ];
  for (const f of books.free)
    lines.push(
      `    free           ${formatSek(f.amount)} ${FREE_REASON[f.reason]}${f.instrument ? ` (${f.instrument})` : ''}${f.minimum ? `, blocked by a minimum of ${formatSek(f.minimum)}` : ''}; ${cyclesText(f.cycles)}`
    );
  for (const [fund, c] of Object.entries(books.carried))
    lines.push(
      `    carried        ${formatSek(c.amount)} for ${fund}${dec(c.minimum).isZero() ? '' : `, below its minimum of ${formatSek(c.minimum)}`}; ${cyclesText(c.cycles)}`
    );
  if (runningPeriods.length)
    lines.push(
      `    not yet booked ${runningPeriods.join(', ')}: a running cycle's money joins the plan's books when it ends`
    );
  return lines;
}

const FREE_REASON: Readonly<Record<string, string>> = {
  deposit: 'deposit not yet split',
  residual: 'left by a split (no fund could take it)',
  'settlement-remainder': 'settlement remainder',
  'order-canceled': 'from a canceled order',
  'order-refused': 'from a refused order',
  released: 'released from a held leg',
  'carry-released': 'released carry',
  'sell-proceeds': 'sell proceeds',
  'failed-cycle': 'kept from a cycle that failed after the debit',
};

function cyclesText(cycles: number): string {
  return cycles === 0 ? 'since this cycle' : `uninvested for ${cycles} cycle${cycles === 1 ? '' : 's'}`;
}

/** A running cycle: its phase, payment attempts, legs placed and held, money waiting on KYC. */
function runningCycleLines(c: CycleStatus): string[] {
  const lines = [`  running cycle    ${c.period}: ${c.phase}`];
  for (const p of c.payments)
    lines.push(
      `    payment #${p.attempt}       ${p.clientRef} ${p.status}${p.reasonCode ? ` (code ${p.reasonCode})` : ''}${p.debitDate ? `, debit ${p.debitDate}` : ''}`
    );
  for (const o of c.orders)
    lines.push(
      `    order            ${o.instrument} ${formatSek(o.amount)} ${o.status}${o.note ? ` (${o.note})` : ''}`
    );
  for (const h of c.held)
    lines.push(
      `    held             ${h.instrument} ${formatSek(h.amount)}: ${h.reason}, re-checked every banking day until ${stockholmDateTime(h.deadline)}`
    );
  if (c.kycBlockedSince)
    lines.push(`    KYC              orders blocked since ${stockholmDateTime(c.kycBlockedSince)}`);
  if (c.moneyWaiting)
    lines.push(
      `    money waiting    ${formatSek(c.moneyWaiting)} as cash on the account${c.kycDeadline ? `, kept and carried if KYC still blocks at ${stockholmDateTime(c.kycDeadline)}` : ''}`
    );
  if (c.blockedReason) lines.push(`    blocked          ${c.blockedReason}`);
  return lines;
}

export function formatStatus(s: PlanStatus, running: readonly CycleStatus[] = []): string {
  const lines = [
    `Plan ${s.planId}  (client ${s.clientId}, account ${s.accountId})`,
    `  state            ${s.state}`,
    `  amount           ${formatSek(s.amount)} on day ${s.dayOfMonth} of each month`,
    `  allocation       ${s.allocation.source === 'fondo' ? "the account's Fondo allocation plan" : s.allocation.weights.map((w) => `${w.instrument} ${w.percent}%`).join(', ')}`,
    `  next period      ${s.nextPeriod ?? '-'}  debit ${s.nextDebitDate ?? '-'}  submission deadline ${s.nextSubmissionDeadline ? stockholmDateTime(s.nextSubmissionDeadline) : '-'}`,
  ];
  for (const period of s.pendingSkips ?? []) lines.push(`  skip requested   for ${period}: nothing will be debited`);
  if (s.paused) lines.push(`  paused           since ${stockholmDateTime(s.paused.since)}: ${s.paused.reason}`);
  if (s.cancelled) lines.push(`  cancelled        ${stockholmDateTime(s.cancelled.at)}: ${s.cancelled.reason}`);
  if (s.blockedReasons.length) lines.push(`  blocked          ${s.blockedReasons.join('; ')}`);
  for (const a of s.attention)
    lines.push(`  ATTENTION        ${stockholmDateTime(a.at)}${a.period ? ` [${a.period}]` : ''}: ${a.reason}`);
  const carry = Object.entries(s.carry);
  if (carry.length) lines.push(`  carried over     ${carry.map(([f, a]) => `${f} ${formatSek(a)}`).join(', ')}`);
  if (s.booksHold)
    lines.push(`  BOOKS ON HOLD    ${s.booksHold}: no free cash is invested until reconciled and resumed`);
  if (s.books)
    lines.push(
      ...planCashLines(
        s.books,
        s.activeCycles.map((c) => c.period)
      )
    );
  if (s.consecutiveFailedPeriods) lines.push(`  failed in a row  ${s.consecutiveFailedPeriods}`);
  for (const c of s.activeCycles) {
    const detail = running.find((r) => r.period === c.period);
    lines.push(...(detail ? runningCycleLines(detail) : [`  running cycle    ${c.period}: ${c.phase}`]));
  }
  lines.push('', 'Cycles (last 12):');
  lines.push(
    s.cycles.length
      ? table(['PERIOD', 'OUTCOME', 'DEBITED', 'PAID', 'SETTLED', 'ATTENTION'], s.cycles.map(cycleRow))
      : '  none yet'
  );
  const r = s.rebalance;
  const policy = r.policy.enabled
    ? [
        r.policy.band?.absolutePp ? `band ±${r.policy.band.absolutePp} pp` : '',
        r.policy.band?.relativePct ? `band ±${r.policy.band.relativePct} % of target` : '',
        r.policy.calendar ? `${r.policy.calendar.frequency} on day ${r.policy.calendar.day}` : '',
        `cooldown ${r.policy.cooldownDays} d`,
        `min trade ${formatSek(r.policy.minTradeAmount)}`,
      ]
        .filter(Boolean)
        .join(', ')
    : 'off';
  lines.push('', `Rebalancing: ${policy}; cash-flow ${r.policy.cashFlow ? 'on' : 'off'}`);
  if (r.running) lines.push(`  running          ${r.running.date} (${r.running.trigger})`);
  if (r.pending)
    lines.push(`  pending          ${r.pending.trigger} since ${stockholmDateTime(r.pending.requestedAt)}`);
  if (r.nextCalendarDate) lines.push(`  next calendar    ${r.nextCalendarDate}`);
  lines.push(
    r.runs.length
      ? table(['DATE', 'TRIGGER', 'OUTCOME', 'DRIFT BEFORE', 'DRIFT AFTER', 'ORDERS', 'SKIPPED'], r.runs.map(runRow))
      : '  no runs yet'
  );
  return lines.join('\n');
}
