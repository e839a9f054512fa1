import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SavedState } from '../../sandbox/engine';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { CLIENT_1, createTestAccount, FUND, MONDAY_0900, n, SandboxApi, startTestSandbox } from '../helpers/sandbox';

const ORDER_ROUTE = 'POST /v2/partner/client/:client_id/order';
const ORDERS = `/v2/partner/client/${CLIENT_1}/order`;

describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  beforeEach(async () => ({ sandbox, api } = await startTestSandbox()));
  afterEach(async () => {
    expect(sandbox.engine.checkInvariants()).toEqual([]);
    await sandbox.close();
  });

  const subscribe = (account: string, clientRef: string) =>
    api.post(ORDERS, { orderType: 'subscription', account, instrument: FUND.kustlinje, amount: n('50.00'), clientRef });

  it('429 with Retry-After, 500 and 503 answer instead of the request and change nothing', async () => {
    const { accountId } = await createTestAccount(api, 1, { balance: '500.00' });
    for (const [kind, error] of [
      ['429', 'rate_limited'],
      ['500', 'server_error'],
      ['503', 'service_unavailable'],
    ] as const) {
      await api.control('POST', '/faults', { route: ORDER_ROUTE, kind, count: 1, retryAfterSeconds: 7 });
      const res = await subscribe(accountId, `fault-${kind}`);
      expect(res.status).toBe(Number(kind));
      expect(res.body.error).toBe(error);
      if (kind === '429') expect(res.headers.get('retry-after')).toBe('7');
    }
    expect(sandbox.engine.store.orders.size).toBe(0);
    // Counted rules are used up: the next call goes through.
    expect((await subscribe(accountId, 'fault-after')).status).toBe(201);
  });

  it('drop-after-commit creates the order, then drops the connection without an answer', async () => {
    const { accountId } = await createTestAccount(api, 2, { balance: '500.00' });
    await api.control('POST', '/faults', { route: ORDER_ROUTE, kind: 'drop-after-commit', count: 1 });
    await expect(subscribe(accountId, 'ambiguous-1')).rejects.toThrow('fetch failed');
    const orders = (await api.get(ORDERS)).body as { clientRef: string }[];
    expect(orders.map((o) => o.clientRef)).toEqual(['ambiguous-1']);
    // The retry with the same reference finds it (409 names the order), so the client can adopt it.
    const retry = await subscribe(accountId, 'ambiguous-1');
    expect(retry.status).toBe(409);
    expect(retry.body.existingType).toBe('order');
  });

  it('latency delays the answer; probability 0 never fires; a wildcard matches every Fondo route', async () => {
    await api.control('POST', '/faults', { route: '*', kind: 'latency', latencyMs: 150, count: 1 });
    await api.control('POST', '/faults', { route: '*', kind: '500', probability: 0 });
    const started = Date.now();
    expect((await api.get('/ping')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await api.get('/ping')).status).toBe(200);
    expect((await api.control('GET', '/faults')).body).toHaveLength(1); // the counted latency rule is gone
    await api.control('DELETE', '/faults');
    expect((await api.control('GET', '/faults')).body).toEqual([]);
  });

  it('injects faults with a given probability reproducibly (seeded)', async () => {
    await api.control('POST', '/faults', { route: 'GET /ping', kind: '503', probability: '0.5' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await api.get('/ping')).status);
    const failures = statuses.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });
});

describe('sandbox business clock', () => {
  it('explicit mode: time moves only when told, never backwards, and /clock/next jumps to the next step', async () => {
    const { sandbox, api } = await startTestSandbox();
    try {
      const t0 = (await api.control('GET', '/clock')).body.now;
      expect(t0).toBe('2026-11-23T08:00:00.000Z');
      await new Promise((r) => setTimeout(r, 50));
      expect((await api.control('GET', '/clock')).body.now).toBe(t0);
      const { accountId } = await createTestAccount(api, 3, { balance: '100.00' });
      await api.post(ORDERS, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.kustlinje,
        amount: n('10'),
      });
      const next = await api.control('POST', '/clock/next');
      expect(next.body.now).toBe('2026-11-23T12:00:00.000Z'); // the 13:00 Stockholm cut-off
      const back = await api.control('POST', '/clock', { set: '2026-11-01T00:00:00Z' });
      expect(back.status).toBe(400);
      expect(back.body.error_description).toMatch(/cannot move backwards/);
      expect((await api.control('POST', '/clock', { advance: 'P1DT2H30M' })).body.now).toBe('2026-11-24T14:30:00.000Z');
      expect((await api.control('POST', '/clock', { advance: '1 day' })).status).toBe(400);
    } finally {
      await sandbox.close();
    }
  });

  it('accelerated mode: business time runs at speed × real time and lifecycles follow it', async () => {
    const { sandbox, api } = await startTestSandbox({ clockMode: 'running', speed: 36_000 }); // 10 business hours per real second
    try {
      const { accountId } = await createTestAccount(api, 4, { balance: '100.00' });
      const created = await api.post(ORDERS, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.kustlinje,
        amount: n('10'),
      });
      const started = Date.now();
      let status = 'received';
      while (status !== 'settled' && Date.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await api.get(`${ORDERS}/${created.body.id}`)).body.status;
      }
      expect(status).toBe('settled'); // 2 banking days of business time in a few real seconds
      const now = Date.parse((await api.control('GET', '/clock')).body.now);
      expect(now - MONDAY_0900).toBeGreaterThan(48 * 3600_000);
      expect((await api.control('POST', '/clock', { mode: 'manual' })).body.mode).toBe('manual');
    } finally {
      await sandbox.close();
    }
  }, 30_000); // waits up to 10 s of real time for the lifecycle

  it('follow mode: business time tracks an external source before each request', async () => {
    let external = MONDAY_0900;
    const { sandbox, api } = await startTestSandbox();
    try {
      sandbox.engine.clock.follow(() => Promise.resolve(external));
      external += 5 * 3600_000;
      expect((await api.get('/ping')).body.pong).toBe('2026-11-23T13:00:00.000Z');
    } finally {
      await sandbox.close();
    }
  });
});

describe('sandbox auth, errors and state file', () => {
  it('issues tokens for the partner only, and answers 401 for missing, unknown and expired tokens', async () => {
    const { sandbox, api } = await startTestSandbox({ tokenTtlSeconds: 1 });
    try {
      const bad = await fetch(`${sandbox.url}/v2/partner/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=sandbox-partner&client_secret=wrong',
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
      const noAuth = await api.call('GET', `/v2/partner/client/${CLIENT_1}`, undefined, { auth: false });
      expect(noAuth).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
      await api.authenticate();
      expect((await api.get(`/v2/partner/client/${CLIENT_1}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await api.get(`/v2/partner/client/${CLIENT_1}`)).body).toEqual({
        error: 'unauthorized',
        error_description: 'token expired',
      });
      await api.authenticate();
      await api.control('POST', '/tokens/expire');
      expect((await api.get(`/v2/partner/client/${CLIENT_1}`)).status).toBe(401);
      expect((await api.call('GET', '/ping', undefined, { auth: false })).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('control API changes are all-or-nothing: a refused account or patch stores nothing', async () => {
    const { sandbox, api } = await startTestSandbox();
    try {
      const bad = await api.control('POST', '/accounts', {
        account: { ...accountBody(77), id: 'e0000000-0000-4000-8000-000000000077' },
        allocation: [{ instrument: FUND.norrsken, allocation: 'abc' }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error_description).toMatch(/^allocation: /);
      expect(sandbox.engine.store.accounts.has('e0000000-0000-4000-8000-000000000077')).toBe(false);
      const unknown = await api.control('POST', '/accounts', {
        account: accountBody(78),
        allocation: [{ instrument: 'XX', allocation: '100' }],
      });
      expect(unknown.body.error_description).toBe('allocation: unknown instrument XX');
      expect((await api.get(`/v2/partner/client/${CLIENT_1}/allocationplan`)).status).toBe(200);

      const { accountId } = await createTestAccount(api, 79, { balance: '500.00' });
      await api.post(ORDERS, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.kustlinje,
        amount: n('500'),
      });
      const refused = await api.control('PATCH', `/accounts/${accountId}`, {
        status: 'pending',
        kyc: { order: false },
        balance: '100',
      });
      expect(refused).toMatchObject({
        status: 400,
        body: { error_description: 'balance cannot go below reserved cash' },
      });
      const account = sandbox.engine.store.accounts.get(accountId)!;
      expect([account.status, account.kyc.order, account.balance]).toEqual(['active', true, '500.00']);
    } finally {
      await sandbox.close();
    }
  });

  it('answers unknown routes and resources with 404 and malformed JSON with 400', async () => {
    const { sandbox, api } = await startTestSandbox();
    try {
      expect((await api.get('/v2/partner/nothing')).body.error).toBe('not_found');
      expect((await api.get(`/v2/partner/client/${CLIENT_1}/order/00000000-0000-4000-8000-000000000000`)).status).toBe(
        404
      );
      const malformed = await api.post(ORDERS, '{"orderType": ');
      expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    } finally {
      await sandbox.close();
    }
  });

  it('saves its state to a file and resumes from it, scheduled steps included', async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'sandbox-')), 'state.json');
    const first = await startTestSandbox({ stateFile });
    const { accountId } = await createTestAccount(first.api, 5, { balance: '100.00' });
    const order = await first.api.post(ORDERS, {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.kustlinje,
      amount: n('10'),
    });
    await first.sandbox.close();
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as SavedState;
    expect(saved.steps.map((s) => s.kind)).toEqual(['order.cutoff']);

    const second = await startSandbox({ clockMode: 'manual', restore: saved });
    try {
      const api = new SandboxApi(second);
      // New records continue after the saved ones even at the same business instant: paging stays complete.
      const later = await api.post(ORDERS, {
        orderType: 'subscription',
        account: accountId,
        instrument: FUND.kustlinje,
        amount: n('10'),
        clientRef: 'after-restart',
      });
      expect(later.body.sortedId > order.body.sortedId).toBe(true);
      const page2 = await api.get(`${ORDERS}?start=${order.body.sortedId}`);
      expect(page2.body.map((o: { clientRef: string }) => o.clientRef)).toEqual(['after-restart']);
      second.engine.clock.advance(3 * 86_400_000);
      expect((await api.get(`${ORDERS}/${order.body.id}`)).body.status).toBe('settled');
      expect(second.engine.checkInvariants()).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

/** A seed-shaped account body for the control API. */
function accountBody(n: number) {
  return {
    id: `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    ref: `9${n}`,
    name: 'Test',
    status: 'active',
    accountType: 'isk',
    serviceType: 'portfolioManagement',
    clientId: CLIENT_1,
    owner: { firstName: 'Test', lastName: 'Person', ssn: '198003141002' },
    balance: '0.00',
    positions: [],
    bankAccounts: [],
    kyc: { order: true, withdrawal: true },
  };
}
