/**
 * The event stream against a real WebSocket server: typed events, heartbeats, reconnects (server drop,
 * silence, refused upgrades), token refresh on a 401 upgrade, malformed events, and clean endings.
 */
import {
  clearTokenCache,
  FondoClient,
  isFondoError,
  type FondoStreamItem,
  type InvalidEventInfo,
  type SubscribeOptions,
} from '../../fondo';
import { startFakeEventStream, type FakeEventStream } from './helpers/fake-event-stream';

const ORDER = {
  id: 'o1',
  status: 'received',
  sortedId: '01J0000000000000000000000B',
  orderType: 'subscription',
  account: 'a1',
  instrument: 'SE0000810798SEK',
  amount: 110.5,
};
const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 50 };

let stream: FakeEventStream;
let client: FondoClient;
let controller: AbortController;

beforeEach(async () => {
  clearTokenCache();
  stream = await startFakeEventStream();
  client = new FondoClient({ baseUrl: stream.url, clientId: 'p', clientSecret: 's', timeoutMs: 1000 });
  controller = new AbortController();
});

afterEach(async () => {
  controller.abort();
  await stream.close();
});

/** Pulls items one at a time, failing the test instead of hanging. */
function reader(options: Omit<SubscribeOptions, 'signal'> = {}) {
  const iterator = client
    .subscribe('c1', { reconnect: FAST_RECONNECT, ...options, signal: controller.signal })
    [Symbol.asyncIterator]();
  return {
    iterator,
    async next(timeoutMs = 3000): Promise<FondoStreamItem | undefined> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no stream item in time')), timeoutMs);
      });
      try {
        const result = await Promise.race([iterator.next(), timeout]);
        return result.done === true ? undefined : result.value;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function closed(socket: { readyState: number; once(event: 'close', cb: () => void): unknown }): Promise<void> {
  return socket.readyState === 3 ? Promise.resolve() : new Promise((resolve) => socket.once('close', resolve));
}

describe('events', () => {
  it('yields connected, then typed events; heartbeats are consumed', async () => {
    const events = reader();
    const first = events.next();
    await stream.nextConnection();

    await expect(first).resolves.toEqual({ kind: 'connected', reconnect: false });
    expect(stream.upgrades).toEqual(['Bearer tok-1']);

    stream.send({ eventType: 'heartbeat' });
    stream.send({ eventType: 'order.create', current: ORDER });
    stream.send({ eventType: 'heartbeat' });
    stream.send({ eventType: 'order.update', current: { ...ORDER, status: 'confirmed' }, previous: ORDER });
    stream.send({ eventType: 'instrument.reloaded' });
    stream.send({ eventType: 'journey.update', current: { id: 'j1', status: 'complete' } });

    await expect(events.next()).resolves.toEqual({
      kind: 'event',
      event: { resource: 'order', eventType: 'order.create', current: { ...ORDER, amount: '110.5' } },
    });
    const update = await events.next();
    expect(update).toMatchObject({ kind: 'event', event: { resource: 'order', current: { status: 'confirmed' } } });
    await expect(events.next()).resolves.toEqual({
      kind: 'event',
      event: { resource: 'other', eventType: 'instrument.reloaded' },
    });
    await expect(events.next()).resolves.toEqual({
      kind: 'event',
      event: { resource: 'other', eventType: 'journey.update', current: { id: 'j1', status: 'complete' } },
    });
  });

  it('parses cash, fund and account events with their schemas', async () => {
    const events = reader();
    await events.next();
    stream.send({
      eventType: 'cashTransaction.delete',
      previous: { id: 't1', sortedId: 's1', transactionType: 'deposit', amount: 1e-7, currency: 'SEK' },
    });
    stream.send({
      eventType: 'fundTransaction.create',
      current: {
        id: 'f1',
        sortedId: 's2',
        transactionType: 'subscription',
        account: 'a1',
        instrument: 'i1',
        identifier: 'SE1',
        units: 2.5,
        currency: 'SEK',
      },
    });
    stream.send({
      eventType: 'account.update',
      current: {
        id: 'a1',
        sortedId: 's3',
        name: 'Spar',
        accountType: 'isk',
        serviceType: 'executionOnly',
        deleted: false,
        clientId: 'c1',
        currency: 'SEK',
        balance: 10,
      },
    });

    await expect(events.next()).resolves.toMatchObject({
      event: { resource: 'cashTransaction', previous: { amount: '0.0000001' } },
    });
    await expect(events.next()).resolves.toMatchObject({
      event: { resource: 'fundTransaction', current: { units: '2.5' } },
    });
    await expect(events.next()).resolves.toMatchObject({ event: { resource: 'account', current: { balance: '10' } } });
  });

  it('skips malformed events and reports them without their values', async () => {
    const invalid: InvalidEventInfo[] = [];
    const events = reader({ onInvalidEvent: (info) => invalid.push(info) });
    await events.next();

    stream.connections[0]!.send('not json');
    stream.send({ noEventType: true });
    stream.send({ eventType: 'order.update', current: { ...ORDER, amount: 'lots' } });
    stream.send({ eventType: 'order.delete' });
    stream.send({ eventType: 'order.create', current: ORDER });

    await expect(events.next()).resolves.toMatchObject({ kind: 'event', event: { eventType: 'order.create' } });
    expect(invalid).toEqual([
      { issues: ['(root): message is not JSON'] },
      { issues: ['eventType: Invalid input: expected string, received undefined'] },
      { eventType: 'order.update', issues: ['current.amount: expected a decimal number'] },
      { eventType: 'order.delete', issues: ['previous: is required for delete events'] },
    ]);
  });

  it('reconnects after the server drops the connection and says where to reconcile from', async () => {
    const events = reader();
    await events.next();
    const first = await stream.nextConnection();
    stream.send({ eventType: 'order.create', current: ORDER });
    await events.next();
    const beforeDrop = Date.now();

    first.terminate();
    const reconnected = await events.next();
    await stream.nextConnection();

    expect(reconnected).toMatchObject({ kind: 'connected', reconnect: true });
    const disconnectedAt = Date.parse((reconnected as { disconnectedAt: string }).disconnectedAt);
    expect(disconnectedAt).toBeLessThanOrEqual(beforeDrop);
    expect(disconnectedAt).toBeGreaterThan(beforeDrop - 1000);

    stream.send({ eventType: 'order.update', current: { ...ORDER, status: 'sent' } });
    await expect(events.next()).resolves.toMatchObject({ event: { current: { status: 'sent' } } });
    expect(stream.connections).toHaveLength(2);
    expect(stream.tokenRequests).toBe(1);
  });

  it('treats silence beyond heartbeatTimeoutMs as a dead connection, but not while heartbeats arrive', async () => {
    const events = reader({ heartbeatTimeoutMs: 150 });
    await events.next();
    const first = await stream.nextConnection();

    const beats = setInterval(() => stream.send({ eventType: 'heartbeat' }), 40);
    await new Promise((resolve) => setTimeout(resolve, 400));
    clearInterval(beats);
    expect(first.readyState).toBe(first.OPEN);

    // Now silence: the client terminates and reconnects.
    await closed(first);
    await expect(events.next()).resolves.toMatchObject({ kind: 'connected', reconnect: true });
    expect(stream.connections).toHaveLength(2);
  });

  it('refreshes the token once when the upgrade is refused with 401', async () => {
    const events = reader();
    await events.next();
    const first = await stream.nextConnection();
    stream.revoke('tok-1');

    first.terminate();
    await expect(events.next()).resolves.toMatchObject({ kind: 'connected', reconnect: true });

    expect(stream.upgrades).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
    expect(stream.tokenRequests).toBe(2);
  });

  it('retries refused upgrades that may succeed later (503) with backoff', async () => {
    stream.refuseNext(503, 503);
    const events = reader();

    await expect(events.next()).resolves.toEqual({ kind: 'connected', reconnect: false });
    expect(stream.upgrades).toHaveLength(3);
  });

  it('ends with the FondoError when the upgrade cannot succeed (403)', async () => {
    stream.refuseNext(403);
    const events = reader();

    const error = await events.next().catch((e: unknown) => e);

    expect(isFondoError(error) && error.kind).toBe('forbidden');
    expect(isFondoError(error) && error.path).toBe('/v2/partner/client/c1/subscribe');
  });

  it('ends with unauthorized when the refreshed token is refused too', async () => {
    stream.refuseNext(401, 401);
    const error = await reader()
      .next()
      .catch((e: unknown) => e);

    expect(isFondoError(error) && error.kind).toBe('unauthorized');
    expect(stream.tokenRequests).toBe(2);
  });

  it('returns when the signal aborts, closing the socket', async () => {
    const events = reader();
    await events.next();
    const socket = await stream.nextConnection();

    const waiting = events.next();
    controller.abort();

    await expect(waiting).resolves.toBeUndefined();
    await closed(socket);
  });

  it('returns when the signal aborts during a reconnect backoff', async () => {
    const events = reader({ reconnect: { initialDelayMs: 10_000, maxDelayMs: 10_000 } });
    await events.next();
    (await stream.nextConnection()).terminate();

    const waiting = events.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();

    await expect(waiting).resolves.toBeUndefined();
  });

  it('closes the socket when the consumer leaves the loop', async () => {
    let received = 0;
    const consuming = (async () => {
      for await (const item of client.subscribe('c1', { signal: controller.signal })) {
        if (item.kind === 'event') received += 1;
        if (received === 1) break;
      }
    })();
    const socket = await stream.nextConnection();
    stream.send({ eventType: 'order.create', current: ORDER });

    await consuming;
    await closed(socket);
    expect(received).toBe(1);
  });
});
