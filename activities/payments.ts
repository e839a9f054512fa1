/**
 * Autogiro payment activities. Exactly-once rule: a payment instruction is created with the attempt's clientRef,
 * and Fondo has no way to look an instruction up by clientRef. So exactly-once rests on Fondo refusing a second
 * object with the same clientRef (409 naming the existing one, which we adopt) — our sandbox's documented rule,
 * NOT stated in Fondo's docs. `assumeUniqueClientRefs`:
 * - true: a retry after an ambiguous failure (timeout, dropped connection, 5xx, no body) re-submits the same
 *   reference and adopts the instruction already created; the customer is debited once.
 * - false (a Fondo that does not enforce it): an ambiguous create is never retried; it fails non-retryably
 *   (ReferenceUnresolved) so an operator checks Fondo, rather than risking a second debit.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isFondoError, type FondoClient, type Payment } from '../fondo';
import type { DepositOutcome, DepositSubmitted } from '../shared/custodian';
import { FailureType } from '../shared/failure-types';
import { depositFailureOfBankgirot, depositStatusOfFondo, isRenewedCoverageCheck } from '../shared/fondo-custodian';
import { fondoCall, toActivityFailure } from './fondo-failure';

export interface SubmitPaymentInput {
  clientId: string;
  accountId: string;
  amount: string;
  clientRef: string;
}

/** The port's deposit types (shared/custodian.ts); `debitDate` is a sandbox extension field, null when absent. */
export type SubmittedPayment = DepositSubmitted;
export type PaymentOutcome = DepositOutcome;

export interface PaymentActivityDeps {
  fondo: FondoClient;
  assumeUniqueClientRefs: boolean;
}

export function createPaymentActivities({ fondo, assumeUniqueClientRefs }: PaymentActivityDeps) {
  const signal = () => Context.current().cancellationSignal;

  async function describe(
    clientId: string,
    instructionId: string,
    clientRef: string,
    adopted: boolean
  ): Promise<SubmittedPayment> {
    const payments = await fondoCall(() =>
      fondo.listInstructionPayments(clientId, instructionId, { signal: signal() })
    );
    const payment = payments.find((p) => p.clientRef === clientRef);
    return { instructionId, paymentId: payment?.id ?? null, debitDate: payment?.debitDate ?? null, adopted };
  }

  return {
    /** Creates the autogiro payment for one attempt, or adopts the one already created with its clientRef. */
    async submitAutogiroPayment(input: SubmitPaymentInput): Promise<SubmittedPayment> {
      const request = {
        type: 'autogiro' as const,
        payments: [{ account: input.accountId, amount: input.amount, clientRef: input.clientRef }],
      };
      const unresolved = (why: string) =>
        ApplicationFailure.nonRetryable(
          `payment ${input.clientRef}: ${why}; check Fondo for an instruction with this reference before retrying`,
          FailureType.ReferenceUnresolved
        );
      let created;
      try {
        created = await fondo.createPaymentInstruction(input.clientId, request, { signal: signal() });
      } catch (err) {
        if (isFondoError(err) && err.kind === 'conflict') {
          if (err.conflict?.existingId) return describe(input.clientId, err.conflict.existingId, input.clientRef, true);
          throw unresolved('Fondo reports the reference as used but names no instruction');
        }
        if (isFondoError(err) && err.retryable && !assumeUniqueClientRefs)
          throw unresolved(`outcome unknown (${err.kind})`);
        throw toActivityFailure(err);
      }
      if (created) return describe(input.clientId, created.id, input.clientRef, false);
      // Fondo answered without a body: the instruction exists but we lack its id. A retry re-submits the same
      // reference, is refused with 409 naming the instruction, and adopts it.
      if (!assumeUniqueClientRefs) throw unresolved('created without a response body');
      throw ApplicationFailure.retryable(
        `payment ${input.clientRef}: created without a response body; resolving by reference`,
        FailureType.FondoUnavailable
      );
    },

    /** The current state of one attempt's payment (pending until Bankgirot reports on the debit date). */
    async getPaymentOutcome(input: {
      clientId: string;
      instructionId: string;
      clientRef: string;
    }): Promise<PaymentOutcome> {
      const payments = await fondoCall(() =>
        fondo.listInstructionPayments(input.clientId, input.instructionId, { signal: signal() })
      );
      const payment = payments.find((p) => p.clientRef === input.clientRef);
      if (!payment) {
        throw ApplicationFailure.nonRetryable(
          `instruction ${input.instructionId} has no payment with reference ${input.clientRef}`,
          FailureType.ReferenceUnresolved
        );
      }
      return outcomeOf(payment);
    },
  };
}

/** A Fondo payment as the port's deposit outcome: Bankgirot's reason code becomes a failure class. */
export function outcomeOf(p: Payment): PaymentOutcome {
  const reasonCode = p.reasonCode ?? null;
  const debitDate = p.debitDate ?? null;
  switch (depositStatusOfFondo(p.status, reasonCode)) {
    case 'paid':
      return { status: 'paid', amount: p.amount, debitDate };
    case 'failed':
      return { status: 'failed', failure: depositFailureOfBankgirot(reasonCode), providerCode: reasonCode, debitDate };
    case 'pending':
      return isRenewedCoverageCheck(p.status, reasonCode)
        ? { status: 'pending', debitDate, renewal: { providerCode: reasonCode } }
        : { status: 'pending', debitDate };
  }
}
