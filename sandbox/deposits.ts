/**
 * Deposits: money credited to an account as a settled `deposit` cash transaction, raising the balance and
 * `deposited`, with the events `cashTransaction.create` and `account.update`. One owner for both ways money arrives:
 * a completed autogiro payment (`refType: payment`, sandbox/payments.ts) and money from outside any plan (a bank
 * transfer, a Swish deposit: `refType: external`, control API only — it lets tests and operators inject a record a
 * plan does not know, which reconciliation must report).
 */
import { dec, SEK_SCALE } from '../shared/money';
import { notFound } from './http-error';
import type { SandboxContext } from './context';
import type { AccountRecord, CashTransactionRecord } from './state';
import { accountView, cashTransactionView } from './views';

/** Credits `amount` to `account` as a settled deposit at `atMs` and publishes its events. */
export function creditDeposit(
  ctx: SandboxContext,
  account: AccountRecord,
  deposit: { amount: string; clientRef: string | null; ref: string; refType: 'payment' | 'external' },
  atMs: number
): CashTransactionRecord {
  const at = new Date(atMs).toISOString();
  const before = accountView(account, ctx.store);
  account.balance = dec(account.balance).plus(deposit.amount).toFixed(SEK_SCALE);
  account.deposited = dec(account.deposited).plus(deposit.amount).toFixed(SEK_SCALE);
  account.modifiedDate = at;
  const tx = ctx.addCashTransaction(
    {
      clientId: account.clientId,
      account: account.id,
      transactionType: 'deposit',
      ref: deposit.ref,
      refType: deposit.refType,
      creditAccount: account.id,
      debitAccount: null,
      amount: deposit.amount,
      clientRef: deposit.clientRef,
      instrument: null,
      settlementDate: at,
    },
    atMs
  );
  ctx.publish(account.clientId, { eventType: 'cashTransaction.create', current: cashTransactionView(tx) }, atMs);
  ctx.publish(
    account.clientId,
    { eventType: 'account.update', current: accountView(account, ctx.store), previous: before },
    atMs
  );
  return tx;
}

/** Control API: money from outside any plan (the bank's own reference stands in `ref`). */
export function externalDeposit(
  ctx: SandboxContext,
  accountId: string,
  deposit: { amount: string; clientRef?: string | undefined }
): ReturnType<typeof cashTransactionView> {
  const account = ctx.store.accounts.get(accountId);
  if (!account) throw notFound(`account ${accountId}`);
  const tx = creditDeposit(
    ctx,
    account,
    {
      amount: dec(deposit.amount).toFixed(SEK_SCALE),
      clientRef: deposit.clientRef ?? null,
      ref: ctx.ids.id(),
      refType: 'external',
    },
    ctx.clock.now()
  );
  ctx.persist();
  return cashTransactionView(tx);
}
