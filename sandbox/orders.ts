/**
 * Fund orders: validation, reservation, and the lifecycle on the business clock.
 *
 *   received ──(fund cut-off, 13:00 by default, on a banking day)──▶ sent ──(next banking day 09:00: priced at
 *   the next NAV)──▶ confirmed ──(trade date + 2 banking days, 09:00)──▶ settled
 *   received ──(cut-off while the fund is not tradable)──▶ hold ──(a later cut-off, fund tradable again)──▶ sent
 *   received | hold ──(DELETE by the partner)──▶ canceled;  received | hold | sent ──(control API)──▶ canceled
 *
 * Money rules: a subscription reserves its amount at creation (available cash = balance − reserved never goes
 * negative); at confirmation units = amount / NAV rounded down to the fund's unit decimals; at settlement the
 * cash debited is units × NAV rounded UP to öre (never more than the amount; the rest is released). A redemption
 * reserves its units at creation; at confirmation the proceeds are units × NAV rounded DOWN to öre and the units
 * leave the position; at settlement the proceeds are credited (for order/withdrawal: and paid out).
 * Every transition emits `order.update` with `current` and `previous`.
 */
import personnummer from 'personnummer';
import { z } from 'zod';
import { addBankingDays, isBankingDay, nextBankingDay, stockholmDate, stockholmTime } from '../shared/calendar';
import { dec, MAX_UNIT_SCALE, roundTo, SEK_SCALE, toFixed } from '../shared/money';
import type { SandboxContext } from './context';
import { badRequest, notFound, parseRequest, rejected, SandboxHttpError } from './http-error';
import { refKey, type AccountRecord, type OrderRecord, type PositionRecord } from './state';
import { accountView, cashTransactionView, fundTransactionView, orderView } from './views';
import { jsonDecimal } from './wire';

const ClientRef = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const ExecutorRef = z.string().refine((s) => personnummer.valid(s), 'must be a valid personnummer');
const common = {
  account: z.string({ message: 'is required' }).min(1),
  instrument: z.string({ message: 'is required' }).min(1),
  clientRef: ClientRef.optional(),
  executorRef: ExecutorRef.optional(),
};
export const OrderRequestSchema = z.discriminatedUnion(
  'orderType',
  [
    z.object({
      orderType: z.literal('subscription'),
      amount: jsonDecimal({ maxScale: SEK_SCALE, zero: false }),
      ...common,
    }),
    z.object({
      orderType: z.literal('redemption'),
      units: jsonDecimal({ maxScale: MAX_UNIT_SCALE, zero: false }),
      ...common,
    }),
  ],
  { message: 'orderType must be "subscription" or "redemption"' }
);
export const WithdrawalOrderRequestSchema = z.object({
  orderType: z.literal('redemption', { message: 'must be "redemption"' }),
  units: jsonDecimal({ maxScale: MAX_UNIT_SCALE, zero: false }),
  account: common.account,
  instrument: common.instrument,
  clientRef: common.clientRef,
  executorRef: z
    .string({ message: 'is required' })
    .refine((s) => personnummer.valid(s), 'must be a valid personnummer'),
  bankAccount: z.string({ message: 'is required' }).min(1),
  paymentAccount: z.string().optional(),
});

type OrderRequest = z.infer<typeof OrderRequestSchema>;

/** POST …/order (and …/order/withdrawal with `payout`). validate-only runs every check and creates nothing. */
export function createOrder(
  ctx: SandboxContext,
  clientId: string,
  body: unknown,
  options: { validateOnly: boolean; withdrawal: boolean }
): ReturnType<typeof orderView> | undefined {
  const client = ctx.requireClient(clientId);
  let request: OrderRequest;
  let payoutBankAccount: string | null = null;
  if (options.withdrawal) {
    const w = parseRequest(WithdrawalOrderRequestSchema, body, 'body');
    request = {
      orderType: 'redemption',
      units: w.units,
      account: w.account,
      instrument: w.instrument,
      clientRef: w.clientRef,
      executorRef: w.executorRef,
    };
    payoutBankAccount = w.bankAccount;
  } else {
    request = parseRequest(OrderRequestSchema, body, 'body');
  }

  if (request.clientRef) {
    const existing = ctx.store.clientRefs.get(refKey(clientId, 'order', request.clientRef));
    if (existing) {
      throw new SandboxHttpError(409, 'conflict', `clientRef is already used by order ${existing}`, {
        existingId: existing,
        existingType: 'order',
      });
    }
  }

  const account = ctx.requireAccount(clientId, request.account);
  if (account.deleted || account.status !== 'active')
    throw rejected('account_not_active', `account ${account.id} is not active`);
  if (!account.kyc.order) throw rejected('kyc_incomplete', `KYC for orders is not complete for account ${account.id}`);
  const instrument = ctx.store.instruments.get(request.instrument);
  if (!instrument) throw rejected('unknown_instrument', `instrument ${request.instrument} does not exist`);
  if (!client.universe.includes(instrument.id)) {
    throw rejected(
      'instrument_not_in_universe',
      `instrument ${instrument.id} is not in the client's instrument universe`
    );
  }
  if (!instrument.isTradable) throw rejected('instrument_not_tradable', `instrument ${instrument.id} is not tradable`);
  const position = findPosition(account, instrument.id);

  if (request.orderType === 'subscription') {
    if (!instrument.isBuyable) throw rejected('instrument_not_buyable', `instrument ${instrument.id} is not buyable`);
    const holds = position !== undefined && !dec(position.units).isZero();
    const base = holds ? instrument.minSubsequentAmountSek : instrument.minInitialAmountSek;
    const minimum = dec(base).greaterThan(instrument.minInvestmentAmountSEK)
      ? dec(base)
      : dec(instrument.minInvestmentAmountSEK);
    if (dec(request.amount).lessThan(minimum)) {
      throw rejected(
        'below_minimum',
        `amount ${request.amount} is below the ${holds ? 'subsequent' : 'initial'} minimum ${minimum.toFixed(SEK_SCALE)} SEK for ${instrument.id}`
      );
    }
    const available = dec(account.balance).minus(account.reserved);
    if (dec(request.amount).greaterThan(available)) {
      throw rejected(
        'insufficient_funds',
        `amount ${request.amount} exceeds available cash ${available.toFixed(SEK_SCALE)} SEK`
      );
    }
  } else {
    if (!instrument.isSellable)
      throw rejected('instrument_not_sellable', `instrument ${instrument.id} is not sellable`);
    const decimals = Math.min(instrument.decimalsUnits, MAX_UNIT_SCALE);
    if (dec(request.units).decimalPlaces() > decimals) {
      throw rejected('invalid_unit_decimals', `units must have at most ${decimals} decimals for ${instrument.id}`);
    }
    const available = position ? dec(position.units).minus(position.reservedUnits) : dec('0');
    if (dec(request.units).greaterThan(available)) {
      throw rejected(
        'insufficient_units',
        `units ${request.units} exceed the ${available.toFixed()} units available to sell`
      );
    }
    if (payoutBankAccount !== null) {
      if (!account.kyc.withdrawal)
        throw rejected('kyc_incomplete', `KYC for withdrawals is not complete for account ${account.id}`);
      if (!account.bankAccounts.some((b) => b.id === payoutBankAccount && b.validated && b.deletedDate === null)) {
        throw badRequest('bankAccount: not a validated bank account of the account');
      }
    }
  }
  if (options.validateOnly) return undefined;

  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const order: OrderRecord = {
    id: ctx.ids.id(),
    sortedId: ctx.ids.sortedId(nowMs),
    clientId,
    status: 'received',
    orderType: request.orderType,
    account: account.id,
    clientRef: request.clientRef ?? null,
    executorRef: request.executorRef ?? null,
    instrument: instrument.id,
    amount: request.orderType === 'subscription' ? toFixed(request.amount, SEK_SCALE, 'down') : null,
    units: request.orderType === 'redemption' ? request.units : null,
    price: null,
    settledAmount: null,
    payoutBankAccount,
    tradeDate: null,
    settlementDate: null,
    reason: null,
    createdDate: now,
    modifiedDate: now,
    canceledDate: null,
  };
  if (order.orderType === 'subscription') {
    account.reserved = dec(account.reserved).plus(order.amount!).toFixed(SEK_SCALE);
  } else {
    const p = position!;
    p.reservedUnits = dec(p.reservedUnits).plus(order.units!).toFixed();
  }
  ctx.store.orders.set(order.id, order);
  if (order.clientRef) ctx.store.clientRefs.set(refKey(clientId, 'order', order.clientRef), order.id);
  ctx.clock.schedule(nextCutoff(nowMs, instrument.cutoff), 'order.cutoff', order.id);
  ctx.publish(clientId, { eventType: 'order.create', current: orderView(order) }, nowMs);
  ctx.persist();
  return orderView(order);
}

/** DELETE …/order/{id}: allowed while the order has not been sent to the fund company. Idempotent. */
export function cancelOrder(ctx: SandboxContext, clientId: string, orderId: string) {
  ctx.requireClient(clientId);
  const order = ctx.store.orders.get(orderId);
  if (!order || order.clientId !== clientId) throw notFound(`order ${orderId}`);
  if (order.status === 'canceled') return orderView(order);
  if (order.status !== 'received' && order.status !== 'hold') {
    throw new SandboxHttpError(
      409,
      'order_not_cancelable',
      `order ${order.id} is ${order.status} and can no longer be canceled`
    );
  }
  cancel(ctx, order, ctx.clock.now(), 'canceled_by_partner');
  return orderView(order);
}

/** Control API: the fund company cancels an order before it is priced (fund suspended, order rejected). */
export function forceCancelOrder(ctx: SandboxContext, orderId: string, reason: string) {
  const order = ctx.store.orders.get(orderId);
  if (!order) throw notFound(`order ${orderId}`);
  if (!['received', 'hold', 'sent'].includes(order.status)) {
    throw new SandboxHttpError(
      409,
      'order_not_cancelable',
      `order ${order.id} is ${order.status}; only orders not yet priced can be canceled`
    );
  }
  cancel(ctx, order, ctx.clock.now(), reason);
  return orderView(order);
}

function cancel(ctx: SandboxContext, order: OrderRecord, atMs: number, reason: string): void {
  const at = new Date(atMs).toISOString();
  const account = ctx.store.accounts.get(order.account)!;
  const before = orderView(order);
  releaseReservation(account, order);
  Object.assign(order, { status: 'canceled', canceledDate: at, modifiedDate: at, reason });
  ctx.publish(order.clientId, { eventType: 'order.update', current: orderView(order), previous: before }, atMs);
  ctx.persist();
}

/** Step at the fund's cut-off: send to the fund company, or park in `hold` while the fund is not tradable. */
export function cutoffStep(ctx: SandboxContext, orderId: string, atMs: number): void {
  const order = ctx.store.orders.get(orderId);
  if (!order || (order.status !== 'received' && order.status !== 'hold')) return;
  const instrument = ctx.requireInstrument(order.instrument);
  const before = orderView(order);
  const at = new Date(atMs).toISOString();
  if (!instrument.isTradable) {
    if (order.status !== 'hold') {
      Object.assign(order, { status: 'hold', modifiedDate: at, reason: 'instrument_not_tradable' });
      ctx.publish(order.clientId, { eventType: 'order.update', current: orderView(order), previous: before }, atMs);
    }
    ctx.clock.schedule(nextCutoff(atMs + 1, instrument.cutoff), 'order.cutoff', order.id);
    return;
  }
  const tradeDate = stockholmDate(at);
  Object.assign(order, {
    status: 'sent',
    modifiedDate: at,
    reason: null,
    tradeDate: stockholmTime(tradeDate, instrument.cutoff),
  });
  ctx.publish(order.clientId, { eventType: 'order.update', current: orderView(order), previous: before }, atMs);
  ctx.clock.schedule(Date.parse(stockholmTime(nextBankingDay(tradeDate), '09:00')), 'order.confirm', order.id);
  ctx.clock.schedule(Date.parse(stockholmTime(addBankingDays(tradeDate, 2), '09:00')), 'order.settle', order.id);
}

/** Step the banking day after the trade date: priced at the NAV of that moment. */
export function confirmStep(ctx: SandboxContext, orderId: string, atMs: number): void {
  const order = ctx.store.orders.get(orderId);
  if (!order || order.status !== 'sent') return;
  const instrument = ctx.requireInstrument(order.instrument);
  const account = ctx.store.accounts.get(order.account)!;
  const at = new Date(atMs).toISOString();
  const before = orderView(order);
  const accountBefore = accountView(account, ctx.store);
  const price = instrument.closePrice;
  const decimals = Math.min(instrument.decimalsUnits, MAX_UNIT_SCALE);
  const position = findOrCreatePosition(account, instrument.id);
  if (order.orderType === 'subscription') {
    const units = roundTo(dec(order.amount!).div(price), decimals, 'down');
    if (units.isZero()) {
      cancel(ctx, order, atMs, 'zero_units_at_price');
      return;
    }
    order.units = units.toFixed();
    position.units = dec(position.units).plus(units).toFixed();
    position.cost = dec(position.cost)
      .plus(toFixed(units.times(price), SEK_SCALE, 'ceil'))
      .toFixed();
  } else {
    const units = dec(order.units!);
    order.amount = toFixed(units.times(price), SEK_SCALE, 'down');
    const averageCost = dec(position.units).isZero() ? dec('0') : dec(position.cost).div(position.units);
    position.cost = roundTo(dec(position.cost).minus(averageCost.times(units)), SEK_SCALE, 'halfUp').toFixed();
    position.units = dec(position.units).minus(units).toFixed();
    position.reservedUnits = dec(position.reservedUnits).minus(units).toFixed();
  }
  Object.assign(order, { status: 'confirmed', price, modifiedDate: at });
  account.modifiedDate = at;
  ctx.publish(order.clientId, { eventType: 'order.update', current: orderView(order), previous: before }, atMs);
  // The traded units changed the account's positions.
  ctx.publish(
    order.clientId,
    { eventType: 'account.update', current: accountView(account, ctx.store), previous: accountBefore },
    atMs
  );
}

/** Step T+2: cash and units settle; fund and cash transactions are booked. */
export function settleStep(ctx: SandboxContext, orderId: string, atMs: number): void {
  const order = ctx.store.orders.get(orderId);
  if (!order || order.status !== 'confirmed') return;
  const instrument = ctx.requireInstrument(order.instrument);
  const account = ctx.store.accounts.get(order.account)!;
  const at = new Date(atMs).toISOString();
  const orderBefore = orderView(order);
  const accountBefore = accountView(account, ctx.store);
  const position = findOrCreatePosition(account, instrument.id);
  const units = order.units!;
  let cashAmount: string;
  if (order.orderType === 'subscription') {
    cashAmount = toFixed(dec(units).times(order.price!), SEK_SCALE, 'ceil');
    account.reserved = dec(account.reserved).minus(order.amount!).toFixed(SEK_SCALE);
    account.balance = dec(account.balance).minus(cashAmount).toFixed(SEK_SCALE);
    position.unitsSettled = dec(position.unitsSettled).plus(units).toFixed();
    order.settledAmount = cashAmount;
  } else {
    cashAmount = order.amount!;
    account.balance = dec(account.balance).plus(cashAmount).toFixed(SEK_SCALE);
    position.unitsSettled = dec(position.unitsSettled).minus(units).toFixed();
  }
  Object.assign(order, { status: 'settled', settlementDate: at, modifiedDate: at });
  account.modifiedDate = at;
  const fundTx = ctx.addFundTransaction(
    {
      clientId: order.clientId,
      account: account.id,
      transactionType: order.orderType,
      ref: order.id,
      refType: 'order',
      instrument: instrument.id,
      identifier: instrument.isincode,
      units,
      price: order.price!,
      currency: instrument.currency,
      clientRef: order.clientRef,
      settlementDate: at,
      tradeDate: order.tradeDate,
    },
    atMs
  );
  const cashTx = ctx.addCashTransaction(
    {
      clientId: order.clientId,
      account: account.id,
      transactionType: order.orderType,
      ref: order.id,
      refType: 'order',
      creditAccount: order.orderType === 'redemption' ? account.id : null,
      debitAccount: order.orderType === 'subscription' ? account.id : null,
      amount: cashAmount,
      clientRef: order.clientRef,
      instrument: instrument.id,
      settlementDate: at,
    },
    atMs
  );
  const published = [cashTx];
  if (order.payoutBankAccount) {
    account.balance = dec(account.balance).minus(cashAmount).toFixed(SEK_SCALE);
    account.withdrawn = dec(account.withdrawn).plus(cashAmount).toFixed(SEK_SCALE);
    published.push(
      ctx.addCashTransaction(
        {
          clientId: order.clientId,
          account: account.id,
          transactionType: 'withdrawal',
          ref: order.id,
          refType: 'order',
          creditAccount: null,
          debitAccount: account.id,
          amount: cashAmount,
          clientRef: order.clientRef,
          instrument: null,
          settlementDate: at,
        },
        atMs
      )
    );
  }
  ctx.publish(order.clientId, { eventType: 'order.update', current: orderView(order), previous: orderBefore }, atMs);
  ctx.publish(order.clientId, { eventType: 'fundTransaction.create', current: fundTransactionView(fundTx) }, atMs);
  for (const tx of published)
    ctx.publish(order.clientId, { eventType: 'cashTransaction.create', current: cashTransactionView(tx) }, atMs);
  ctx.publish(
    order.clientId,
    { eventType: 'account.update', current: accountView(account, ctx.store), previous: accountBefore },
    atMs
  );
}

/** The first fund cut-off at or after `ms`: `cutoff` local time on a banking day. */
export function nextCutoff(ms: number, cutoff: string): number {
  const today = stockholmDate(new Date(ms).toISOString());
  const todayCutoff = Date.parse(stockholmTime(today, cutoff));
  if (isBankingDay(today) && ms <= todayCutoff) return todayCutoff;
  return Date.parse(stockholmTime(nextBankingDay(today), cutoff));
}

function releaseReservation(account: AccountRecord, order: OrderRecord): void {
  if (order.orderType === 'subscription') {
    account.reserved = dec(account.reserved).minus(order.amount!).toFixed(SEK_SCALE);
  } else {
    const position = findPosition(account, order.instrument);
    if (position) position.reservedUnits = dec(position.reservedUnits).minus(order.units!).toFixed();
  }
}

function findPosition(account: AccountRecord, instrument: string): PositionRecord | undefined {
  return account.positions.find((p) => p.instrument === instrument);
}

function findOrCreatePosition(account: AccountRecord, instrument: string): PositionRecord {
  let position = findPosition(account, instrument);
  if (!position) {
    position = { instrument, units: '0', unitsSettled: '0', reservedUnits: '0', cost: '0' };
    account.positions.push(position);
  }
  return position;
}
