/**
 * Records → Fondo wire JSON, field names and order as in the docs. Amounts and units go out as exact JSON
 * numbers; sandbox-internal fields (reservations, opening balances, cut-offs) never leave the sandbox.
 */
import { dec, roundTo, SEK_SCALE, toFixed } from '../shared/money';
import type {
  AccountRecord,
  AllocationPlanRecord,
  CashTransactionRecord,
  ClientRecord,
  FundTransactionRecord,
  InstrumentRecord,
  OrderRecord,
  PaymentInstructionRecord,
  PaymentRecord,
  SandboxStore,
} from './state';
import { num } from './wire';

export function clientView(c: ClientRecord) {
  return {
    id: c.id,
    sortedId: c.sortedId,
    name: c.name,
    displayName: c.displayName,
    bankAccounts: [],
    serviceTypes: c.serviceTypes,
    createdDate: c.createdDate,
    modifiedDate: c.modifiedDate,
    crn: c.crn,
    country: c.country,
  };
}

export function accountView(a: AccountRecord, store: SandboxStore) {
  return {
    id: a.id,
    sortedId: a.sortedId,
    ref: a.ref,
    name: a.name,
    status: a.status,
    accountType: a.accountType,
    serviceType: a.serviceType,
    owner: a.owner,
    balance: num(a.balance),
    amounts: { deposited: num(a.deposited), withdrawn: num(a.withdrawn) },
    positions: a.positions
      .filter((p) => !dec(p.units).isZero() || !dec(p.unitsSettled).isZero())
      .map((p) => {
        const price = store.instruments.get(p.instrument)?.closePrice ?? '0';
        const units = dec(p.units);
        return {
          instrument: p.instrument,
          units: num(units.toFixed()),
          unitsSettled: num(dec(p.unitsSettled).toFixed()),
          value: num(toFixed(units.times(price), SEK_SCALE, 'halfUp')),
          closePrice: num(price),
          gav: num(units.isZero() ? '0' : roundTo(dec(p.cost).div(units), 4, 'halfUp').toFixed()),
        };
      }),
    deleted: a.deleted,
    clientId: a.clientId,
    bankAccounts: a.bankAccounts.map((b) => ({
      id: b.id,
      iban: b.iban,
      bban: b.bban,
      bank: b.bank,
      name: b.name,
      createdDate: b.createdDate,
      modifiedDate: b.modifiedDate,
      deletedDate: b.deletedDate,
      validated: b.validated,
    })),
    currency: a.currency,
    createdDate: a.createdDate,
    modifiedDate: a.modifiedDate,
    deletedDate: a.deletedDate,
  };
}

export function instrumentView(i: InstrumentRecord) {
  return {
    id: i.id,
    isincode: i.isincode,
    name: i.name,
    currency: i.currency,
    closePrice: num(i.closePrice),
    priceDate: i.priceDate,
    kiid: [{ url: `https://sandbox.fondo.local/kiid/${i.isincode}.pdf`, language: 'sv' }],
    decimalsUnits: num(String(i.decimalsUnits)),
    minInvestmentAmountSEK: num(i.minInvestmentAmountSEK),
    minInitialAmountSek: num(i.minInitialAmountSek),
    minSubsequentAmountSek: num(i.minSubsequentAmountSek),
    isComplex: i.isComplex,
    isBuyable: i.isBuyable,
    isSellable: i.isSellable,
    isTradable: i.isTradable,
    cost: {},
    rebate: num(i.rebate),
  };
}

export function allocationPlanView(p: AllocationPlanRecord) {
  return {
    id: p.id,
    account: p.account,
    bankAccount: p.bankAccount,
    instruments: p.instruments.map((i) => ({ instrument: i.instrument, allocation: num(i.allocation) })),
  };
}

export function paymentInstructionView(p: PaymentInstructionRecord, store: SandboxStore) {
  return {
    id: p.id,
    type: p.type,
    instructions: p.paymentIds.map((id) => {
      const pay = store.payments.get(id)!;
      return { amount: num(pay.amount), account: pay.account, clientRef: pay.clientRef };
    }),
    bankTransferRef: null,
    status: p.status,
  };
}

export function paymentView(p: PaymentRecord) {
  return {
    id: p.id,
    sortedId: p.sortedId,
    account: p.account,
    amount: num(p.amount),
    clientRef: p.clientRef,
    status: p.status,
    reason: p.reason,
    reasonCode: p.reasonCode,
    debitDate: p.debitDate,
  };
}

export function orderView(o: OrderRecord) {
  return {
    id: o.id,
    status: o.status,
    sortedId: o.sortedId,
    orderType: o.orderType,
    account: o.account,
    clientRef: o.clientRef,
    ...(o.executorRef ? { executorRef: o.executorRef } : {}),
    instrument: o.instrument,
    units: o.units === null ? null : num(o.units),
    amount: o.amount === null ? null : num(o.amount),
    createdDate: o.createdDate,
    modifiedDate: o.modifiedDate,
    canceledDate: o.canceledDate,
    price: o.price === null ? null : num(o.price),
    tradeDate: o.tradeDate,
    settlementDate: o.settlementDate,
    reason: o.reason,
  };
}

export function cashTransactionView(t: CashTransactionRecord) {
  return {
    id: t.id,
    sortedId: t.sortedId,
    transactionType: t.transactionType,
    aborted: t.aborted,
    abortedReason: t.abortedReason,
    ref: t.ref,
    refType: t.refType,
    creditAccount: t.creditAccount,
    debitAccount: t.debitAccount,
    amount: num(t.amount),
    currency: t.currency,
    clientRef: t.clientRef,
    instrument: t.instrument,
    createdDate: t.createdDate,
    modifiedDate: t.modifiedDate,
    settlementDate: t.settlementDate,
  };
}

export function fundTransactionView(t: FundTransactionRecord) {
  return {
    id: t.id,
    sortedId: t.sortedId,
    transactionType: t.transactionType,
    aborted: t.aborted,
    abortedReason: t.abortedReason,
    ref: t.ref,
    refType: t.refType,
    account: t.account,
    instrument: t.instrument,
    identifier: t.identifier,
    units: num(t.units),
    price: num(t.price),
    currency: t.currency,
    clientRef: t.clientRef,
    createdDate: t.createdDate,
    modifiedDate: t.modifiedDate,
    settlementDate: t.settlementDate,
    tradeDate: t.tradeDate,
  };
}
