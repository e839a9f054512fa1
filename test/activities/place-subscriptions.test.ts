import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import type { FondoClient } from '../../fondo';
import { createFondoError } from '../../fondo/errors';
import type { Sandbox } from '../../sandbox/server';
import { FailureType } from '../../shared/failure-types';
import { failureOf, countRequests as countRequestsOf, runActivity, sandboxFondoClient } from '../helpers/activity-env';
import { CLIENT_1, createTestAccount, FUND, type SandboxApi, startTestSandbox } from '../helpers/sandbox';

// Issue 14: a cycle's split places its buys in one activity (placeSubscriptions) instead of one per fund. Each order
// is still exactly once (its own clientRef): a retry of the batch adopts what an earlier attempt placed. A refusal or
// a non-retryable failure is the result of that order alone; a transient failure retries the batch.
const ORDER_CREATE = 'POST /v2/partner/client/:client_id/order';
const ORDER_LIST = 'GET /v2/partner/client/:client_id/order';

describe('placeSubscriptions: a split in one activity', () => {
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
    jest.restoreAllMocks();
    await api.control('DELETE', '/faults');
    expect(sandbox.engine.checkInvariants()).toEqual([]);
  });

  const activities = () => createActivities({ fondo, assumeUniqueClientRefs: true });
  const ordersWithPrefix = (prefix: string) =>
    [...sandbox.engine.store.orders.values()].filter((o) => o.clientRef?.startsWith(prefix));

  const countRequests = (route: string) => countRequestsOf(api, route);

  async function batch(ref: string, funds: string[]) {
    const { accountId } = await createTestAccount(api, 6000 + account++, { balance: '3000.00' });
    return {
      clientId: CLIENT_1,
      accountId,
      searchFrom: new Date(sandbox.engine.clock.now() - 86_400_000).toISOString(),
      orders: funds.map((instrument, i) => ({
        instrument,
        amount: `${(i + 1) * 100}.00`,
        clientRef: `${ref}:2031-03:${instrument}`,
      })),
    };
  }

  it('three funds: three orders, results in order, one create each and no list read', async () => {
    const input = await batch('ps-happy', [FUND.fjallsjo, FUND.norrsken, FUND.kustlinje]);
    const creates = await countRequests(ORDER_CREATE);
    const lists = await countRequests(ORDER_LIST);
    const results = await runActivity(activities().placeSubscriptions, input);
    expect(results.map((r) => r.outcome)).toEqual(['placed', 'placed', 'placed']);
    expect(results.map((r) => (r.outcome === 'placed' ? r.order.clientRef : ''))).toEqual(
      input.orders.map((o) => o.clientRef)
    );
    expect(ordersWithPrefix('ps-happy:').map((o) => [o.clientRef, o.amount])).toEqual(
      input.orders.map((o) => [o.clientRef, o.amount])
    );
    expect({ creates: await creates(), lists: await lists() }).toEqual({ creates: 3, lists: 0 });
  });

  it('the response of the second create is lost: the attempt fails retryably; the retry adopts two and places the third, one order per reference', async () => {
    const input = await batch('ps-lost', [FUND.fjallsjo, FUND.norrsken, FUND.kustlinje]);
    const create = fondo.createOrder.bind(fondo);
    let lost = 0;
    jest.spyOn(fondo, 'createOrder').mockImplementation(async (clientId, request, options) => {
      const order = await create(clientId, request, options);
      // Fondo commits the second order, and its answer is lost on the way (once).
      if (request.instrument !== FUND.norrsken || lost++ > 0) return order;
      throw createFondoError({ method: 'POST', path: '/v2/partner/client/x/order' }, { status: 503 });
    });
    // Attempt 1: order 1 placed, order 2 committed but unanswered → the attempt fails, retryably.
    const err = await failureOf(runActivity(activities().placeSubscriptions, input));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect([err?.type, err?.nonRetryable]).toEqual([FailureType.FondoUnavailable, false]);
    expect(ordersWithPrefix('ps-lost:')).toHaveLength(2);
    // Temporal's retry: orders 1 and 2 adopted by their references, order 3 placed.
    const results = await runActivity(activities().placeSubscriptions, input);
    expect(results.map((r) => r.outcome === 'placed' && r.adopted)).toEqual([true, true, false]);
    for (const o of input.orders) expect(ordersWithPrefix(o.clientRef)).toHaveLength(1);
  });

  it('a closed fund is refused and a non-retryable failure fails its order only: the other funds are placed', async () => {
    const input = await batch('ps-mixed', [FUND.fjallsjo, FUND.lodjur, FUND.norrsken, FUND.kustlinje]);
    const create = fondo.createOrder.bind(fondo);
    jest
      .spyOn(fondo, 'createOrder')
      .mockImplementation((clientId, request, options) =>
        request.instrument === FUND.norrsken
          ? Promise.reject(createFondoError({ method: 'POST', path: '/v2/partner/client/x/order' }, { status: 404 }))
          : create(clientId, request, options)
      );
    const results = await runActivity(activities().placeSubscriptions, input);
    expect(results.map((r) => r.outcome)).toEqual(['placed', 'refused', 'failed', 'placed']);
    expect(results[1]).toMatchObject({ reason: 'not-tradable' });
    expect(results[2]).toMatchObject({ message: expect.any(String) });
    expect(ordersWithPrefix('ps-mixed:').map((o) => o.instrument)).toEqual([FUND.fjallsjo, FUND.kustlinje]);
  });
});
