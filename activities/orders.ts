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
import { isFondoError, type FondoClient, type Order } from '../fondo';
import type { OrderState, PlaceOrderResult } from '../shared/custodian';
import { FailureType } from '../shared/failure-types';
import { orderRefusalOfFondo, orderStateOfFondo } from '../shared/fondo-custodian';
import { fondoCall, isRefusal, toActivityFailure } from './fondo-failure';

export type { OrderState, PlaceOrderResult };

export interface PlaceSubscriptionInput {
  clientId: string;
  accountId: string;
  instrument: string;
  amount: string;
  clientRef: string;
  /** ISO instant no later than the owning workflow's start: orders with this reference are newer. */
  searchFrom: string;
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

  return {
    /** Places (or adopts) one subscription order. */
    async placeSubscription(input: PlaceSubscriptionInput): Promise<PlaceOrderResult> {
      const request = {
        orderType: 'subscription' as const,
        account: input.accountId,
        instrument: input.instrument,
        amount: input.amount,
        clientRef: input.clientRef,
      };
      return place(input, () => fondo.createOrder(input.clientId, request, { signal: signal() }));
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

    /** Current state of orders (the polling fallback when no event arrives); settled ones with their cash. */
    async getOrderStates(input: { clientId: string; orderIds: string[] }): Promise<OrderState[]> {
      const states: OrderState[] = [];
      for (const id of input.orderIds) {
        const state = stateOf(await fondoCall(() => fondo.getOrder(input.clientId, id, { signal: signal() })));
        if (state.status === 'settled') {
          const txs = await fondoCall(() =>
            fondo.listCashTransactions(input.clientId, { ref: id, reftype: 'order' }, { signal: signal() })
          );
          const tx = txs.find((t) => t.transactionType === 'subscription' || t.transactionType === 'redemption');
          state.settledAmount = tx?.amount ?? null;
        }
        states.push(state);
      }
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
