/**
 * The plan's books (issue 11): what a finished savings cycle or rebalance run reports, turned into plan-ledger entries
 * (shared/ledger.ts) and posted — the one owner of "which entries does a cycle or a run produce".
 *
 * When money moves, in the plan's ledger:
 * - a cycle is handed the plan's free cash (`freeCashIn`) when it starts; the ledger keeps it as free cash until the
 *   cycle reports, so the plan hands each krona to one child at a time (shared/plan-books.ts {@link freeCashToHand});
 * - when the cycle ends, its summary is posted: the payment collected (from the payment Fondo reported completed),
 *   the carried funds it spent released, every order placed and its final state (a canceled or refused buy's cash
 *   back to free cash, a settlement remainder to free cash), what it carried, then `cycle-closed` — a cycle that
 *   failed after the debit closes as `failed`, so its money is labelled `failed-cycle` free cash;
 * - a rebalance run's orders are posted sells first (their proceeds are free cash), then buys.
 * Invariant, checked on every fold (besides the ledger's own on every posting): the plan's free cash after a cycle is
 * the free cash before − what it was handed + its residual + its settlement remainders, to the öre, and the carried
 * pocket per fund equals the carry the plan hands the next cycle.
 */
import type { FundRules } from './custodian';
import { effectiveMinimum, holdsUnits, readRules } from './instrument-rules';
import {
  ATTENTION_AFTER_CYCLES,
  compactLedger,
  emptyLedger,
  freeCash,
  ledgerTotals,
  moneyNeedingAttention,
  postAll,
  type AttentionItem,
  type Ledger,
  type LedgerEntry,
} from './ledger';
import { formatScaled } from './fixed-point';
import { dec, SEK_SCALE, sekString } from './money';
import type { CycleSummary, OrderRecordSummary, RebalanceRunRecord } from './status';

/** A ledger opened for a plan that ran before the ledger existed: its carry becomes opening balances. */
export function openingLedger(carry: Readonly<Record<string, string>>): Ledger {
  const entries: LedgerEntry[] = [];
  for (const [instrument, amount] of Object.entries(carry)) {
    if (dec(amount).isZero()) continue;
    entries.push({ kind: 'payment-collected', paymentRef: `opening-carry:${instrument}`, amount });
    entries.push({ kind: 'carried', instrument, amount, minimum: '0.00' });
  }
  return postAll(emptyLedger(), entries);
}

/** The free cash the plan may hand a new child: the ledger's free cash less what running children were handed. */
export function freeCashToHand(ledger: Ledger, handedToRunning: readonly string[]): string {
  const left = handedToRunning.reduce((acc, a) => acc.minus(a), dec(freeCash(ledger)));
  return sekString(left.isNegative() ? dec('0') : left);
}

/** The entries of one finished cycle, in the order the money moved. */
export function cycleEntries(summary: CycleSummary): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const paid = summary.payments.find((p) => p.status === 'completed');
  if (dec(summary.paidAmount).greaterThan(0))
    entries.push({
      kind: 'payment-collected',
      paymentRef: paid?.clientRef ?? `${summary.planId}:${summary.period}`,
      amount: summary.paidAmount,
    });
  for (const [instrument, amount] of Object.entries(summary.carryIn))
    if (!dec(amount).isZero()) entries.push({ kind: 'carry-released', instrument });
  entries.push(...orderEntries(summary.orders.map((o) => ({ ...o, side: 'buy' as const }))));
  const carried = new Map<string, { amount: ReturnType<typeof dec>; minimum: string }>();
  for (const leg of summary.carried) {
    const seen = carried.get(leg.instrument);
    carried.set(leg.instrument, {
      amount: (seen?.amount ?? dec('0')).plus(leg.amount),
      minimum: leg.minimum ?? seen?.minimum ?? '0.00',
    });
  }
  for (const [instrument, c] of carried)
    if (c.amount.greaterThan(0))
      entries.push({ kind: 'carried', instrument, amount: sekString(c.amount), minimum: c.minimum });
  entries.push({
    kind: 'cycle-closed',
    outcome: summary.failedAfterDebit ? 'failed' : 'invested',
    ...(summary.blockedBy ? { blockedBy: summary.blockedBy } : {}),
  });
  return entries;
}

/** The entries of one finished rebalance run: sells (proceeds become free cash), then buys. */
export function runEntries(run: RebalanceRunRecord): LedgerEntry[] {
  return [
    ...orderEntries(run.orders.filter((o) => o.side === 'sell')),
    ...orderEntries(run.orders.filter((o) => o.side === 'buy')),
  ];
}

function orderEntries(orders: readonly (OrderRecordSummary & { side: 'buy' | 'sell' })[]): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const o of orders) {
    entries.push({
      kind: 'order-placed',
      orderRef: o.clientRef,
      instrument: o.instrument,
      side: o.side,
      amount: o.amount,
    });
    if (o.status === 'settled')
      entries.push({ kind: 'order-settled', orderRef: o.clientRef, amount: o.settledAmount ?? o.amount });
    else if (o.status === 'canceled') entries.push({ kind: 'order-canceled', orderRef: o.clientRef });
    else if (o.status === 'refused') entries.push({ kind: 'order-refused', orderRef: o.clientRef });
  }
  return entries;
}

/** A folded child: the new ledger, and the money that now needs an operator (each sentence names fund and minimum). */
export interface Folded {
  ledger: Ledger;
  attention: AttentionItem[];
}

/**
 * Posts a finished cycle. Checks that the plan's free cash moved as the cycle says (before − handed + residual +
 * settlement remainder) and that the carried pocket equals `carryAfter` (the carry the plan will hand the next
 * cycle). Attention: money uninvested for a multiple of {@link ATTENTION_AFTER_CYCLES} cycle ends (3, 6, …).
 *
 * @throws LedgerError when the summary cannot be posted or the books do not agree (the ledger given is unchanged).
 */
export function foldCycle(ledger: Ledger, summary: CycleSummary, carryAfter: Readonly<Record<string, string>>): Folded {
  const before = dec(freeCash(ledger));
  const posted = compactLedger(postAll(ledger, cycleEntries(summary)));
  const expected = before
    .minus(summary.freeCashIn ?? '0.00')
    .plus(summary.residual)
    .plus(summary.settlementRemainder);
  const after = dec(freeCash(posted));
  const problems: string[] = [];
  if (!after.equals(expected))
    problems.push(
      `free cash is ${after.toFixed(2)} after cycle ${summary.period}, the cycle says ${expected.toFixed(2)}`
    );
  const carried = Object.entries(posted.carried).map(([fund, c]) => `${fund}=${c.amount}`);
  const carry = Object.entries(carryAfter)
    .filter(([, a]) => !dec(a).isZero())
    .map(([fund, a]) => `${fund}=${sekString(a)}`);
  if (carried.sort().join(',') !== carry.sort().join(','))
    problems.push(`carried ${carried.join(', ') || 'nothing'} ≠ the plan's carry ${carry.join(', ') || 'nothing'}`);
  if (problems.length) throw new BooksDisagree(problems);
  return { ledger: posted, attention: due(posted) };
}

/** Posts a finished rebalance run. @throws LedgerError when a buy spends more than the plan's free cash. */
export function foldRun(ledger: Ledger, run: RebalanceRunRecord): Folded {
  return { ledger: compactLedger(postAll(ledger, runEntries(run))), attention: [] };
}

/** The plan's books and the cycle's report do not agree (a bug: the ledger is left unchanged). */
export class BooksDisagree extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the plan's books do not agree: ${problems.join('; ')}`);
    this.name = 'BooksDisagree';
  }
}

function due(ledger: Ledger): AttentionItem[] {
  return moneyNeedingAttention(ledger).filter((item) => item.cycles % ATTENTION_AFTER_CYCLES === 0);
}

/** The books as the plan's status shows them (SEK strings; free cash by reason, oldest first). */
export function booksView(ledger: Ledger) {
  return {
    totals: ledgerTotals(ledger),
    free: ledger.free,
    carried: ledger.carried,
    held: ledger.held,
    uninvested: moneyNeedingAttention(ledger, 1),
  };
}
export type BooksView = ReturnType<typeof booksView>;

/** The effective minimum of a buy in the fund (SEK; shared/instrument-rules.ts decides), undefined if unreadable. */
export function minimumOf(rules: FundRules, holdsUnits: boolean): string | undefined {
  const parsed = readRules(rules, false);
  return parsed === undefined ? undefined : formatScaled(effectiveMinimum(parsed, holdsUnits).ore, SEK_SCALE);
}

/**
 * What kept a cycle's money uninvested: of the allocation's buyable funds, the one with the smallest minimum (the first
 * that could take the money once it grows); undefined when no fund is buyable or nothing has a minimum.
 */
export function uninvestedBlocker(
  funds: readonly string[],
  rules: Readonly<Record<string, FundRules>>,
  holdings: Readonly<Record<string, string>>
): { instrument: string; minimum: string } | undefined {
  let best: { instrument: string; minimum: string } | undefined;
  for (const instrument of funds) {
    const r = rules[instrument];
    if (!r || !r.isBuyable || !r.isTradable || r.unsupported) continue;
    const amount = minimumOf(r, holdsUnits(holdings, instrument));
    if (amount === undefined || dec(amount).isZero()) continue;
    if (!best || dec(amount).lessThan(best.minimum)) best = { instrument, minimum: amount };
  }
  return best;
}

/**
 * What a rebalance run may spend (issue 11.6): the account's available cash, capped by the plan's free cash handed to
 * the run plus the proceeds its own sells settled — held and carried money and a waiting cycle's deposit are not the
 * run's. `freeCash` absent (runs started before the plan ledger): the available cash.
 */
export function runSpendable(available: string, freeCash: string | undefined, proceeds: readonly string[]): string {
  if (freeCash === undefined) return available;
  const budget = proceeds.reduce((acc, p) => acc.plus(p), dec(freeCash));
  return dec(available).lessThan(budget) ? available : sekString(budget);
}
