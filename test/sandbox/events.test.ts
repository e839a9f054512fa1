import { createHmac } from 'node:crypto';
import { parse } from 'lossless-json';
import WebSocket from 'ws';
import type { Sandbox } from '../../sandbox/server';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server';
import { CLIENT_1, createTestAccount, FUND, n, startTestSandbox, type SandboxApi } from '../helpers/sandbox';

interface Received {
  eventType: string;
  current?: Record<string, unknown>;
  previous?: Record<string, unknown>;
}

describe('sandbox events', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  beforeEach(
    async () => ({ sandbox, api } = await startTestSandbox({ webhookRetry: { maxAttempts: 3, initialDelayMs: 50 } }))
  );
  afterEach(() => sandbox.close());

  async function connect(token: string): Promise<{ ws: WebSocket; messages: Received[] }> {
    const ws = new WebSocket(`${sandbox.url.replace('http', 'ws')}/v2/partner/client/${CLIENT_1}/subscribe`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const messages: Received[] = [];
    ws.on('message', (data: Buffer) => messages.push(parse(data.toString('utf8'), undefined, (t) => t) as Received));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, messages };
  }
  const until = async (check: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('streams heartbeats and order/transaction events with current and previous over WebSocket', async () => {
    const token = await api.authenticate();
    const { ws, messages } = await connect(token);
    await until(() => messages.some((m) => m.eventType === 'heartbeat'));
    const { accountId } = await createTestAccount(api, 1, { balance: '100.00' });
    const order = await api.post(`/v2/partner/client/${CLIENT_1}/order`, {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.nordkap,
      amount: n('50.00'),
      clientRef: 'ws-1',
    });
    await api.control('POST', '/clock', { advance: 'P3D' });
    await until(() => messages.filter((m) => m.eventType === 'account.update').length === 2); // confirmation, settlement
    const events = messages.filter((m) => m.eventType !== 'heartbeat');
    expect(
      events.map((m) => `${m.eventType}${m.current && 'status' in m.current ? `:${String(m.current.status)}` : ''}`)
    ).toEqual([
      'order.create:received',
      'order.update:sent',
      'order.update:confirmed',
      'account.update:active',
      'order.update:settled',
      'fundTransaction.create',
      'cashTransaction.create',
      'account.update:active',
    ]);
    const settled = events.find((e) => e.eventType === 'order.update' && e.current?.status === 'settled')!;
    expect(settled.current).toMatchObject({
      id: order.body.id,
      status: 'settled',
      clientRef: 'ws-1',
      amount: '50.00',
      units: '0.5',
    });
    expect(settled.previous).toMatchObject({ status: 'confirmed' });
    ws.close();
  });

  it('refuses the upgrade without a valid token and drops connections on request', async () => {
    await expect(connect('not-a-token')).rejects.toThrow('401');
    const { ws } = await connect(await api.authenticate());
    const closed = new Promise((resolve) => ws.once('close', resolve));
    expect((await api.control('POST', '/ws/drop')).body).toEqual({ dropped: '1' });
    await closed;
  });

  describe('webhooks', () => {
    let receiver: TestHttpServer;
    const deliveries: { signature: string | undefined; delivery: string | undefined; body: string }[] = [];
    let failNext = 0;
    beforeEach(async () => {
      deliveries.length = 0;
      receiver = await startHttpServer((req, res, body) => {
        deliveries.push({
          signature: req.headers['x-fondo-sandbox-signature'] as string | undefined,
          delivery: req.headers['x-fondo-sandbox-delivery'] as string | undefined,
          body,
        });
        res.statusCode = failNext-- > 0 ? 500 : 200;
        res.end();
      });
    });
    afterEach(() => receiver.close());

    it('POSTs every event signed with HMAC-SHA256 over the raw body, retrying failures with the same delivery id', async () => {
      const secret = 'webhook-secret-1';
      await api.control('POST', '/webhooks', { url: `${receiver.url}/fondo`, secret, clientId: CLIENT_1 });
      failNext = 2;
      await api.control('PATCH', `/accounts/a0000000-0000-4000-8000-000000000001`, { kyc: { order: false } });
      await sandbox.webhooks.idle();
      expect(deliveries).toHaveLength(3); // two 500s, then delivered
      const [first, , last] = deliveries;
      expect(first!.delivery).toBe(last!.delivery);
      expect(last!.signature).toBe(`sha256=${createHmac('sha256', secret).update(last!.body).digest('hex')}`);
      expect(JSON.parse(last!.body)).toMatchObject({
        eventType: 'account.update',
        current: { id: 'a0000000-0000-4000-8000-000000000001' },
      });
      const [registration] = (await api.control('GET', '/webhooks')).body;
      expect(registration).toMatchObject({ delivered: '1', failedAttempts: '2', dropped: '0', secret: '[hidden]' });
    });

    it('gives up after the last attempt and counts the delivery as dropped', async () => {
      await api.control('POST', '/webhooks', { url: `${receiver.url}/fondo`, secret: 'webhook-secret-2' });
      failNext = 10;
      await api.control('PATCH', `/accounts/a0000000-0000-4000-8000-000000000001`, { status: 'active' });
      await sandbox.webhooks.idle();
      expect(deliveries).toHaveLength(3);
      expect((await api.control('GET', '/webhooks')).body[0]).toMatchObject({ delivered: '0', dropped: '1' });
    });
  });
});
