/**
 * Autogiro payment instructions and their payments.
 *
 * Timeline (Bankgirot rules on the sandbox's business clock):
 * - created `new`; the debit date D is the first banking day whose submission deadline (19:00 Stockholm on the
 *   banking day before D) is not yet past — the request carries no date, so the sandbox follows Bankgirot;
 * - `processing` at the deadline (the file has gone to Bankgirot);
 * - on D at 06:00 (Bankgirot's report): `completed` — a `deposit` cash transaction carrying the payment's
 *   clientRef raises the balance (events `cashTransaction.create`, `account.update`) — or `failed` with a
 *   Bankgirot result code: a scheduled failure rule (1, 2, 4), or 2 when the account has no validated bank
 *   account (no autogiro mandate);
 * - code 9 (renewed coverage check): the SAME payment stays `processing` with `reasonCode` "9" and is checked
 *   again at 06:00 on each of the next banking days, up to three renewed checks (D+1..D+3); its `debitDate`
 *   moves to the day of the next check. A check with coverage completes it; a check whose account lost its
 *   mandate fails it with code 2; no coverage after the third renewed check fails it with code 1 (insufficient
 *   funds). A code-9 rule's `count` is the number of coverage checks that find no coverage, consumed one per check.
 *   No new payment or instruction is created.
 * Invariant: a clientRef creates at most one payment per client (duplicates: 409 with the existing instruction).
 */
import { z } from 'zod';
import { earliestDebitDate, nextBankingDay, stockholmTime, submissionDeadline } from '../shared/calendar';
import { SEK_SCALE, toFixed } from '../shared/money';
import type { SandboxContext } from './context';
import { badRequest, parseRequest, rejected, SandboxHttpError } from './http-error';
import { refKey, type PaymentRecord } from './state';
import { creditDeposit } from './deposits';
import { paymentInstructionView } from './views';
import { jsonDecimal } from './wire';

const ClientRef = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

export const PaymentInstructionRequestSchema = z.object({
  type: z.literal('autogiro', { message: 'must be "autogiro"' }),
  payments: z
    .array(
      z.object({
        amount: jsonDecimal({ maxScale: SEK_SCALE, zero: false }),
        clientRef: ClientRef,
        account: z.string({ message: "is required: the sandbox needs each payment's destination account" }).min(1),
      })
    )
    .min(1, 'must contain at least one payment')
    .max(100, 'must contain at most 100 payments'),
});

const FAILURE_REASONS: Record<string, string> = {
  '1': 'Rejected: insufficient funds',
  '2': 'Rejected: no autogiro mandate (account closed or mandate cancelled)',
  '4': 'Rejected: mandate pending (account number change or mandate being set up)',
  '9': 'Rejected: renewed coverage check next banking day',
};

/** Renewed coverage checks Bankgirot makes after a code 9 (one per following banking day). */
export const MAX_RENEWED_COVERAGE_CHECKS = 3;

export function createPaymentInstruction(ctx: SandboxContext, clientId: string, body: unknown) {
  ctx.requireClient(clientId);
  const request = parseRequest(PaymentInstructionRequestSchema, body, 'body');
  const refs = new Set<string>();
  for (const [i, p] of request.payments.entries()) {
    if (refs.has(p.clientRef)) throw badRequest(`payments[${i}].clientRef: duplicate within the request`);
    refs.add(p.clientRef);
    const existing = ctx.store.clientRefs.get(refKey(clientId, 'payment', p.clientRef));
    if (existing) {
      throw new SandboxHttpError(
        409,
        'conflict',
        `payments[${i}].clientRef is already used by payment instruction ${existing}`,
        {
          existingId: existing,
          existingType: 'paymentInstruction',
        }
      );
    }
    const account = ctx.requireAccount(clientId, p.account);
    if (account.deleted || account.status !== 'active') {
      throw rejected('account_not_active', `payments[${i}].account: account ${account.id} is not active`);
    }
  }

  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const debitDate = earliestDebitDate(now);
  const instructionId = ctx.ids.id();
  const payments: PaymentRecord[] = request.payments.map((p) => ({
    id: ctx.ids.id(),
    sortedId: ctx.ids.sortedId(nowMs),
    clientId,
    instructionId,
    account: p.account,
    amount: toFixed(p.amount, SEK_SCALE, 'down'),
    clientRef: p.clientRef,
    status: 'new',
    reason: null,
    reasonCode: null,
    debitDate,
    createdDate: now,
    modifiedDate: now,
  }));
  const instruction = {
    id: instructionId,
    clientId,
    type: 'autogiro' as const,
    paymentIds: payments.map((p) => p.id),
    status: 'new',
    createdDate: now,
    modifiedDate: now,
  };
  ctx.store.paymentInstructions.set(instruction.id, instruction);
  for (const p of payments) {
    ctx.store.payments.set(p.id, p);
    ctx.store.clientRefs.set(refKey(clientId, 'payment', p.clientRef), instruction.id);
  }
  ctx.clock.schedule(Date.parse(submissionDeadline(debitDate)), 'payment.processing', instruction.id);
  ctx.clock.schedule(Date.parse(stockholmTime(debitDate, '06:00')), 'payment.outcome', instruction.id);
  ctx.persist();
  return paymentInstructionView(instruction, ctx.store);
}

/** Step at the submission deadline: the file has reached Bankgirot. */
export function markInstructionProcessing(ctx: SandboxContext, instructionId: string, atMs: number): void {
  const instruction = ctx.store.paymentInstructions.get(instructionId);
  if (!instruction) return;
  const at = new Date(atMs).toISOString();
  instruction.status = 'processing';
  instruction.modifiedDate = at;
  for (const id of instruction.paymentIds) {
    const p = ctx.store.payments.get(id)!;
    if (p.status === 'new') Object.assign(p, { status: 'processing', modifiedDate: at });
  }
}

/** Step on the debit date at 06:00: Bankgirot's result for every payment of the instruction. */
export function settleInstruction(ctx: SandboxContext, instructionId: string, atMs: number): void {
  const instruction = ctx.store.paymentInstructions.get(instructionId);
  if (!instruction) return;
  const at = new Date(atMs).toISOString();
  for (const id of instruction.paymentIds) {
    const payment = ctx.store.payments.get(id)!;
    if (payment.status === 'completed' || payment.status === 'failed') continue;
    const code = failureCodeFor(ctx, payment);
    if (code === '9') {
      scheduleRenewal(ctx, payment, atMs);
    } else if (code) {
      Object.assign(payment, {
        status: 'failed',
        reasonCode: code,
        reason: FAILURE_REASONS[code] ?? 'Rejected',
        modifiedDate: at,
      });
    } else {
      completePayment(ctx, payment, atMs);
    }
  }
  updateInstructionStatus(ctx, instructionId, at);
}

/**
 * Step at 06:00 on a banking day after a code 9: Bankgirot's renewed coverage check of the same payment. Coverage →
 * completed; mandate gone → failed with code 2; no coverage → another renewal, or after the third failed with code 1.
 */
export function renewCoverageCheck(ctx: SandboxContext, paymentId: string, atMs: number): void {
  const payment = ctx.store.payments.get(paymentId);
  if (!payment || payment.status !== 'processing' || payment.reasonCode !== '9') return;
  const at = new Date(atMs).toISOString();
  const renewals = (payment.renewedCoverageChecks ?? 0) + 1;
  payment.renewedCoverageChecks = renewals;
  const code = failureCodeFor(ctx, payment, true);
  if (code === '9' && renewals < MAX_RENEWED_COVERAGE_CHECKS) {
    scheduleRenewal(ctx, payment, atMs);
  } else if (code === '9') {
    Object.assign(payment, {
      status: 'failed',
      reasonCode: '1',
      reason: `${FAILURE_REASONS['1']} (no coverage after ${MAX_RENEWED_COVERAGE_CHECKS} renewed coverage checks)`,
      modifiedDate: at,
    });
  } else if (code) {
    Object.assign(payment, {
      status: 'failed',
      reasonCode: code,
      reason: FAILURE_REASONS[code] ?? 'Rejected',
      modifiedDate: at,
    });
  } else {
    Object.assign(payment, { reasonCode: null, reason: null });
    completePayment(ctx, payment, atMs);
  }
  updateInstructionStatus(ctx, payment.instructionId, at);
}

/** Code 9: the payment stays processing and is checked again at 06:00 on the next banking day. */
function scheduleRenewal(ctx: SandboxContext, payment: PaymentRecord, atMs: number): void {
  const done = payment.renewedCoverageChecks ?? 0;
  const nextCheck = nextBankingDay(payment.debitDate);
  Object.assign(payment, {
    status: 'processing',
    reasonCode: '9',
    reason: `${FAILURE_REASONS['9']} (renewed check ${done + 1} of ${MAX_RENEWED_COVERAGE_CHECKS} on ${nextCheck})`,
    renewedCoverageChecks: done,
    debitDate: nextCheck,
    modifiedDate: new Date(atMs).toISOString(),
  });
  ctx.clock.schedule(Date.parse(stockholmTime(nextCheck, '06:00')), 'payment.renewal', payment.id);
}

/** An instruction is completed once every payment of it is final; processing while one is renewed. */
function updateInstructionStatus(ctx: SandboxContext, instructionId: string, at: string): void {
  const instruction = ctx.store.paymentInstructions.get(instructionId);
  if (!instruction) return;
  const final = instruction.paymentIds.every((id) => {
    const status = ctx.store.payments.get(id)?.status;
    return status === 'completed' || status === 'failed';
  });
  instruction.status = final ? 'completed' : 'processing';
  instruction.modifiedDate = at;
}

/** The code a coverage check finds; `renewal`: a renewed check after code 9, where only code-9 rules apply. */
function failureCodeFor(ctx: SandboxContext, payment: PaymentRecord, renewal = false): string | undefined {
  const rule = ctx.store.paymentFailures.find(
    (r) =>
      r.remaining > 0 &&
      (!renewal || r.code === '9') &&
      (r.account === undefined || r.account === payment.account) &&
      (r.clientRef === undefined || r.clientRef === payment.clientRef) &&
      (r.clientRefPrefix === undefined || payment.clientRef.startsWith(r.clientRefPrefix))
  );
  if (rule) {
    rule.remaining -= 1;
    ctx.store.paymentFailures = ctx.store.paymentFailures.filter((r) => r.remaining > 0);
    return rule.code;
  }
  const account = ctx.store.accounts.get(payment.account);
  const hasMandate = account?.bankAccounts.some((b) => b.validated && b.deletedDate === null) ?? false;
  if (!account || account.deleted || !hasMandate) return '2';
  return undefined;
}

function completePayment(ctx: SandboxContext, payment: PaymentRecord, atMs: number): void {
  Object.assign(payment, { status: 'completed', modifiedDate: new Date(atMs).toISOString() });
  const account = ctx.store.accounts.get(payment.account)!;
  creditDeposit(
    ctx,
    account,
    { amount: payment.amount, clientRef: payment.clientRef, ref: payment.id, refType: 'payment' },
    atMs
  );
}
