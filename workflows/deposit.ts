/**
 * Collecting a cycle's deposit: attempt 1 under clientRef `<planId>:<period>`, renewed attempts `…:a<n>` on the
 * next banking day when the bank reports insufficient funds (at most `maxRenewedAttempts`); any other failure stops
 * the period. While the bank renews the coverage check of an attempt itself (on up to three later banking days),
 * the cycle keeps following that same attempt and makes no new one: a second collection could debit twice. An attempt's outcome arrives by the event bridge (paymentEvent) or, as a
 * fallback, by reading it from the debit date 08:00 (after the bank's 06:00 report): then, while it is still pending,
 * after the quiet period and doubling up to every 6 hours (shared/quiet-period.ts), for 10 banking days, and at once
 * on retryNow. Failures have no event, so they are always learnt by reading. Histories recorded before the safety
 * net read at 08:00 and then every 6 hours (patch `quiet-period-safety-net`).
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities, InvestmentSnapshot, SnapshotRequest } from '../activities';
import { addBankingDays, earliestDebitDate, stockholmTime } from '../shared/calendar';
import type { DepositOutcome } from '../shared/custodian';
import { afterDepositFailure } from '../shared/cycle-steps';
import { paymentClientRef } from '../shared/ids';
import type { PaymentEventPayload } from '../shared/messages';
import { formatSek, SEK_SCALE, toFixed } from '../shared/money';
import { nextQuietReadAt, PAYMENT_QUIET_POLICY } from '../shared/quiet-period';
import type { PaymentAttempt } from '../shared/status';
import { fondoRead, fondoWrite } from './activity-options';
import { failureMessage } from './failures';
import { QUIET_PERIOD_PATCH, type RetryFlag } from './order-desk';
import { HOUR_MS, nowIso, nowMs, waitUntil, WakeTimer } from './time';
import { PATCH } from './patches';

const read = proxyActivities<Activities>(fondoRead);
const write = proxyActivities<Activities>(fondoWrite);

export type DepositResult = { paid: true; amount: string; debitDate: string | null } | { paid: false; why: string };

export interface DepositContext {
  planId: string;
  clientId: string;
  accountId: string;
  period: string;
  amount: string;
  scheduledDebitDate: string;
  maxRenewedAttempts: number;
  /** The attempts so far (reported in the cycle's status and summary). */
  payments: PaymentAttempt[];
  events: Map<string, z.output<typeof PaymentEventPayload>>;
  retry: RetryFlag;
  say: (sentence: string) => void;
  /**
   * The snapshot the cycle's split would read next, when it would use one taken with a paid outcome (its turn to
   * place orders is open): the read that finds the payment paid takes it too, one activity instead of two
   * (since patch `snapshot-read-with-paid-payment`). `onSnapshot` receives it.
   */
  snapshotWhenPaid?: () => SnapshotRequest | undefined;
  onSnapshot?: (snapshot: InvestmentSnapshot) => void;
}

/** Runs deposit attempts until one is paid, or the period's deposit has failed. */
export async function collectDeposit(c: DepositContext): Promise<DepositResult> {
  const maxAttempts = 1 + c.maxRenewedAttempts;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const clientRef = paymentClientRef(c.planId, c.period, attempt);
    const record: PaymentAttempt = {
      attempt,
      clientRef,
      instructionId: null,
      debitDate: null,
      status: 'submitted',
      reasonCode: null,
      submittedAt: nowIso(),
      resolvedAt: null,
    };
    c.payments.push(record);
    try {
      const submitted = await write.submitAutogiroPayment.executeWithOptions(
        { ...fondoWrite, summary: `autogiro ${c.amount} SEK, attempt ${attempt} (${clientRef})` },
        [{ clientId: c.clientId, accountId: c.accountId, amount: c.amount, clientRef }]
      );
      record.instructionId = submitted.instructionId;
      record.debitDate = submitted.debitDate ?? (attempt === 1 ? c.scheduledDebitDate : earliestDebitDate(nowIso()));
    } catch (err) {
      record.status = 'unknown';
      return { paid: false, why: `payment attempt ${attempt} could not be submitted: ${failureMessage(err)}` };
    }
    c.say(
      `Payment attempt ${attempt} (${clientRef}) submitted for ${formatSek(c.amount)}, debit date ${record.debitDate}.`
    );

    const outcome = await awaitOutcome(c, record, record.debitDate);
    record.resolvedAt = nowIso();
    if (outcome.status === 'paid') {
      record.status = 'completed';
      record.reasonCode = null;
      // Money received is whole öre; a custodian reporting more decimals is credited no more than it reported.
      const amount = toFixed(outcome.amount ?? c.amount, SEK_SCALE, 'down');
      c.say(`Payment completed: ${formatSek(amount)} received.`);
      return { paid: true, amount, debitDate: outcome.debitDate ?? record.debitDate };
    }
    if (outcome.status === 'pending') {
      record.status = 'unknown';
      return { paid: false, why: `payment ${clientRef} has no outcome 10 banking days after its debit date` };
    }
    record.status = 'failed';
    record.reasonCode = outcome.providerCode;
    const step = afterDepositFailure(outcome.failure, outcome.providerCode, attempt, maxAttempts);
    c.say(step.say);
    if (step.kind === 'stop') return { paid: false, why: step.why };
  }
  return { paid: false, why: 'payment failed' };
}

async function awaitOutcome(c: DepositContext, record: PaymentAttempt, debitDate: string): Promise<DepositOutcome> {
  if (!patched(QUIET_PERIOD_PATCH)) return awaitOutcomePolling(c, record, debitDate);
  // The custodian should have reported the payment by `dueAt` (its debit date's 08:00, or the renewed check's):
  // read then, and while it stays pending after the quiet period, doubling up to every 6 hours.
  const eightOClock = (date: string) => Date.parse(stockholmTime(date, '08:00'));
  let dueAt = Math.max(nowMs(), eightOClock(debitDate));
  let reads = 0; // reads since dueAt that found it still pending
  const giveUpAt = eightOClock(addBankingDays(debitDate, 10));
  const timer = new WakeTimer();
  try {
    for (;;) {
      const readAt = reads === 0 ? dueAt : nextQuietReadAt(dueAt, reads - 1, PAYMENT_QUIET_POLICY);
      await timer.wait(() => c.events.has(record.clientRef) || c.retry.requested, readAt);
      c.retry.take();
      const outcome = await readPayment(c, record, debitDate);
      if (outcome.status !== 'pending' || nowMs() >= giveUpAt) return outcome;
      if (nowMs() >= readAt) reads++;
      if (outcome.renewal) {
        // The bank checks coverage again on a later day: that day's report is the next moment it should move.
        const renewedDueAt = eightOClock(record.debitDate ?? debitDate);
        if (renewedDueAt > dueAt) [dueAt, reads] = [renewedDueAt, 0];
      }
    }
  } finally {
    timer.cancel();
  }
}

/** `awaitOutcome` in histories recorded before the safety net: a timer per wait, reads every 6 hours. */
async function awaitOutcomePolling(
  c: DepositContext,
  record: PaymentAttempt,
  debitDate: string
): Promise<DepositOutcome> {
  let nextPoll = Math.max(nowMs(), Date.parse(stockholmTime(debitDate, '08:00')));
  const giveUpAt = Date.parse(stockholmTime(addBankingDays(debitDate, 10), '08:00'));
  for (;;) {
    await waitUntil(() => c.events.has(record.clientRef) || c.retry.requested, nextPoll);
    c.retry.take();
    const outcome = await readPayment(c, record, debitDate);
    if (outcome.status !== 'pending' || nowMs() >= giveUpAt) return outcome;
    if (nowMs() >= nextPoll) nextPoll = nowMs() + 6 * HOUR_MS;
  }
}

/**
 * A wake of the payment wait: the attempt as the custodian reports it. An event is a hint: the payment is read from
 * the custodian and only its answer is booked, so a forged or stale signal moves no money (histories recorded before
 * this rule booked the event; patch `payment-events-are-hints`).
 */
async function readPayment(c: DepositContext, record: PaymentAttempt, debitDate: string): Promise<DepositOutcome> {
  const event = c.events.get(record.clientRef);
  if (event && !patched(PATCH.paymentEventsAreHints)) return { status: 'paid', amount: event.amount, debitDate };
  c.events.delete(record.clientRef);
  const outcome = await readOutcome(c, {
    clientId: c.clientId,
    instructionId: record.instructionId!,
    clientRef: record.clientRef,
  });
  if (outcome.status === 'pending' && outcome.renewal) followRenewal(c, record, outcome);
  return outcome;
}

/** The payment's outcome; with the split's snapshot when the cycle would use it (one activity for both). */
async function readOutcome(
  c: DepositContext,
  payment: { clientId: string; instructionId: string; clientRef: string }
): Promise<DepositOutcome> {
  const snapshot = c.snapshotWhenPaid?.();
  if (!snapshot || !patched(PATCH.snapshotReadWithPaidPayment)) return read.getPaymentOutcome(payment);
  const both = await read.paymentOutcomeThenSnapshot({ payment, snapshot });
  if (both.snapshot) c.onSnapshot?.(both.snapshot);
  return both.outcome;
}

/** The bank checks the same attempt's coverage again on a later banking day: record it and say so once per day. */
function followRenewal(
  c: DepositContext,
  record: PaymentAttempt,
  outcome: Extract<DepositOutcome, { status: 'pending' }>
): void {
  const nextCheck = outcome.debitDate ?? record.debitDate;
  if (record.reasonCode === outcome.renewal?.providerCode && record.debitDate === nextCheck) return;
  record.reasonCode = outcome.renewal?.providerCode ?? null;
  record.debitDate = nextCheck;
  c.say(
    `Payment ${record.clientRef}: the bank checks coverage again on ${nextCheck} (code ${record.reasonCode ?? '?'}); ` +
      'the same payment is followed, no new one is made.'
  );
}
