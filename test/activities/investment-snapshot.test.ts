import { createActivities } from '../../activities';
import type { FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { countRequests, runActivity, sandboxFondoClient } from '../helpers/activity-env';
import { CLIENT_1, createTestAccount, FUND, n, type SandboxApi, startTestSandbox } from '../helpers/sandbox';

// Issue 14: the order-list walk (pending subscriptions reserve cash) was the one read per cycle that grew with the
// partner's volume — 14.3 calls per cycle at 1 000 plans. A cycle does not spend the account's cash (it spends its
// own pool), so its snapshot no longer reads it; a rebalance run's does (pendingSince).
const ORDER_LIST = 'GET /v2/partner/client/:client_id/order';

describe('investmentSnapshot: the cash reserved by pending subscriptions, only when asked', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  let fondo: FondoClient;
  beforeAll(async () => {
    ({ sandbox, api } = await startTestSandbox());
    fondo = sandboxFondoClient(sandbox);
  });
  afterAll(() => sandbox?.close());
  afterEach(() => api.control('DELETE', '/faults'));

  it('with pendingSince: balance − pending subscriptions, one list read; without: no list read, cash not claimed', async () => {
    const { accountId } = await createTestAccount(api, 8001, {
      balance: '1000.00',
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const order = await api.post(`/v2/partner/client/${CLIENT_1}/order`, {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.kustlinje,
      amount: n('300.00'),
      clientRef: 'snap-1:2031-03:SE0007120068SEK',
    });
    expect(order.status).toBe(201);
    const lists = await countRequests(api, ORDER_LIST);
    const activities = createActivities({ fondo, assumeUniqueClientRefs: true });
    const input = { clientId: CLIENT_1, accountId, allocation: { source: 'fondo' as const }, extraFunds: [] };

    const withCash = await runActivity(activities.investmentSnapshot, {
      ...input,
      pendingSince: new Date(sandbox.engine.clock.now() - 86_400_000).toISOString(),
    });
    expect(withCash.cash).toEqual({ balance: '1000.00', pendingSubscriptions: '300.00', available: '700.00' });
    expect(await lists()).toBe(1);

    const withoutCash = await runActivity(activities.investmentSnapshot, input);
    expect(withoutCash.cash).toEqual({ balance: '1000.00', pendingSubscriptions: null, available: null });
    expect(await lists()).toBe(1); // no second walk
    expect(withoutCash.weights).toEqual(withCash.weights);
    expect(withoutCash.rules).toEqual(withCash.rules);
  });
});
