import pino from 'pino';
import { Writable } from 'node:stream';
import { clearTokenCache, FondoClient } from '../../fondo';
import { createFondoError } from '../../fondo/errors';
import type { Sandbox } from '../../sandbox/server';
import {
  EventBridge,
  type BridgeDelivery,
  type BridgeSignal,
  type SignalOutcome,
  type Signaller,
} from '../../workers/event-bridge';
import { createLogger } from '../../workers/logger';
import { CLIENT_1, createTestAccount, FUND, n, startTestSandbox, type SandboxApi } from '../helpers/sandbox';

// The event bridge against the real sandbox (loopback) with a Temporal stand-in that fails on demand: delivery is
// at-least-once, in order per workflow, bounded, and reconciliation retries its walks from their cursors.
// (No Temporal here: the stand-in is the signaller. event-bridge-restart.test.ts does the same on a dev server.)

const ORDERS = `/v2/partner/client/${CLIENT_1}/order`;
const PAYMENTS = `/v2/partner/client/${CLIENT_1}/instruction/payment`;

/** A signaller that throws (as an unreachable Temporal does) while `failing` is true or for its first N calls. */
class FlakySignaller implements Signaller {
  /** Every event delivered, in order (a batch's events one by one). */
  readonly sent: BridgeSignal[] = [];
  /** Every signal Temporal accepted (a batch is one). */
  readonly deliveries: BridgeDelivery[] = [];
  attempts = 0;
  failing = false;
  /** Answers a batch (`orderEvents`) as invalid, as Temporal would for a payload it refuses. */
  rejectBatches = false;
  constructor(private failFirst = 0) {}
  async send(route: BridgeDelivery): Promise<SignalOutcome> {
    await Promise.resolve(); // answers asynchronously, like the gRPC call
    this.attempts++;
    if (this.failing || this.failFirst > 0) {
      this.failFirst = Math.max(0, this.failFirst - 1);
      throw Object.assign(new Error('14 UNAVAILABLE: Connection refused'), { name: 'ServiceError', code: 14 });
    }
    if (this.rejectBatches && route.kind === 'orders') return 'rejected';
    this.deliveries.push(route);
    if (route.kind === 'orders')
      for (const [i, payload] of route.payload.events.entries())
        this.sent.push({ workflowId: route.workflowId, kind: 'order', payload, dedupeKey: `${route.dedupeKey}#${i}` });
    else this.sent.push(route);
    return 'sent';
  }
  /** Signals accepted and events they carried. */
  stats(): { signals: number; events: number } {
    return { signals: this.deliveries.length, events: this.sent.length };
  }
  /** Order ids and statuses signalled for one workflow, in order. */
  orderStates(workflowId: string): string[] {
    return this.sent
      .filter((r) => r.workflowId === workflowId && r.kind === 'order')
      .map((r) => (r.kind === 'order' ? `${r.payload.orderId}:${r.payload.status}` : ''));
  }
}

/** A pino logger whose JSON lines are kept for assertions. */
function capturingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString('utf8'));
      done();
    },
  });
  // The product's logger (its serializers turn err into type/message), writing to memory.
  const logger = createLogger('test-bridge', 'debug', stream);
  return {
    logger,
    lines: () =>
      raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('event bridge delivery (sandbox + failing Temporal stand-in)', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  let fondo: FondoClient;
  let nextAccount = 4100;
  const bridges: EventBridge[] = [];

  beforeAll(async () => {
    ({ sandbox, api } = await startTestSandbox({ heartbeatIntervalMs: 200 }));
    clearTokenCache();
    fondo = new FondoClient({
      baseUrl: sandbox.url,
      clientId: 'sandbox-partner',
      clientSecret: 'sandbox-secret',
      timeoutMs: 5000,
    });
  });
  afterEach(async () => {
    await Promise.all(bridges.splice(0).map((b) => b.stop()));
    await api.control('DELETE', '/faults');
  });
  afterAll(() => sandbox.close());

  const newBridge = (signaller: Signaller, extra: Partial<ConstructorParameters<typeof EventBridge>[0]> = {}) => {
    const bridge = new EventBridge({
      fondo,
      temporal: signaller,
      clientIds: [CLIENT_1],
      logger: pino({ level: 'silent' }),
      startLookbackMs: 0,
      heartbeatTimeoutMs: 5000,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      reconcileRetry: { initialDelayMs: 20, maxDelayMs: 100 },
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      ...extra,
    });
    bridges.push(bridge);
    return bridge;
  };
  const subscribe = async (accountId: string, clientRef: string, amount = '200.00') => {
    const res = await api.post(ORDERS, {
      orderType: 'subscription',
      account: accountId,
      instrument: FUND.kustlinje,
      amount: n(amount),
      clientRef,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** The fund company cancels an order (a final state, so the bridge signals it). */
  const cancel = async (orderId: string) =>
    expect((await api.control('POST', `/orders/${orderId}/cancel`, {})).status).toBe(200);

  it('a signal that fails is retried until Temporal accepts it, and only then counts as delivered', async () => {
    const signaller = new FlakySignaller(3);
    const bridge = newBridge(signaller);
    await bridge.start();
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const orderId = await subscribe(accountId, 'retry-1:2026-11:SE0007120068SEK');
    await cancel(orderId);

    await until(() => signaller.sent.length === 1, 'the signal after three failures');
    expect(signaller.attempts).toBe(4);
    expect(bridge.stats).toMatchObject({ signals: 1, signalFailures: 3 });
    expect(signaller.orderStates('savings-cycle:retry-1:2026-11')).toEqual([`${orderId}:canceled`]);
    // Delivered now: the same event from a later reconciliation is a duplicate, not a second signal.
    bridge.requestReconcile(CLIENT_1, new Date(sandbox.engine.clock.now() - 3600_000).toISOString(), 'test');
    await bridge.idle();
    expect(signaller.sent).toHaveLength(1);
    expect(bridge.stats.duplicates).toBeGreaterThan(0);
  }, 30_000);

  it("signals only what a workflow acts on: an order's intermediate statuses are not signalled, its final state is", async () => {
    const signaller = new FlakySignaller();
    const bridge = newBridge(signaller);
    await bridge.start();
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const orderId = await subscribe(accountId, 'final-1:2026-11:SE0007120068SEK');
    const order = () => sandbox.engine.store.orders.get(orderId)!;
    const seen: string[] = [order().status];
    // Fondo moves the order step by step: received → sent (cut-off) → confirmed → settled (T+2).
    for (let i = 0; i < 20 && order().status !== 'settled'; i++) {
      await api.control('POST', '/clock/next');
      if (seen.at(-1) !== order().status) seen.push(order().status);
    }
    expect(seen).toEqual(['received', 'sent', 'confirmed', 'settled']);
    await until(() => signaller.sent.length >= 1, 'the settled order signalled');
    await until(() => bridge.stats.events >= 4, 'the four order events received');
    await bridge.idle();
    expect(signaller.orderStates('savings-cycle:final-1:2026-11')).toEqual([`${orderId}:settled`]);
    expect(signaller.sent).toHaveLength(1); // received, sent and confirmed woke nobody
  }, 30_000);

  it("a cycle's orders final together reach it in one orderEvents signal; a lone event and orderBatch false send one each", async () => {
    const batched = new FlakySignaller();
    const single = new FlakySignaller();
    await newBridge(batched).start();
    await newBridge(single, { orderBatch: false }).start();
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const ids: string[] = [];
    for (const leg of ['', ':2', ':3']) ids.push(await subscribe(accountId, `batch-1:2026-11:SE0007120068SEK${leg}`));
    for (const id of ids) await cancel(id); // within the default 1 s window
    const lone = await subscribe(accountId, 'batch-2:2026-11:SE0007120068SEK');
    await cancel(lone);
    await until(() => batched.sent.length >= 4 && single.sent.length >= 4, 'four final states on both bridges');
    await Promise.all(bridges.map((b) => b.idle()));

    const to = (s: FlakySignaller, workflowId: string) => s.deliveries.filter((d) => d.workflowId === workflowId);
    // Batched: the three orders of batch-1 in one signal, in Fondo's order; batch-2's lone event as `orderEvent`.
    expect(to(batched, 'savings-cycle:batch-1:2026-11')).toEqual([
      expect.objectContaining({
        kind: 'orders',
        payload: { events: ids.map((orderId) => expect.objectContaining({ orderId, status: 'canceled' })) },
      }),
    ]);
    expect(to(batched, 'savings-cycle:batch-2:2026-11')).toEqual([
      expect.objectContaining({ kind: 'order', payload: expect.objectContaining({ orderId: lone }) }),
    ]);
    expect(batched.stats()).toEqual({ signals: 2, events: 4 });
    // orderBatch false: one signal per event, as before.
    expect(to(single, 'savings-cycle:batch-1:2026-11').map((d) => d.kind)).toEqual(['order', 'order', 'order']);
    expect(single.stats()).toEqual({ signals: 4, events: 4 });
  }, 30_000);

  it('a batch Temporal refuses is sent again event by event, in order; nothing is marked delivered unsent', async () => {
    const signaller = new FlakySignaller();
    signaller.rejectBatches = true;
    const bridge = newBridge(signaller);
    await bridge.start();
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const ids: string[] = [];
    for (const leg of ['', ':2', ':3']) ids.push(await subscribe(accountId, `refused-1:2026-11:SE0007120068SEK${leg}`));
    for (const id of ids) await cancel(id);
    await until(() => signaller.sent.length >= 3, 'the three events, one by one');
    await bridge.idle();
    expect(signaller.deliveries.map((d) => d.kind)).toEqual(['order', 'order', 'order']);
    expect(signaller.orderStates('savings-cycle:refused-1:2026-11')).toEqual(ids.map((id) => `${id}:canceled`));
    expect(bridge.stats).toMatchObject({ signals: 3, rejected: 0 });
  }, 30_000);

  it('while Temporal is down events wait in order per workflow; all arrive, in order, once it answers', async () => {
    const signaller = new FlakySignaller();
    const bridge = newBridge(signaller);
    await bridge.start();
    signaller.failing = true;
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const ids: string[] = [];
    for (const leg of ['', ':2', ':3']) ids.push(await subscribe(accountId, `order-1:2026-11:SE0007120068SEK${leg}`));
    const [first, second, third] = ids as [string, string, string];
    for (const id of [second, first, third]) await cancel(id); // Fondo's order of events: second, first, third
    await until(() => bridge.stats.events >= 6 && bridge.stats.signalFailures >= 2, 'three queued events failing');
    expect(bridge.health().signals).toBe(false);
    expect(signaller.sent).toHaveLength(0);

    signaller.failing = false;
    await until(() => signaller.sent.length >= 3, 'the queued signals');
    await bridge.idle();
    // The final states arrive in the order Fondo published them, none lost (the creates were never signalled).
    expect(signaller.orderStates('savings-cycle:order-1:2026-11')).toEqual([
      `${second}:canceled`,
      `${first}:canceled`,
      `${third}:canceled`,
    ]);
    expect(bridge.health().signals).toBe(true);
    // The failing period is reconciled once signals flow again (nothing new to send: all were delivered).
    expect(bridge.stats.reconciliations).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('the queues are bounded: events beyond the bound are dropped and replayed by the reconciliation after the outage', async () => {
    const signaller = new FlakySignaller();
    const bridge = newBridge(signaller, { maxPending: 2 });
    await bridge.start();
    signaller.failing = true;
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const ids: string[] = [];
    for (const leg of ['', ':2', ':3', ':4'])
      ids.push(await subscribe(accountId, `bounded-1:2026-11:SE0007120068SEK${leg}`, '100.00'));
    for (const id of ids) await cancel(id);
    await until(() => bridge.stats.events >= 8, 'eight events (four creates, four cancels)');
    expect(bridge.pending).toBe(2); // never more than the bound
    expect(bridge.stats.overflowed).toBeGreaterThanOrEqual(2);

    signaller.failing = false;
    await until(
      () => new Set(signaller.orderStates('savings-cycle:bounded-1:2026-11').map((s) => s.split(':')[0])).size >= 4,
      'all four orders'
    );
    await bridge.idle();
    // Every order's final state reached its workflow: two from the queue, the two dropped ones from reconciliation.
    const orderIds = signaller.orderStates('savings-cycle:bounded-1:2026-11').map((s) => s.split(':')[0]);
    expect(new Set(orderIds)).toEqual(new Set(ids));
    expect(bridge.stats.reconciled).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('reconciliation retries a 503 on the first order page and a 429 on the first payment page: the gap is delivered, deposits included', async () => {
    // The gap: an order and a completed autogiro deposit while no bridge listened (a bridge restart).
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '1000.00' });
    const orderId = await subscribe(accountId, 'gap-1:2026-11:SE0007120068SEK');
    const payment = await api.post(PAYMENTS, {
      type: 'autogiro',
      payments: [{ amount: n('300.00'), clientRef: 'gap-1:2026-12', account: accountId }],
    });
    expect(payment.status).toBe(200);
    await api.control('POST', '/clock', { advance: 'P7D' });
    const deposit = [...sandbox.engine.store.cashTransactions.values()].find((t) => t.clientRef === 'gap-1:2026-12');
    expect(deposit?.transactionType).toBe('deposit');

    for (const [route, kind] of [
      ['GET /v2/partner/client/:client_id/order', '503'],
      ['GET /v2/partner/client/:client_id/transaction/cash', '429'],
    ] as const) {
      expect((await api.control('POST', '/faults', { route, kind, count: 1, retryAfterSeconds: 0 })).status).toBe(201);
    }
    const { logger, lines } = capturingLogger();
    const signaller = new FlakySignaller();
    const bridge = newBridge(signaller, { startLookbackMs: 30 * 24 * 3600_000, logger });
    await bridge.start();
    await until(() => bridge.stats.reconciliations >= 1, 'a finished reconciliation');
    await bridge.idle();

    expect(bridge.stats.reconcileFailures).toBe(2);
    const toGap = (id: string) => signaller.sent.filter((r) => r.workflowId === id);
    expect(toGap('savings-cycle:gap-1:2026-12')).toEqual([
      expect.objectContaining({ kind: 'payment', payload: expect.objectContaining({ amount: '300' }) }),
    ]);
    expect(toGap('savings-cycle:gap-1:2026-11').map((r) => (r.kind === 'order' ? r.payload.orderId : ''))).toContain(
      orderId
    );
    // The log says what failed (type, message, Fondo call without ids) and what the run replayed.
    const retries = lines().filter((l) => l.msg === 'reconciliation page failed; retrying from its cursor');
    expect(retries.map((l) => l.walk).sort()).toEqual(['orders', 'payments']);
    expect(retries[0]!.err).toMatchObject({ type: 'FondoError', fondo: { kind: expect.any(String) } });
    expect(JSON.stringify(retries.map((l) => l.err))).not.toContain(CLIENT_1); // the Fondo path is masked
    const finished = lines().find((l) => String(l.msg).startsWith('reconciliation finished'));
    expect(finished).toMatchObject({ payments: { replayed: 1, complete: true }, orders: { complete: true } });
  }, 30_000);

  it('a walk that fails mid-way resumes from its cursor, not from the start', async () => {
    const { accountId } = await createTestAccount(api, nextAccount++, { balance: '5000.00' });
    for (let i = 1; i <= 5; i++)
      await cancel(await subscribe(accountId, `cursor-${i}:2026-11:SE0007120068SEK`, '100.00'));
    const signaller = new FlakySignaller();
    const bridge = newBridge(signaller, { startLookbackMs: 30 * 24 * 3600_000 });
    // Pages of two: the first page succeeds, the second fails once.
    const iterate = fondo.iterateOrders.bind(fondo);
    const starts: (string | undefined)[] = [];
    let calls = 0;
    jest.spyOn(fondo, 'iterateOrders').mockImplementation((clientId, query = {}, options = {}) => {
      starts.push(query.start);
      const inner = iterate(clientId, query, { ...options, limit: 2 });
      const first = calls++ === 0;
      return (async function* () {
        let yielded = 0;
        for await (const order of inner) {
          if (first && yielded === 2)
            throw createFondoError({ method: 'GET', path: '/v2/partner/client/x/order' }, { status: 503 });
          yielded++;
          yield order;
        }
      })();
    });
    try {
      await bridge.start();
      await until(() => bridge.stats.reconciliations >= 1, 'a finished reconciliation');
    } finally {
      jest.restoreAllMocks();
    }
    await bridge.idle(); // the replayed events wait out the order-batching window
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBeUndefined();
    expect(starts[1]).toEqual(expect.any(String)); // the second run starts after the last order it had
    const orderRefs = signaller.sent.filter((r) => r.kind === 'order').map((r) => r.payload.clientRef);
    for (let i = 1; i <= 5; i++) expect(orderRefs).toContain(`cursor-${i}:2026-11:SE0007120068SEK`);
  }, 30_000);
});
