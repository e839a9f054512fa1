import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import type { FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { FailureType } from '../../shared/failure-types';
import { dec } from '../../shared/money';
import { failureOf, countRequests as countRequestsOf, runActivity, sandboxFondoClient } from '../helpers/activity-env';
import { CLIENT_1, createTestAccount, FUND, type SandboxApi, startTestSandbox } from '../helpers/sandbox';

// Issue 14: where Fondo refuses a duplicate clientRef (assumeUniqueClientRefs), an order is created first and a
// duplicate-reference refusal (409 naming the order) means "already placed": the order is read by its id. No page
// walk of the partner's order list on the way — and still exactly one order per reference.
const ORDER_LIST = 'GET /v2/partner/client/:client_id/order';
const ORDER_CREATE = 'POST /v2/partner/client/:client_id/order';
const ORDER_READ = 'GET /v2/partner/client/:client_id/order/:order_id';

describe('placing an order: create first where clientRefs are unique', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  let fondo: FondoClient;
  let account = 1;
  beforeAll(async () => {
    ({ sandbox, api } = await startTestSandbox());
    fondo = sandboxFondoClient(sandbox);
  });
  afterAll(() => sandbox?.close());
  afterEach(async () => {
    await api.control('DELETE', '/faults');
    expect(sandbox.engine.checkInvariants()).toEqual([]);
  });

  const activities = (assumeUniqueClientRefs: boolean) => createActivities({ fondo, assumeUniqueClientRefs });
  const run = runActivity;
  const ordersWithRef = (clientRef: string) =>
    [...sandbox.engine.store.orders.values()].filter((o) => o.clientRef === clientRef);

  /** Counts requests to a route without changing them (a latency fault of 0 ms counts its hits). */
  const countRequests = (route: string) => countRequestsOf(api, route);

  async function subscription(ref: string) {
    const { accountId } = await createTestAccount(api, 5000 + account++, {
      balance: '1000.00',
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    return {
      clientId: CLIENT_1,
      accountId,
      instrument: FUND.kustlinje,
      amount: '300.00',
      clientRef: `${ref}:2031-03:${FUND.kustlinje}`,
      searchFrom: new Date(sandbox.engine.clock.now() - 86_400_000).toISOString(),
    };
  }

  it('duplicate create after a lost response adopts the existing order: no second order, no list read', async () => {
    const input = await subscription('cf-lost');
    const lists = await countRequests(ORDER_LIST);
    const creates = await countRequests(ORDER_CREATE);
    const reads = await countRequests(ORDER_READ);
    await api.control('POST', '/faults', { route: ORDER_CREATE, kind: 'drop-after-commit', count: 1 });

    const err = await failureOf(run(activities(true).placeSubscription, input));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err?.type).toBe(FailureType.FondoUnavailable);
    expect(err?.nonRetryable).toBe(false); // Temporal retries it
    expect(ordersWithRef(input.clientRef)).toHaveLength(1); // Fondo committed it before the response was lost

    const retried = await run(activities(true).placeSubscription, input); // Temporal's retry
    const [order] = ordersWithRef(input.clientRef);
    expect(retried).toMatchObject({
      outcome: 'placed',
      adopted: true,
      order: { orderId: order!.id, clientRef: input.clientRef, status: 'working' },
    });
    expect(retried.outcome === 'placed' && dec(retried.order.amount ?? '0').equals('300.00')).toBe(true);
    expect(ordersWithRef(input.clientRef)).toHaveLength(1);
    expect(order!.amount).toBe('300.00');
    expect({ lists: await lists(), creates: await creates(), reads: await reads() }).toEqual({
      lists: 0,
      creates: 2,
      reads: 1,
    });
  });

  it('a first placement is one create call; placing the same reference again adopts it with one read', async () => {
    const input = await subscription('cf-again');
    const lists = await countRequests(ORDER_LIST);
    const creates = await countRequests(ORDER_CREATE);
    const reads = await countRequests(ORDER_READ);
    const placed = await run(activities(true).placeSubscription, input);
    expect(placed).toMatchObject({ outcome: 'placed', adopted: false });
    expect({ lists: await lists(), creates: await creates(), reads: await reads() }).toEqual({
      lists: 0,
      creates: 1,
      reads: 0,
    });
    const again = await run(activities(true).placeSubscription, input);
    expect(again).toMatchObject({ outcome: 'placed', adopted: true });
    expect(again.outcome === 'placed' && placed.outcome === 'placed' && again.order.orderId).toBe(
      placed.outcome === 'placed' && placed.order.orderId
    );
    expect(ordersWithRef(input.clientRef)).toHaveLength(1);
    expect({ lists: await lists(), creates: await creates(), reads: await reads() }).toEqual({
      lists: 0,
      creates: 2,
      reads: 1,
    });
  });

  it('where clientRefs may not be unique: checked against the order list first, the retry adopts the order there', async () => {
    const input = await subscription('cf-nonunique');
    const lists = await countRequests(ORDER_LIST);
    const creates = await countRequests(ORDER_CREATE);
    await api.control('POST', '/faults', { route: ORDER_CREATE, kind: 'drop-after-commit', count: 1 });
    const err = await failureOf(run(activities(false).placeSubscription, input));
    expect(err?.type).toBe(FailureType.FondoUnavailable);
    const retried = await run(activities(false).placeSubscription, input);
    expect(retried).toMatchObject({ outcome: 'placed', adopted: true });
    expect(ordersWithRef(input.clientRef)).toHaveLength(1);
    expect(await creates()).toBe(1); // the retry found it in the list and did not post again
    expect(await lists()).toBeGreaterThanOrEqual(2);
  });

  it('settled orders of one account: their cash read once from the account, exactly what the references give', async () => {
    const base = await subscription('cf-cash');
    const funds = [FUND.kustlinje, FUND.nordkap];
    const placed = [];
    for (const instrument of funds) {
      const r = await run(activities(true).placeSubscription, {
        ...base,
        instrument,
        clientRef: `cf-cash:2031-03:${instrument}`,
      });
      if (r.outcome !== 'placed') throw new Error(`not placed: ${r.reason}`);
      placed.push(r.order.orderId);
    }
    for (let i = 0; i < 10 && placed.some((id) => sandbox.engine.store.orders.get(id)?.status !== 'settled'); i++)
      await api.control('POST', '/clock/next');
    expect(placed.map((id) => sandbox.engine.store.orders.get(id)?.status)).toEqual(['settled', 'settled']);

    const byRef = await countRequests('GET /v2/partner/client/:client_id/transaction/cash');
    const byAccount = await countRequests('GET /v2/partner/client/:client_id/account/:account_id/transaction/cash');
    const states = await run(activities(true).getOrderStates, { clientId: CLIENT_1, orderIds: placed });
    expect({ byRef: await byRef(), byAccount: await byAccount() }).toEqual({ byRef: 0, byAccount: 1 });
    // The same amounts as the per-order lookup by reference (the one-order path).
    for (const [i, id] of placed.entries()) {
      const [one] = await run(activities(true).getOrderStates, { clientId: CLIENT_1, orderIds: [id] });
      expect(one!.settledAmount).not.toBeNull();
      expect(states[i]).toEqual(one);
    }
    expect(await byRef()).toBe(2);
  });

  it('a business refusal is still returned in neutral words (and nothing is placed)', async () => {
    const input = await subscription('cf-refused');
    const closed = await run(activities(true).placeSubscription, {
      ...input,
      instrument: FUND.lodjur,
      clientRef: `cf-refused:2031-03:${FUND.lodjur}`,
    });
    expect(closed).toMatchObject({
      outcome: 'refused',
      reason: 'not-tradable',
      providerCode: 'instrument_not_tradable',
    });
    expect(ordersWithRef(`cf-refused:2031-03:${FUND.lodjur}`)).toHaveLength(0);
  });
});
