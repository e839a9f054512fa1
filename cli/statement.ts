/**
 * `savings statement`: the full story of a plan's periods, built from what the plan and its running cycles report
 * (planStatus, cycleStatus). Pure: the CLI fetches, this module decides what the story says and prints it.
 *
 * The JSON form (`--json`) is a stable contract for scripts, versioned by `schema` (docs/ARCHITECTURE.md
 * "Operator's view"): amounts are decimal strings, instants UTC ISO, dates ISO. The human form reads like a bank
 * statement: `1 234,50 kr`, Stockholm wall times with the zone named.
 *
 * Money per period, to the öre: paid + carried in + the plan's free cash spent = settled + settlement remainder + carried
 * out + residual (which goes back to the plan's free cash) for a
 * finished cycle; while a cycle runs, the part not yet settled is "in orders" or "held".
 */
import { stockholmDate, submissionDeadline } from '../shared/calendar';
import { dec, formatSek, sekString, sum } from '../shared/money';
import type {
  CycleStatus,
  CycleSummary,
  OrderRecordSummary,
  PaymentAttempt,
  PlanStatus,
  RebalanceRunRecord,
  SplitLegRecord,
} from '../shared/status';
import { planCashLines } from './format';
import { longDate, stockholmDateTime } from './stockholm';

export const STATEMENT_SCHEMA = 'savings-statement/1';

/** What an autogiro result code means for the saver (Bankgirot's payment result codes). */
export const BANKGIROT_CODE_MEANINGS: Readonly<Record<string, string>> = {
  '0': 'paid',
  '1': 'insufficient funds (a renewed attempt may follow)',
  '2': 'no autogiro mandate (account closed or mandate cancelled)',
  '4': 'mandate pending (being set up or changed)',
  '9': 'renewed coverage check on the next banking day',
};

export interface StatementPayment {
  attempt: number;
  clientRef: string;
  instructionId: string | null;
  status: PaymentAttempt['status'];
  bankgirotCode: string | null;
  codeMeaning: string | null;
  debitDate: string | null;
  submittedAt: string;
  resolvedAt: string | null;
}

export interface StatementLeg {
  instrument: string;
  /**
   * The plan's target weight for the fund: as the split recorded it (the override or the account's Fondo
   * allocation); for periods without a split record, the override weight, or null when Fondo's plan decided.
   */
  targetPercent: string | null;
  clientRef: string;
  orderId: string | null;
  status: string;
  amount: string;
  /**
   * The split's estimate for this order (amount / NAV at the split, rounded down to the fund's unit decimals); null
   * when the order is not the split's own (a held leg released later) or the period has no split record.
   */
  estimatedUnits: string | null;
  unitsBooked: string | null;
  price: string | null;
  settledAmount: string | null;
  /** Ordered amount − settled amount (unit rounding), once settled. */
  remainder: string | null;
  note: string | null;
}

export interface StatementPeriod {
  period: string;
  /** `completed` once the cycle returned its summary, `running` while it works. */
  state: 'completed' | 'running';
  outcome: CycleSummary['outcome'] | null;
  phase: CycleStatus['phase'] | null;
  scheduledDebitDate: string | null;
  debitDate: string | null;
  submissionDeadline: string | null;
  requestedAmount: string | null;
  paidAmount: string | null;
  payments: StatementPayment[];
  legs: StatementLeg[];
  /**
   * What the split decided per fund (shared/status.ts `SplitLegRecord`): target and used weight, decision, amount,
   * the minimum that applied and which, NAV and its date, estimated units. Empty when the period has no split record
   * (nothing was split yet, or a cycle older than the record).
   */
  split: SplitLegRecord[];
  held: { instrument: string; amount: string; reason: string; since: string; deadline: string }[];
  blockedReason: string | null;
  kycBlockedSince: string | null;
  /** Running: the money the cycle holds as cash for its pool once paid, and the KYC deadline while KYC blocks. */
  moneyWaiting: string | null;
  kycDeadline: string | null;
  carriedIn: { instrument: string; amount: string }[];
  /** The plan's free cash the cycle's pool spent besides its deposit (null: none recorded). */
  freeCashIn: string | null;
  carriedOut: { instrument: string; amount: string; reason: string }[];
  residual: string | null;
  settlementRemainder: string | null;
  explanation: string[];
  attention: string | null;
  rebalanceRuns: RebalanceRunRecord[];
}

export interface Statement {
  schema: typeof STATEMENT_SCHEMA;
  planId: string;
  state: PlanStatus['state'];
  amount: string;
  periods: StatementPeriod[];
  /** The plan's cash now, from its ledger (free cash by reason, carried and held per fund); null before the ledger. */
  planCash: PlanStatus['books'] | null;
}

function payment(p: PaymentAttempt): StatementPayment {
  return {
    attempt: p.attempt,
    clientRef: p.clientRef,
    instructionId: p.instructionId,
    status: p.status,
    bankgirotCode: p.reasonCode,
    codeMeaning: p.reasonCode === null ? null : (BANKGIROT_CODE_MEANINGS[p.reasonCode] ?? 'unknown code'),
    debitDate: p.debitDate,
    submittedAt: p.submittedAt,
    resolvedAt: p.resolvedAt,
  };
}

function leg(
  o: OrderRecordSummary,
  targets: ReadonlyMap<string, string>,
  split: readonly SplitLegRecord[]
): StatementLeg {
  const decided = split.find((l) => l.instrument === o.instrument);
  const own = decided?.decision === 'ordered' && dec(decided.amount).equals(o.amount);
  return {
    instrument: o.instrument,
    targetPercent: decided?.targetPercent ?? targets.get(o.instrument) ?? null,
    clientRef: o.clientRef,
    orderId: o.orderId,
    status: o.status,
    amount: o.amount,
    estimatedUnits: own ? decided.estimatedUnits : null,
    unitsBooked: o.units,
    price: o.price,
    settledAmount: o.settledAmount,
    remainder: o.settledAmount === null ? null : sekString(dec(o.amount).minus(o.settledAmount)),
    note: o.note,
  };
}

function deadlineOf(debitDate: string | null): string | null {
  if (!debitDate) return null;
  try {
    return submissionDeadline(debitDate);
  } catch {
    return null; // not a banking day (an old record): no deadline to show
  }
}

function targetsOf(status: PlanStatus): Map<string, string> {
  return new Map(
    status.allocation.source === 'override' ? status.allocation.weights.map((w) => [w.instrument, w.percent]) : []
  );
}

function completedPeriod(c: CycleSummary, status: PlanStatus): StatementPeriod {
  const targets = targetsOf(status);
  return {
    period: c.period,
    state: 'completed',
    outcome: c.outcome,
    phase: null,
    scheduledDebitDate: c.scheduledDebitDate,
    debitDate: c.debitDate,
    submissionDeadline: deadlineOf(c.scheduledDebitDate),
    requestedAmount: c.requestedAmount,
    paidAmount: c.paidAmount,
    payments: c.payments.map(payment),
    legs: c.orders.map((o) => leg(o, targets, c.legs ?? [])),
    split: c.legs ?? [],
    held: [],
    blockedReason: null,
    kycBlockedSince: null,
    moneyWaiting: null,
    kycDeadline: null,
    carriedIn: Object.entries(c.carryIn).map(([instrument, amount]) => ({ instrument, amount })),
    freeCashIn: c.freeCashIn ?? null,
    carriedOut: c.carried.map((l) => ({ instrument: l.instrument, amount: l.amount, reason: l.reason })),
    residual: c.residual,
    settlementRemainder: c.settlementRemainder,
    explanation: c.explanation,
    attention: c.attention,
    rebalanceRuns: runsIn(status, c.period),
  };
}

function runningPeriod(c: CycleStatus, status: PlanStatus): StatementPeriod {
  const targets = targetsOf(status);
  const paid = c.payments.find((p) => p.status === 'completed');
  const scheduled = status.nextPeriod === c.period ? status.nextDebitDate : null;
  const debitDate = paid?.debitDate ?? c.payments.at(-1)?.debitDate ?? scheduled;
  return {
    period: c.period,
    state: 'running',
    outcome: null,
    phase: c.phase,
    scheduledDebitDate: scheduled,
    debitDate: debitDate ?? null,
    submissionDeadline: deadlineOf(debitDate ?? null),
    requestedAmount: null,
    paidAmount: null,
    payments: c.payments.map(payment),
    legs: c.orders.map((o) => leg(o, targets, c.legs ?? [])),
    split: c.legs ?? [],
    held: c.held.map((h) => ({ ...h })),
    blockedReason: c.blockedReason,
    kycBlockedSince: c.kycBlockedSince,
    moneyWaiting: c.moneyWaiting ?? null,
    kycDeadline: c.kycDeadline ?? null,
    carriedIn: [],
    freeCashIn: null,
    carriedOut: [],
    residual: null,
    settlementRemainder: null,
    explanation: c.explanation,
    attention: null,
    rebalanceRuns: runsIn(status, c.period),
  };
}

function runsIn(status: PlanStatus, period: string): RebalanceRunRecord[] {
  return status.rebalance.runs.filter((r) => r.date.startsWith(`${period}-`));
}

/**
 * The statement of `period` (or of every period the plan still keeps: its last cycles and the running ones),
 * oldest first. `running` are the cycleStatus answers of the plan's active cycles.
 */
export function buildStatement(status: PlanStatus, running: readonly CycleStatus[], period?: string): Statement {
  const byPeriod = new Map<string, StatementPeriod>();
  for (const c of status.cycles) byPeriod.set(c.period, completedPeriod(c, status));
  for (const c of running) if (!byPeriod.has(c.period)) byPeriod.set(c.period, runningPeriod(c, status));
  const periods = [...byPeriod.values()]
    .filter((p) => period === undefined || p.period === period)
    .sort((a, b) => a.period.localeCompare(b.period));
  return {
    ...{ schema: STATEMENT_SCHEMA, planId: status.planId, state: status.state, amount: status.amount, periods },
    planCash: status.books ?? null,
  };
}

// ---- human form --------------------------------------------------------------------------------------------------

function table(headers: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((l) => `    ${l}`);
}

/** The UTC ISO instants a workflow wrote into a sentence, as Stockholm wall time for people (JSON keeps them). */
export function stockholmInstants(sentence: string): string {
  return sentence.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (instant) =>
    stockholmDateTime(instant)
  );
}

/** A NAV's date as Fondo gives it (a date, or an instant: its Stockholm date). */
function navDay(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  try {
    return stockholmDate(value);
  } catch {
    return value;
  }
}

const kr = (amount: string | null): string => (amount === null ? '-' : formatSek(amount));

function moneyLine(p: StatementPeriod): string | null {
  if (p.state !== 'completed' || p.paidAmount === null) return null;
  const carriedIn = sum(p.carriedIn.map((c) => c.amount));
  const settled = sum(p.legs.filter((l) => l.settledAmount !== null).map((l) => l.settledAmount!));
  const carriedOut = sum(p.carriedOut.map((c) => c.amount));
  const left = dec(p.paidAmount)
    .plus(carriedIn)
    .plus(p.freeCashIn ?? '0');
  const right = settled
    .plus(p.settlementRemainder ?? '0')
    .plus(carriedOut)
    .plus(p.residual ?? '0');
  const balanced = left.equals(right) ? 'balanced' : `DIFFERS by ${formatSek(left.minus(right))}`;
  return (
    `  Money           paid ${kr(p.paidAmount)} + carried in ${formatSek(carriedIn)}` +
    (p.freeCashIn && !dec(p.freeCashIn).isZero() ? ` + plan's free cash ${formatSek(p.freeCashIn)}` : '') +
    ` = settled ${formatSek(settled)}` +
    ` + remainder ${kr(p.settlementRemainder)} + carried out ${formatSek(carriedOut)} + left as cash ${kr(p.residual)}` +
    ` (${balanced})`
  );
}

function renderPeriod(p: StatementPeriod): string[] {
  const lines = [`Period ${p.period} — ${p.state === 'completed' ? `completed: ${p.outcome}` : `running: ${p.phase}`}`];
  if (p.debitDate) {
    const scheduled =
      p.scheduledDebitDate && p.scheduledDebitDate !== p.debitDate
        ? ` (scheduled ${longDate(p.scheduledDebitDate)})`
        : '';
    lines.push(`  Debit date      ${longDate(p.debitDate)}${scheduled}`);
  }
  if (p.submissionDeadline)
    lines.push(
      `  Submit by       ${stockholmDateTime(p.submissionDeadline)} (Bankgirot cut-off for the scheduled debit)`
    );
  if (p.requestedAmount !== null) lines.push(`  Requested       ${kr(p.requestedAmount)}    Paid ${kr(p.paidAmount)}`);
  if (p.attention) lines.push(`  ATTENTION       ${p.attention}`);
  if (p.blockedReason) lines.push(`  Blocked         ${p.blockedReason}`);
  if (p.kycBlockedSince) lines.push(`  KYC blocks orders since ${stockholmDateTime(p.kycBlockedSince)}`);
  if (p.moneyWaiting)
    lines.push(
      `  Money waiting   ${formatSek(p.moneyWaiting)} as cash${p.kycDeadline ? ` until ${stockholmDateTime(p.kycDeadline)} (then kept and carried if KYC still blocks)` : ''}`
    );

  lines.push('  Payment attempts');
  if (p.payments.length === 0) lines.push('    none');
  else
    lines.push(
      ...table(
        ['#', 'REFERENCE', 'STATUS', 'CODE', 'DEBIT DATE', 'SUBMITTED'],
        p.payments.map((a) => [
          String(a.attempt),
          a.clientRef,
          a.status,
          a.bankgirotCode === null ? '-' : `${a.bankgirotCode} ${a.codeMeaning}`,
          a.debitDate ?? '-',
          stockholmDateTime(a.submittedAt),
        ])
      )
    );

  if (p.split.length) {
    lines.push('  Split (per fund, at the NAV of the split)');
    lines.push(
      ...table(
        ['FUND', 'TARGET', 'SPLIT', 'DECISION', 'AMOUNT', 'MINIMUM', '', 'EST. UNITS', 'NAV', 'NAV DATE'],
        p.split.map((l) => [
          l.instrument,
          `${l.targetPercent} %`,
          `${l.splitPercent} %`,
          l.decision,
          kr(l.amount),
          kr(l.minimum),
          l.minimumKind ?? '',
          l.estimatedUnits ?? '-',
          l.nav ?? '-',
          l.navDate === null ? '-' : navDay(l.navDate),
        ]),
        new Set([4, 5, 7, 8])
      )
    );
  }

  lines.push('  Orders');
  if (p.legs.length === 0) lines.push('    none');
  else
    lines.push(
      ...table(
        ['FUND', 'TARGET', 'ORDERED', 'EST. UNITS', 'UNITS', 'NAV', 'SETTLED', 'REMAINDER', 'STATUS'],
        p.legs.map((l) => [
          l.instrument,
          l.targetPercent === null ? '-' : `${l.targetPercent} %`,
          kr(l.amount),
          l.estimatedUnits ?? '-',
          l.unitsBooked ?? '-',
          l.price ?? '-',
          kr(l.settledAmount),
          kr(l.remainder),
          l.note ? `${l.status} (${l.note})` : l.status,
        ]),
        new Set([2, 3, 4, 5, 6, 7])
      )
    );

  for (const h of p.held)
    lines.push(
      `  Held            ${h.instrument} ${formatSek(h.amount)}: ${h.reason}, since ${stockholmDateTime(h.since)}, until ${stockholmDateTime(h.deadline)}`
    );
  for (const c of p.carriedIn) lines.push(`  Carried in      ${c.instrument} ${formatSek(c.amount)}`);
  for (const c of p.carriedOut) lines.push(`  Carried out     ${c.instrument} ${formatSek(c.amount)}: ${c.reason}`);
  if (p.residual !== null && !dec(p.residual).isZero()) lines.push(`  Left as cash    ${kr(p.residual)}`);
  const money = moneyLine(p);
  if (money) lines.push(money);
  if (p.explanation.length) lines.push('  Explanation', ...p.explanation.map((s) => `    - ${stockholmInstants(s)}`));
  for (const r of p.rebalanceRuns) {
    lines.push(`  Rebalance ${r.date} (${r.trigger}): ${r.outcome}`);
    for (const o of r.orders)
      lines.push(`    ${o.side} ${o.instrument} ${kr(o.amount)} ${o.units ?? ''} ${o.status}`.trimEnd());
    for (const s of r.skipped) lines.push(`    skipped ${s.side} ${s.instrument}: ${s.reason}`);
  }
  return lines;
}

export function formatStatement(s: Statement): string {
  const head = `Statement for plan ${s.planId} (${s.state}, ${formatSek(s.amount)} a month). Times are Europe/Stockholm.`;
  const running = s.periods.filter((p) => p.state === 'running').map((p) => p.period);
  const cash = s.planCash ? ['', 'Plan cash now', ...planCashLines(s.planCash, running)] : [];
  if (s.periods.length === 0) return [`${head}\n\nNo periods in the plan's history match.`, ...cash].join('\n');
  return [head, ...s.periods.flatMap((p) => ['', ...renderPeriod(p)]), ...cash].join('\n');
}
