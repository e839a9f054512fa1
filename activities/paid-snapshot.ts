/**
 * One read where a cycle needs two at the same moment (issue 14: one billable action fewer per cycle): the payment's
 * outcome and, once it is paid, the investment snapshot its split needs. The snapshot is only a prefetch: when it
 * fails, the outcome is still answered (the money is in and must be booked first) and the cycle takes the snapshot
 * itself, with its own retries and failure handling, as it did before.
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

export function createPaidSnapshotActivities(reads: Reads) {
  return {
    /** The payment's outcome; when it is paid, also the snapshot the split needs (left out if it fails). */
    async paymentOutcomeThenSnapshot(input: {
      payment: { clientId: string; instructionId: string; clientRef: string };
      snapshot: SnapshotRequest;
    }): Promise<PaymentOutcomeAndSnapshot> {
      const outcome = await reads.getPaymentOutcome(input.payment);
      if (outcome.status !== 'paid') return { outcome };
      try {
        return { outcome, snapshot: await reads.investmentSnapshot(input.snapshot) };
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
