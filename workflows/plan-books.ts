/**
 * The plan's books in the plan workflow: its ledger (shared/ledger.ts, carried in the plan's state across
 * continue-as-new), the free cash it hands to one child at a time, the postings of finished children (entries from
 * shared/plan-books.ts), and the hold an operator must lift when the books cannot be trusted.
 */
import { log, patched } from '@temporalio/workflow';
import { ledgerTotals, type Ledger } from '../shared/ledger';
import { dec } from '../shared/money';
import { freeCashToHand, openingLedger, type Folded } from '../shared/plan-books';
import { failureMessage } from './failures';
import { PATCH } from './patches';
import type { PlanEntity } from './savings-plan';

export class PlanBooks {
  constructor(private readonly p: PlanEntity) {}

  /** Opens the ledger of a plan from before the ledger from its carry (once, when the plan's run starts). */
  static open(st: PlanEntity['st']): void {
    st.ledger ??= openingLedger(st.carry);
  }

  ledger(): Ledger {
    return this.p.st.ledger!; // opened when the run starts
  }

  /**
   * The free cash a new child may have: none while the books are on hold, else what no running cycle was handed
   * (it stays in the ledger's free cash until that cycle reports).
   */
  freeCashForChild(): string {
    if (this.p.st.booksHold) return '0.00';
    return freeCashToHand(
      this.ledger(),
      [...this.p.cycles.values()].map((c) => c.freeGiven)
    );
  }

  /** The books cannot be trusted until an operator reconciles them and resumes the plan (which lifts the hold). */
  hold(why: string): void {
    const { st } = this.p;
    if (st.booksHold) return;
    st.booksHold = why;
    if (patched(PATCH.planBooksAttention))
      this.p.attention(`${why}: the plan hands out no free cash until its books are reconciled and it is resumed`);
  }

  /**
   * Posts a finished child's money. The books refusing it is a bug (the ledger stays as it was): the plan keeps running
   * with its books on hold and asks an operator to reconcile, rather than stopping the customer's later periods.
   * Attention items change PlanState (an upsert): plans recorded before the ledger add none (patch).
   */
  post(what: string, period: string | undefined, fold: (ledger: Ledger) => Folded): void {
    try {
      const folded = fold(this.ledger());
      this.p.st.ledger = folded.ledger;
      if (folded.attention.length && patched(PATCH.planBooksAttention))
        for (const item of folded.attention) this.p.attention(item.text, period);
    } catch (err) {
      log.error('the plan ledger refused a posting', { what, error: failureMessage(err) });
      this.hold(`the plan's books could not take ${what}: ${failureMessage(err)}`);
    }
  }

  /**
   * The plan's own cash still on the account when it ends (free + carried + held, SEK), for its result: what an
   * operator pays out or moves when a saver leaves (remainders of a few öre are normal).
   */
  cashLeft(): string {
    const t = ledgerTotals(this.ledger());
    return dec(t.free).plus(t.carried).plus(t.held).toFixed(2);
  }
}
