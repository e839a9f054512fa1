/**
 * One read where a cycle needs two at the same moment (issue 14: one billable action fewer per cycle): the payment's
 * outcome and, once it is paid, the investment snapshot its split needs. The snapshot is only a prefetch: when it
 * fails — or would not finish within the time the attempt has left: a timed-out attempt would discard the paid outcome
 * with it, and its retry would read both again — the outcome is still answered (the money is in and must be booked
 * first) and the cycle takes the snapshot itself, with its own retries and failure handling, as it did before.
 */
import { Context, log } from '@temporalio/activity';
import type { AllocationSource } from '../shared/plan';
import type { PaymentOutcome } from './payments';
import type { InvestmentSnapshot } from './portfolio';

type Reads = {
  getPaymentOutcome(input: { clientId: string; instructionId: string; clientRef: string }): Promise<PaymentOutcome>;
  investmentSnapshot(input: SnapshotRequest): Promise<InvestmentSnapshot>;
};

/** What a cycle's split snapshot reads (the investmentSnapshot input without the order-list walk). */
export interface SnapshotRequest {
  clientId: string;
  accountId: string;
  allocation: AllocationSource;
  extraFunds: string[];
}

export interface PaymentOutcomeAndSnapshot {
  outcome: PaymentOutcome;
  /** Present only when the payment is paid and the snapshot could be read in the same attempt. */
  snapshot?: InvestmentSnapshot;
}

/** What the attempt keeps back for answering after the snapshot: a fifth of its start-to-close timeout, at most 10 s. */
const ANSWER_MARGIN = { share: 0.2, maxMs: 10_000 };

/** `promise`'s value, or undefined when it takes longer than `ms` (the promise is left to settle unobserved). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  promise.catch(() => undefined); // a snapshot given up on may still fail: nothing waits for it
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function createPaidSnapshotActivities(reads: Reads) {
  return {
    /** The payment's outcome; when it is paid, also the snapshot the split needs (left out if it fails). */
    async paymentOutcomeThenSnapshot(input: {
      payment: { clientId: string; instructionId: string; clientRef: string };
      snapshot: SnapshotRequest;
    }): Promise<PaymentOutcomeAndSnapshot> {
      const startedAt = Date.now();
      const outcome = await reads.getPaymentOutcome(input.payment);
      if (outcome.status !== 'paid') return { outcome };
      const { startToCloseTimeoutMs } = Context.current().info;
      const margin = Math.min(ANSWER_MARGIN.maxMs, startToCloseTimeoutMs * ANSWER_MARGIN.share);
      const budgetMs = startToCloseTimeoutMs - margin - (Date.now() - startedAt);
      if (budgetMs <= 0) return { outcome };
      try {
        const snapshot = await within(reads.investmentSnapshot(input.snapshot), budgetMs);
        if (!snapshot) log.warn('snapshot after a paid payment too slow for this attempt; the cycle takes it itself');
        return snapshot ? { outcome, snapshot } : { outcome };
      } catch (err) {
        if (Context.current().cancellationSignal.aborted) throw err;
        // No message text: a custodian's error may name the account. The cycle's own snapshot reports the failure.
        log.warn('snapshot after a paid payment failed; the cycle takes it itself', {
          failure: err instanceof Error ? err.name : 'unknown',
        });
        return { outcome };
      }
    },
  };
}
