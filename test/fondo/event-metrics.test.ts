import type { Sandbox } from '../../sandbox/server';
import { clearTokenCache, FondoClient } from '../../fondo';
import { createMetrics, observeFondoEvents } from '../../workers/metrics';
import { CLIENT_1, createTestAccount, FUND, n, startTestSandbox, type SandboxApi } from '../helpers/sandbox';

// The event bridge's stream metrics (workers/metrics.ts) over the real Fondo client and the stateful sandbox.
describe('event stream metrics (Fondo client against the sandbox)', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  beforeEach(async () => {
    ({ sandbox, api } = await startTestSandbox());
    clearTokenCache();
  });
  afterEach(() => sandbox.close());

  const value = async (
    metrics: ReturnType<typeof createMetrics>,
    name: string,
    labels: Record<string, string> = {}
  ) => {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
    const sample = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return Number(sample?.value ?? 0);
  };

  it('tracks the connection, counts events by resource and orders by the status they reach, and measures lag', async () => {
    const metrics = createMetrics('event-bridge');
    const fondo = observeFondoEvents(
      new FondoClient({
        baseUrl: sandbox.url,
        clientId: 'sandbox-partner',
        clientSecret: 'sandbox-secret',
        timeoutMs: 5000,
      }),
      metrics
    );
    expect(fondo.subscribe).not.toBe(FondoClient.prototype.subscribe);
    const abort = new AbortController();
    const kinds: string[] = [];
    let connected = 0;
    const consumed = (async () => {
      for await (const item of fondo.subscribe(CLIENT_1, { signal: abort.signal })) {
        kinds.push(item.kind === 'event' ? item.event.eventType : item.kind);
        if (item.kind === 'connected') connected = await value(metrics, 'savings_event_bridge_connected_subscriptions');
      }
    })();
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(check()).toBe(true);
    };
    await until(() => kinds.includes('connected'));
    expect(connected).toBe(1);

    const { accountId } = await createTestAccount(api, 1, { balance: '100.00' });
    await api.post(`/v2/partner/client/${CLIENT_1}/order`, {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.nordkap,
      amount: n('50.00'),
      clientRef: 'metrics-1',
    });
    await api.control('POST', '/clock', { advance: 'P3D' });
    await until(() => kinds.filter((k) => k === 'order.update').length >= 3); // sent, confirmed, settled

    expect(await value(metrics, 'savings_event_bridge_events_total', { resource: 'order' })).toBeGreaterThanOrEqual(4);
    expect(await value(metrics, 'savings_orders_total', { outcome: 'settled' })).toBe(1);
    expect(await value(metrics, 'savings_event_bridge_last_event_timestamp_seconds')).toBeGreaterThan(0);
    const lag = (await metrics.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'savings_event_bridge_event_lag_seconds'
    );
    const count = lag?.values.find(
      (v) => (v as { metricName?: string }).metricName === 'savings_event_bridge_event_lag_seconds_count'
    );
    expect(count?.value).toBeGreaterThan(0);
    // No id or personal data in any label.
    expect(await metrics.registry.metrics()).not.toMatch(/metrics-1|c0000000|a0000000/);

    abort.abort();
    await consumed;
    expect(await value(metrics, 'savings_event_bridge_connected_subscriptions')).toBe(0);
  });
});
