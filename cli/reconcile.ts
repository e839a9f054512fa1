/**
 * `savings reconcile`: reads a plan's books from its workflows (planStatus, the running cycles' and rebalance run's
 * status) and the account's records from Fondo (read-only: orders, cash and fund transactions, through the same
 * FondoClient the worker uses, so it works against the real Fondo by configuration), and prints every difference
 * (shared/reconcile.ts decides what differs). Exit code 3 when anything differs.
 */
import type { FondoClient } from '../fondo';
import { addPeriods } from '../shared/calendar';
import { formatSek, isDecimalString } from '../shared/money';
import type { BookOrder, BookPayment, CustodianRecords, Difference, PlanBooks } from '../shared/reconcile';
import type { CycleStatus, PlanStatus, RebalanceRunRecord } from '../shared/status';

/** The exit code of a reconciliation that found differences (0: none; 1: it could not run; 2: bad input). */
export const DIFFERENCES_EXIT_CODE = 3;

/** What the plan's workflows know: its status, its running cycles, and its running rebalance run if any. */
export interface PlanView {
  status: PlanStatus;
  runningCycles: readonly CycleStatus[];
  runningRebalance: Partial<RebalanceRunRecord> | null;
}

/** The plan's books in the reconciliation's terms: every payment attempt and order its workflows recorded. */
export function booksOf(view: PlanView): PlanBooks {
  const { status } = view;
  const payments: BookPayment[] = [];
  const orders: BookOrder[] = [];
  const periods = new Set<string>();
  for (const c of status.cycles) {
    periods.add(c.period);
    for (const p of c.payments)
      payments.push({
        clientRef: p.clientRef,
        status: p.status,
        amount: p.status === 'completed' ? c.paidAmount : null,
      });
    for (const o of c.orders) orders.push({ ...o, side: 'buy' });
  }
  for (const c of view.runningCycles) {
    if (periods.has(c.period)) continue;
    periods.add(c.period);
    for (const p of c.payments) payments.push({ clientRef: p.clientRef, status: p.status, amount: null });
    for (const o of c.orders) orders.push({ ...o, side: 'buy' });
  }
  const runs = [...status.rebalance.runs, ...(view.runningRebalance ? [view.runningRebalance] : [])];
  const runDates = new Set<string>();
  for (const r of runs) {
    if (r.date) runDates.add(r.date);
    for (const o of r.orders ?? []) orders.push({ ...o, amount: o.side === 'buy' ? o.amount : null });
  }
  return { planId: status.planId, periods: [...periods], runDates: [...runDates], payments, orders };
}

/** The first day from which Fondo's records can concern the plan's kept periods (a deadline may fall in the month before). */
export function recordsSince(books: PlanBooks): string | undefined {
  const oldest = [...books.periods, ...books.runDates.map((d) => d.slice(0, 7))].sort()[0];
  return oldest === undefined ? undefined : `${addPeriods(oldest, -1)}-01T00:00:00.000Z`;
}

/** Fondo's records of one account: its orders (client-wide list filtered to the account), cash and fund transactions. */
export async function readCustodianRecords(
  fondo: FondoClient,
  clientId: string,
  accountId: string,
  modifiedFrom?: string
): Promise<CustodianRecords> {
  const query = modifiedFrom ? { modifiedFrom } : {};
  const records: {
    orders: CustodianRecords['orders'][number][];
    cash: CustodianRecords['cash'][number][];
    fund: CustodianRecords['fund'][number][];
  } = { orders: [], cash: [], fund: [] };
  for await (const o of fondo.iterateOrders(clientId, query)) {
    if (o.account !== accountId) continue;
    records.orders.push({
      id: o.id,
      clientRef: o.clientRef ?? null,
      orderType: o.orderType,
      instrument: o.instrument,
      status: o.status ?? 'unknown',
      amount: o.amount ?? null,
      units: o.units ?? null,
    });
  }
  for await (const t of fondo.iterateAccountCashTransactions(clientId, accountId, query))
    records.cash.push({
      id: t.id,
      clientRef: t.clientRef ?? null,
      transactionType: t.transactionType,
      amount: t.amount,
      aborted: t.aborted ?? false,
    });
  for await (const t of fondo.iterateAccountFundTransactions(clientId, accountId, query))
    records.fund.push({
      id: t.id,
      clientRef: t.clientRef ?? null,
      transactionType: t.transactionType,
      instrument: t.instrument,
      units: t.units,
      aborted: t.aborted ?? false,
    });
  return records;
}

export interface PlanReconciliation {
  planId: string;
  differences: Difference[];
}

const money = (value: string | null): string =>
  value !== null && isDecimalString(value) ? formatSek(value) : (value ?? '-');

export function formatReconciliation(results: readonly PlanReconciliation[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.differences.length === 0) {
      lines.push(`${r.planId}: books match Fondo`);
      continue;
    }
    lines.push(`${r.planId}: ${r.differences.length} difference(s)`);
    for (const d of r.differences)
      lines.push(
        `  ${d.kind.padEnd(20)} ${d.record.padEnd(16)} ${d.reference}  plan ${money(d.plan)}  Fondo ${money(d.custodian)}  — ${d.detail}`
      );
  }
  const total = results.reduce((n, r) => n + r.differences.length, 0);
  lines.push(
    '',
    total === 0 ? `${results.length} plan(s) reconciled: no differences.` : `${total} difference(s) found.`
  );
  return lines.join('\n');
}
