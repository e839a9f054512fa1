/**
 * Fund order activities. Exactly-once rule: every order has a deterministic clientRef, and a retry (after a timeout,
 * a dropped connection or a 5xx) adopts the order already created with it rather than placing a second one. How the
 * existing order is found depends on `assumeUniqueClientRefs` (activities/index.ts, `FONDO_UNIQUE_CLIENT_REFS`):
 * - true (Fondo refuses a second object with a used clientRef: our sandbox's rule): create first; a 409 naming the
 *   existing order is "already placed" and that one order is read by its id. No list is read on the happy path, so
 *   the calls per order do not grow with the partner's volume (issue 14). A 409 naming no order, a create answered
 *   without a body, or a business refusal (which a Fondo checking its rules before the reference could send for an
 *   order it already holds) falls back to the list lookup below before anything is concluded.
 * - false: check before create: look for an order with that reference among the orders modified since `searchFrom`
 *   (the owning workflow's start), adopt it if there, else create; a 409 naming the order is adopted too.
 * Business refusals (insufficient funds, minimum, closed fund, KYC) are returned, not thrown: the workflow decides
 * per leg.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isFondoError, type CashTransaction, type FondoClient, type Order } from '../fondo';
import type { OrderState, PlaceBatchOrderResult, PlaceOrderResult } from '../shared/custodian';
import { FailureType } from '../shared/failure-types';
import { orderRefusalOfFondo, orderStateOfFondo } from '../shared/fondo-custodian';
import { fondoCall, isRefusal, toActivityFailure } from './fondo-failure';

export type { OrderState, PlaceBatchOrderResult, PlaceOrderResult };

export interface PlaceSubscriptionInput {
  clientId: string;
  accountId: string;
  instrument: string;
  amount: string;
  clientRef: string;
  /** ISO instant no later than the owning workflow's start: orders with this reference are newer. */
  searchFrom: string;
}

/** Several subscriptions of one account, placed in one activity (each under its own clientRef). */
export interface PlaceSubscriptionsInput {
  clientId: string;
  accountId: string;
  searchFrom: string;
  orders: { instrument: string; amount: string; clientRef: string }[];
}

export interface PlaceRedemptionInput extends Omit<PlaceSubscriptionInput, 'amount'> {
  units: string;
  decimalsUnits: number;
}

export interface OrderActivityDeps {
  fondo: FondoClient;
  /** Whether Fondo refuses a second order with a used clientRef (see the module comment). */
  assumeUniqueClientRefs: boolean;
}

export function createOrderActivities({ fondo, assumeUniqueClientRefs }: OrderActivityDeps) {
  const signal = () => Context.current().cancellationSignal;

  async function findByRef(clientId: string, clientRef: string, searchFrom: string): Promise<Order | undefined> {
    return fondoCall(async () => {
      for await (const order of fondo.iterateOrders(clientId, { modifiedFrom: searchFrom }, { signal: signal() })) {
        if (order.clientRef === clientRef) return order;
      }
      return undefined;
    });
  }

  async function place(
    input: PlaceSubscriptionInput | PlaceRedemptionInput,
    create: () => Promise<Order | undefined>
  ): Promise<PlaceOrderResult> {
    const adopt = (order: Order): PlaceOrderResult => ({ outcome: 'placed', adopted: true, order: stateOf(order) });
    const lookUp = () => findByRef(input.clientId, input.clientRef, input.searchFrom);
    if (!assumeUniqueClientRefs) {
      const existing = await lookUp();
      if (existing) return adopt(existing);
    }
    let created: Order | undefined;
    try {
      created = await create();
    } catch (err) {
      if (isFondoError(err) && err.kind === 'conflict' && err.conflict?.existingId) {
        const id = err.conflict.existingId;
        return adopt(await fondoCall(() => fondo.getOrder(input.clientId, id, { signal: signal() })));
      }
      if (isFondoError(err) && err.kind === 'conflict' && assumeUniqueClientRefs) {
        const existing = await lookUp();
        if (existing) return adopt(existing);
        throw ApplicationFailure.nonRetryable(
          `order ${input.clientRef}: Fondo reports the reference as used but names no order and none is found`,
          FailureType.ReferenceUnresolved
        );
      }
      if (isRefusal(err)) {
        if (assumeUniqueClientRefs) {
          // Not looked up before the create: make sure the refusal is not about an order already placed.
          const existing = await lookUp();
          if (existing) return adopt(existing);
        }
        const providerCode = err.fondoError ?? err.kind;
        return {
          outcome: 'refused',
          reason: orderRefusalOfFondo(providerCode),
          providerCode,
          description: err.description ?? err.message,
        };
      }
      throw toActivityFailure(err);
    }
    if (created) return { outcome: 'placed', adopted: false, order: stateOf(created) };
    // Created without a response body: find it by its reference.
    const found = await lookUp();
    if (found) return { outcome: 'placed', adopted: false, order: stateOf(found) };
    throw ApplicationFailure.nonRetryable(
      `order ${input.clientRef} was accepted but cannot be found by its reference`,
      FailureType.ReferenceUnresolved
    );
  }

  const isSettlementCash = (t: CashTransaction) =>
    t.transactionType === 'subscription' || t.transactionType === 'redemption';

  /** The cash each settled order moved, by order id (absent when Fondo shows no such transaction). */
  async function settlementCash(clientId: string, settled: Order[]): Promise<Map<string, string>> {
    const cash = new Map<string, string>();
    const accounts = new Set(settled.map((o) => o.account));
    const created = settled.flatMap((o) => (o.createdDate ? [o.createdDate] : []));
    if (settled.length > 1 && accounts.size === 1 && created.length === settled.length) {
      const ids = new Set(settled.map((o) => o.id));
      const from = created.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
      await fondoCall(async () => {
        const txs = fondo.iterateAccountCashTransactions(
          clientId,
          [...accounts][0]!,
          { modifiedFrom: from },
          { signal: signal() }
        );
        for await (const t of txs)
          if (t.ref && ids.has(t.ref) && (t.refType ?? 'order') === 'order' && isSettlementCash(t) && !cash.has(t.ref))
            cash.set(t.ref, t.amount);
      });
    }
    for (const o of settled) {
      if (cash.has(o.id)) continue;
      const txs = await fondoCall(() =>
        fondo.listCashTransactions(clientId, { ref: o.id, reftype: 'order' }, { signal: signal() })
      );
      const tx = txs.find(isSettlementCash);
      if (tx) cash.set(o.id, tx.amount);
    }
    return cash;
  }

  function subscribe(input: PlaceSubscriptionInput): Promise<PlaceOrderResult> {
    const request = {
      orderType: 'subscription' as const,
      account: input.accountId,
      instrument: input.instrument,
      amount: input.amount,
      clientRef: input.clientRef,
    };
    return place(input, () => fondo.createOrder(input.clientId, request, { signal: signal() }));
  }

  return {
    /** Places (or adopts) one subscription order. */
    placeSubscription: subscribe,

    /**
     * Places (or adopts) a split's subscriptions in one activity (one billable action instead of one per fund,
     * issue 14), one after the other. Exactly-once as for one order: a retry of the batch adopts every order an
     * earlier attempt placed (by its clientRef), and places the rest. A transient failure of any order fails the
     * attempt (Temporal retries the batch); a refusal or a non-retryable failure is that order's result alone.
     * Between orders the activity heartbeats (so a cancellation reaches it) and stops if it was cancelled: no order
     * is created after the workflow stopped waiting for them.
     */
    async placeSubscriptions(input: PlaceSubscriptionsInput): Promise<PlaceBatchOrderResult[]> {
      const results: PlaceBatchOrderResult[] = [];
      for (const order of input.orders) {
        const { clientId, accountId, searchFrom } = input;
        Context.current().heartbeat(results.length);
        if (signal().aborted) throw signal().reason;
        try {
          results.push(await subscribe({ clientId, accountId, searchFrom, ...order }));
        } catch (err) {
          if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
          results.push({ outcome: 'failed', message: err.message });
        }
      }
      return results;
    },

    /** Places (or adopts) one redemption order (units within the fund's unit decimals). */
    async placeRedemption(input: PlaceRedemptionInput): Promise<PlaceOrderResult> {
      const request = {
        orderType: 'redemption' as const,
        account: input.accountId,
        instrument: input.instrument,
        units: input.units,
        clientRef: input.clientRef,
      };
      return place(input, () =>
        fondo.createOrder(input.clientId, request, { signal: signal(), decimalsUnits: input.decimalsUnits })
      );
    },

    /**
     * Current state of orders (the polling fallback when no event arrives); settled ones with the cash Fondo moved
     * (the order's subscription or redemption cash transaction). One settled order: its transaction by reference.
     * Several settled orders of one account: that account's cash transactions since the earliest of them was created,
     * read once and matched by order id (calls flat in the partner's volume); any not found there are read by
     * reference as before.
     */
    async getOrderStates(input: { clientId: string; orderIds: string[] }): Promise<OrderState[]> {
      const orders: Order[] = [];
      for (const id of input.orderIds)
        orders.push(await fondoCall(() => fondo.getOrder(input.clientId, id, { signal: signal() })));
      const states = orders.map(stateOf);
      const settled = orders.filter((_order, i) => states[i]!.status === 'settled');
      const cash = await settlementCash(input.clientId, settled);
      for (const state of states) if (state.status === 'settled') state.settledAmount = cash.get(state.orderId) ?? null;
      return states;
    },
  };
}

export function stateOf(order: Order): OrderState {
  return {
    orderId: order.id,
    clientRef: order.clientRef ?? '',
    instrument: order.instrument,
    status: orderStateOfFondo(order.status),
    amount: order.amount ?? null,
    units: order.units ?? null,
    price: order.price ?? null,
    reason: order.reason ?? null,
    settledAmount: null,
  };
}
