/**
 * Money that reaches an account outside any plan (a bank transfer, a Swish deposit): a settled `deposit` cash
 * transaction with `refType: external`, raising the balance and `deposited`, with the same events a completed
 * autogiro payment publishes. Control API only: it lets tests and operators inject a record a plan does not know
 * (reconciliation must report it).
 */
import { dec, SEK_SCALE } from '../shared/money';
import { notFound } from './http-error';
import type { SandboxContext } from './context';
import { accountView, cashTransactionView } from './views';

export function externalDeposit(
  ctx: SandboxContext,
  accountId: string,
  deposit: { amount: string; clientRef?: string | undefined }
): ReturnType<typeof cashTransactionView> {
  const account = ctx.store.accounts.get(accountId);
  if (!account) throw notFound(`account ${accountId}`);
  const atMs = ctx.clock.now();
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
      ref: ctx.ids.id(), // the bank's own reference of the transfer
      refType: 'external',
      creditAccount: account.id,
      debitAccount: null,
      amount: dec(deposit.amount).toFixed(SEK_SCALE),
      clientRef: deposit.clientRef ?? null,
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
  ctx.persist();
  return cashTransactionView(tx);
}
