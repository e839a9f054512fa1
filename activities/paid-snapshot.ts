/**
 * One read where a cycle needs two at the same moment (issue 14: one billable action fewer per cycle): the payment's
 * outcome and, once it is paid, the investment snapshot its split needs. The snapshot is only a prefetch: when it
 * fails — or would not finish within the time the attempt has left: a timed-out attempt would discard the paid outcome
 * with it, and its retry would read both again — the outcome is still answered (the money is in and must be booked
 * first) and the cycle takes the snapshot itself, with its own retries and failure handling, as it did before.
 */
import { Context, log } from '@temporalio/activity';
import { untilAborted } from '../fondo/abort';
import type { createPaymentActivities, PaymentOutcome } from './payments';
import type { createPortfolioActivities, InvestmentSnapshot } from './portfolio';

type Reads = Pick<ReturnType<typeof createPaymentActivities>, 'getPaymentOutcome'> &
  Pick<ReturnType<typeof createPortfolioActivities>, 'investmentSnapshot'>;

/** What a cycle's split snapshot reads: investmentSnapshot's input without the order-list walk (`pendingSince`). */
export type SnapshotRequest = Omit<Parameters<Reads['investmentSnapshot']>[0], 'pendingSince'>;

export interface PaymentOutcomeAndSnapshot {
  outcome: PaymentOutcome;
  /** Present only when the payment is paid and the snapshot could be read in the same attempt. */
  snapshot?: InvestmentSnapshot;
}

/** What the attempt keeps back for answering after the snapshot: a fifth of its start-to-close timeout, at most 10 s. */
const ANSWER_MARGIN = { share: 0.2, maxMs: 10_000 };

export function createPaidSnapshotActivities(reads: Reads) {
  return {
    /** The payment's outcome; when it is paid, also the snapshot the split needs (left out if it fails). */
    async paymentOutcomeThenSnapshot(input: {
      payment: Parameters<Reads['getPaymentOutcome']>[0];
      snapshot: SnapshotRequest;
    }): Promise<PaymentOutcomeAndSnapshot> {
      const startedAt = Date.now();
      const outcome = await reads.getPaymentOutcome(input.payment);
      if (outcome.status !== 'paid') return { outcome };
      const { startToCloseTimeoutMs } = Context.current().info;
      const margin = Math.min(ANSWER_MARGIN.maxMs, startToCloseTimeoutMs * ANSWER_MARGIN.share);
      const budgetMs = startToCloseTimeoutMs - margin - (Date.now() - startedAt);
      if (budgetMs <= 0) return { outcome };
      const tooSlow = new Error('the snapshot would outlast this attempt');
      try {
        // The snapshot's calls go on unobserved once given up on: they are reads.
        const late = AbortSignal.timeout(budgetMs);
        return { outcome, snapshot: await untilAborted(reads.investmentSnapshot(input.snapshot), late, () => tooSlow) };
      } catch (err) {
        if (Context.current().cancellationSignal.aborted) throw err;
        if (err === tooSlow) {
          log.warn('snapshot after a paid payment too slow for this attempt; the cycle takes it itself');
          return { outcome };
        }
        // No message text: a custodian's error may name the account. The cycle's own snapshot reports the failure.
        log.warn('snapshot after a paid payment failed; the cycle takes it itself', {
          failure: err instanceof Error ? err.name : 'unknown',
        });
        return { outcome };
      }
    },
  };
}
