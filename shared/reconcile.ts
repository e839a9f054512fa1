/**
 * Reconciliation: a plan's books (the payments and orders its cycles and rebalance runs recorded) against the
 * custodian's records of the plan's account (orders, cash transactions, fund transactions), matched by clientRef,
 * to the öre and to the unit. Pure: the caller reads both sides; this decides what differs.
 *
 * Rules (each difference names the reference, the record kind and both sides' values):
 * - a completed payment needs one live deposit with its reference and the same amount; a failed or pending one
 *   must have none;
 * - every order the plan placed (not refused before it existed) needs the custodian's order with its reference,
 *   the same side, amount (buys) and, once final on both sides, the same status and units; a settled buy's
 *   subscription cash transaction and fund transaction must carry the settled amount and units;
 * - every live deposit, order, cash or fund transaction on the account whose reference is not in the books is
 *   unknown to the plan — unless the reference belongs to another plan, or to a period or rebalance date older than
 *   the oldest the plan still keeps (the plan keeps its last cycles and runs; older ones are out of the window).
 */
import { dec, SEK_SCALE, type DecimalInput } from './money';
import { parseClientRef } from './ids';

export interface BookPayment {
  clientRef: string;
  status: 'submitted' | 'completed' | 'failed' | 'unknown';
  /** The amount received, for a completed payment (null while its cycle runs: then only its presence is checked). */
  amount: string | null;
}

export interface BookOrder {
  clientRef: string;
  side: 'buy' | 'sell';
  instrument: string;
  orderId: string | null;
  /** Ordered SEK (buys). */
  amount: string | null;
  units: string | null;
  settledAmount: string | null;
  /** The plan's view of the order's status (the custodian's status, or `rejected`/`refused` when never created). */
  status: string;
}

export interface PlanBooks {
  planId: string;
  /** Periods and rebalance dates whose records the plan still keeps (cycles and runs, finished or running). */
  periods: readonly string[];
  runDates: readonly string[];
  payments: readonly BookPayment[];
  orders: readonly BookOrder[];
}

export interface CustodianOrder {
  id: string;
  clientRef: string | null;
  orderType: string;
  instrument: string;
  status: string;
  amount: string | null;
  units: string | null;
}

export interface CustodianCashTransaction {
  id: string;
  clientRef: string | null;
  transactionType: string;
  amount: string;
  aborted: boolean;
}

export interface CustodianFundTransaction {
  id: string;
  clientRef: string | null;
  transactionType: string;
  instrument: string;
  units: string;
  aborted: boolean;
}

export interface CustodianRecords {
  orders: readonly CustodianOrder[];
  cash: readonly CustodianCashTransaction[];
  fund: readonly CustodianFundTransaction[];
}

export type DifferenceKind =
  'missing-at-custodian' | 'unknown-to-plan' | 'amount-differs' | 'units-differs' | 'status-differs';

export interface Difference {
  kind: DifferenceKind;
  record: 'payment' | 'order' | 'cash-transaction' | 'fund-transaction';
  /** The clientRef (or the custodian's id when the record has no clientRef). */
  reference: string;
  plan: string | null;
  custodian: string | null;
  detail: string;
}

/** An amount as the custodian sent it, with öre shown (never rounded: a value with more decimals is shown whole). */
function shown(value: DecimalInput): string {
  const d = dec(value);
  return d.decimalPlaces() <= SEK_SCALE ? d.toFixed(SEK_SCALE) : d.toFixed();
}

const FINAL_SETTLED = 'settled';
const FINAL_CANCELED = new Set(['canceled', 'cancelled']);
const NEVER_CREATED = new Set(['rejected', 'refused']);

/** A status class both sides can be compared in: settled, canceled, or still working. */
function statusClass(status: string): 'settled' | 'canceled' | 'working' {
  if (status === FINAL_SETTLED) return 'settled';
  if (FINAL_CANCELED.has(status)) return 'canceled';
  return 'working';
}

function sameAmount(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return dec(a).equals(dec(b));
}

/** Whether a reference is this plan's business, inside the window the plan keeps, or someone else's. */
function ownership(ref: string | null, books: PlanBooks): 'ours' | 'out-of-window' | 'other-plan' | 'foreign' {
  if (!ref) return 'foreign';
  const parsed = parseClientRef(ref);
  if (!parsed) return 'foreign';
  if (parsed.planId !== books.planId) return 'other-plan';
  if (parsed.kind === 'rebalance-order') {
    const oldest = [...books.runDates].sort()[0];
    return oldest !== undefined && parsed.date < oldest ? 'out-of-window' : 'ours';
  }
  const oldest = [...books.periods].sort()[0];
  return oldest !== undefined && parsed.period < oldest ? 'out-of-window' : 'ours';
}

function checkPayments(books: PlanBooks, records: CustodianRecords, out: Difference[]): void {
  const deposits = records.cash.filter((t) => t.transactionType === 'deposit' && !t.aborted);
  for (const p of books.payments) {
    const found = deposits.filter((t) => t.clientRef === p.clientRef);
    if (p.status === 'completed') {
      if (found.length === 0) {
        out.push({
          kind: 'missing-at-custodian',
          record: 'payment',
          reference: p.clientRef,
          plan: p.amount,
          custodian: null,
          detail: 'the plan booked this payment as paid; no deposit with this reference is on the account',
        });
      } else if (found.length > 1 || (p.amount !== null && !sameAmount(p.amount, found[0]!.amount))) {
        out.push({
          kind: 'amount-differs',
          record: 'payment',
          reference: p.clientRef,
          plan: p.amount,
          custodian: found.map((t) => shown(t.amount)).join(' + '),
          detail: `${found.length} deposit(s) with this reference`,
        });
      }
    } else if (found.length > 0) {
      out.push({
        kind: 'status-differs',
        record: 'payment',
        reference: p.clientRef,
        plan: p.status,
        custodian: `deposited ${found.map((t) => shown(t.amount)).join(' + ')}`,
        detail: `the plan has this payment as ${p.status}, but the money is on the account`,
      });
    }
  }
}

function checkOrders(books: PlanBooks, records: CustodianRecords, out: Difference[]): void {
  const byRef = new Map(records.orders.filter((o) => o.clientRef).map((o) => [o.clientRef!, o]));
  for (const b of books.orders) {
    if (NEVER_CREATED.has(b.status)) continue;
    const o = byRef.get(b.clientRef);
    if (!o) {
      out.push({
        kind: 'missing-at-custodian',
        record: 'order',
        reference: b.clientRef,
        plan: `${b.side} ${b.instrument} ${b.amount ?? b.units ?? ''}`.trimEnd(),
        custodian: null,
        detail: 'the plan placed this order; the custodian has no order with this reference',
      });
      continue;
    }
    const planClass = statusClass(b.status);
    const custodianClass = statusClass(o.status);
    if (planClass !== custodianClass) {
      out.push({
        kind: 'status-differs',
        record: 'order',
        reference: b.clientRef,
        plan: b.status,
        custodian: o.status,
        detail: `order ${o.id}`,
      });
    }
    if (b.side === 'buy' && b.amount !== null && o.amount !== null && !sameAmount(b.amount, o.amount)) {
      out.push({
        kind: 'amount-differs',
        record: 'order',
        reference: b.clientRef,
        plan: b.amount,
        custodian: shown(o.amount),
        detail: `ordered amount of order ${o.id}`,
      });
    }
    if (planClass === 'settled' && custodianClass === 'settled') checkSettlement(b, records, out);
  }
}

function checkSettlement(b: BookOrder, records: CustodianRecords, out: Difference[]): void {
  const type = b.side === 'buy' ? 'subscription' : 'redemption';
  const cash = records.cash.filter((t) => t.clientRef === b.clientRef && t.transactionType === type && !t.aborted);
  const cashTotal = cash.reduce((acc, t) => acc.plus(t.amount), dec('0'));
  if (b.settledAmount !== null && !cashTotal.abs().equals(dec(b.settledAmount).abs())) {
    out.push({
      kind: 'amount-differs',
      record: 'cash-transaction',
      reference: b.clientRef,
      plan: b.settledAmount,
      custodian: cash.length ? shown(cashTotal.abs()) : null,
      detail: `${type} cash for the settled order`,
    });
  }
  const fund = records.fund.filter((t) => t.clientRef === b.clientRef && t.transactionType === type && !t.aborted);
  const units = fund.reduce((acc, t) => acc.plus(t.units), dec('0'));
  if (b.units !== null && !units.abs().equals(dec(b.units).abs())) {
    out.push({
      kind: 'units-differs',
      record: 'fund-transaction',
      reference: b.clientRef,
      plan: b.units,
      custodian: fund.length ? units.abs().toFixed() : null,
      detail: `${type} units of ${b.instrument}`,
    });
  }
}

function checkUnknown(books: PlanBooks, records: CustodianRecords, out: Difference[]): void {
  const known = new Set([...books.payments.map((p) => p.clientRef), ...books.orders.map((o) => o.clientRef)]);
  const unknown = (ref: string | null): boolean =>
    !(ref && known.has(ref)) && ['ours', 'foreign'].includes(ownership(ref, books));
  for (const t of records.cash) {
    // Order cash belongs to its order: reported through the order (known) or as an unknown order below.
    if (t.aborted || t.transactionType === 'subscription' || t.transactionType === 'redemption') continue;
    if (unknown(t.clientRef))
      out.push({
        kind: 'unknown-to-plan',
        record: 'cash-transaction',
        reference: t.clientRef ?? t.id,
        plan: null,
        custodian: `${t.transactionType} ${shown(t.amount)}`,
        detail: `cash transaction ${t.id} is not in the plan's books`,
      });
  }
  for (const o of records.orders) {
    if (unknown(o.clientRef))
      out.push({
        kind: 'unknown-to-plan',
        record: 'order',
        reference: o.clientRef ?? o.id,
        plan: null,
        custodian: `${o.orderType} ${o.instrument} ${o.amount ?? o.units ?? ''} ${o.status}`.replace(/ +/g, ' '),
        detail: `order ${o.id} is not in the plan's books`,
      });
  }
}

/** Every difference between a plan's books and the custodian's records of its account, in a stable order. */
export function reconcilePlan(books: PlanBooks, records: CustodianRecords): Difference[] {
  const out: Difference[] = [];
  checkPayments(books, records, out);
  checkOrders(books, records, out);
  checkUnknown(books, records, out);
  return out;
}
