/**
 * The ledger dump and the sandbox's own invariants, checked from the records alone:
 * 1. cash per account: balance = opening + deposits − subscription debits + redemption proceeds − withdrawals;
 * 2. reserved cash = Σ amounts of subscriptions not yet settled or canceled; balance ≥ 0; balance − reserved ≥ 0;
 * 3. units per account and fund: units = opening + Σ traded subscription units − Σ traded redemption units, and
 *    unitsSettled the same over settled orders (= fund transactions); reserved units = Σ untraded redemptions;
 *    0 ≤ reserved units ≤ units;
 * 4. a subscription never settles for more than its amount;
 * 5. each clientRef is held by at most one payment and one order per client.
 */
import { dec, sum } from '../shared/money';
import type { SandboxStore } from './state';
import { accountView } from './views';

const TRADED = new Set(['confirmed', 'settled']);
const UNTRADED = new Set(['received', 'hold', 'sent']);

export function ledgerDump(store: SandboxStore) {
  return {
    accounts: [...store.accounts.values()].map((a) => ({
      id: a.id,
      clientId: a.clientId,
      status: a.status,
      cash: {
        balance: a.balance,
        reserved: a.reserved,
        available: dec(a.balance).minus(a.reserved).toFixed(2),
        deposited: a.deposited,
        withdrawn: a.withdrawn,
      },
      positions: a.positions.map((p) => ({
        instrument: p.instrument,
        units: p.units,
        unitsSettled: p.unitsSettled,
        reservedUnits: p.reservedUnits,
      })),
      value: accountView(a, store)
        .positions.reduce((acc, p) => acc.plus(p.value.value), dec('0'))
        .toFixed(2),
    })),
    payments: [...store.payments.values()],
    orders: [...store.orders.values()],
    cashTransactions: [...store.cashTransactions.values()],
    fundTransactions: [...store.fundTransactions.values()],
  };
}

export function checkInvariants(store: SandboxStore): string[] {
  const violations: string[] = [];
  const orders = [...store.orders.values()];
  const cashTxs = [...store.cashTransactions.values()];
  const fundTxs = [...store.fundTransactions.values()];

  for (const a of store.accounts.values()) {
    const cashOf = (type: string) =>
      sum(cashTxs.filter((t) => t.account === a.id && t.transactionType === type).map((t) => t.amount));
    const expectedBalance = dec(a.openingBalance)
      .plus(cashOf('deposit'))
      .minus(cashOf('subscription'))
      .plus(cashOf('redemption'))
      .minus(cashOf('withdrawal'));
    if (!expectedBalance.equals(a.balance)) {
      violations.push(`account ${a.id}: balance ${a.balance} but transactions give ${expectedBalance.toFixed(2)}`);
    }
    const expectedReserved = sum(
      orders
        .filter(
          (o) =>
            o.account === a.id && o.orderType === 'subscription' && (UNTRADED.has(o.status) || o.status === 'confirmed')
        )
        .map((o) => o.amount!)
    );
    if (!expectedReserved.equals(a.reserved))
      violations.push(
        `account ${a.id}: reserved ${a.reserved} but open subscriptions total ${expectedReserved.toFixed(2)}`
      );
    if (dec(a.balance).isNegative()) violations.push(`account ${a.id}: negative balance ${a.balance}`);
    if (dec(a.balance).lessThan(a.reserved))
      violations.push(`account ${a.id}: reserved ${a.reserved} exceeds balance ${a.balance}`);

    const instruments = new Set([...a.positions.map((p) => p.instrument), ...Object.keys(a.openingUnits)]);
    for (const instrument of instruments) {
      const position = a.positions.find((p) => p.instrument === instrument);
      const opening = dec(a.openingUnits[instrument] ?? '0');
      const mine = orders.filter((o) => o.account === a.id && o.instrument === instrument);
      const traded = (type: string) =>
        sum(mine.filter((o) => o.orderType === type && TRADED.has(o.status)).map((o) => o.units!));
      const settled = (type: string) =>
        sum(
          fundTxs
            .filter((t) => t.account === a.id && t.instrument === instrument && t.transactionType === type)
            .map((t) => t.units)
        );
      const units = dec(position?.units ?? '0');
      const unitsSettled = dec(position?.unitsSettled ?? '0');
      const reservedUnits = dec(position?.reservedUnits ?? '0');
      const expectedUnits = opening.plus(traded('subscription')).minus(traded('redemption'));
      const expectedSettled = opening.plus(settled('subscription')).minus(settled('redemption'));
      const expectedReservedUnits = sum(
        mine.filter((o) => o.orderType === 'redemption' && UNTRADED.has(o.status)).map((o) => o.units!)
      );
      if (!expectedUnits.equals(units))
        violations.push(
          `account ${a.id} ${instrument}: units ${units.toFixed()} but orders give ${expectedUnits.toFixed()}`
        );
      if (!expectedSettled.equals(unitsSettled)) {
        violations.push(
          `account ${a.id} ${instrument}: settled units ${unitsSettled.toFixed()} but fund transactions give ${expectedSettled.toFixed()}`
        );
      }
      if (!expectedReservedUnits.equals(reservedUnits))
        violations.push(
          `account ${a.id} ${instrument}: reserved units ${reservedUnits.toFixed()} but open redemptions total ${expectedReservedUnits.toFixed()}`
        );
      if (units.isNegative() || reservedUnits.isNegative() || reservedUnits.greaterThan(units)) {
        violations.push(
          `account ${a.id} ${instrument}: units ${units.toFixed()} / reserved ${reservedUnits.toFixed()} out of range`
        );
      }
    }
  }

  for (const o of orders) {
    if (o.orderType === 'subscription' && o.settledAmount !== null && dec(o.settledAmount).greaterThan(o.amount!)) {
      violations.push(`order ${o.id}: settled ${o.settledAmount} exceeds amount ${o.amount}`);
    }
  }
  const seen = new Map<string, number>();
  for (const o of orders)
    if (o.clientRef)
      seen.set(`order|${o.clientId}|${o.clientRef}`, (seen.get(`order|${o.clientId}|${o.clientRef}`) ?? 0) + 1);
  for (const p of store.payments.values())
    seen.set(`payment|${p.clientId}|${p.clientRef}`, (seen.get(`payment|${p.clientId}|${p.clientRef}`) ?? 0) + 1);
  for (const [key, count] of seen) if (count > 1) violations.push(`clientRef used ${count} times: ${key}`);
  return violations;
}
