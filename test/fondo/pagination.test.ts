/**
 * Paging against a real server that implements Fondo's `start`/`limit` both ways (inclusive and exclusive
 * `start`), plus the generic helpers' stop rules.
 */
import { clearTokenCache, FondoClient, isFondoError, modifiedSince, paginate, type PageRequest } from '../../fondo';
import { sendJson } from '../helpers/http-server';
import { clientOptions, startFakeFondo, type FakeFondo, type RecordedRequest } from './helpers/fake-fondo';

const C = '/v2/partner/client/c1';

function order(n: number, modifiedDate = '2025-01-01T00:00:00.000Z') {
  const suffix = String(n).padStart(4, '0');
  return {
    id: `o${suffix}`,
    sortedId: `01J0000000000000000000${suffix}`,
    status: 'settled',
    orderType: 'subscription',
    account: 'a1',
    instrument: 'i1',
    amount: 10,
    modifiedDate,
  };
}

type Item = ReturnType<typeof order>;

/** Serves `items` (sorted by sortedId) the way a Fondo list endpoint would. */
function listHandler(items: Item[], startInclusive: boolean, honourModifiedFrom = true) {
  return (req: RecordedRequest, res: Parameters<Parameters<FakeFondo['route']>[2]>[1]) => {
    const start = req.query.get('start');
    const limit = req.query.get('limit');
    const modifiedFrom = req.query.get('modifiedFrom');
    let page = items.filter(
      (item) => !honourModifiedFrom || modifiedFrom === null || item.modifiedDate >= modifiedFrom
    );
    if (start !== null) page = page.filter((item) => (startInclusive ? item.sortedId >= start : item.sortedId > start));
    if (limit !== null) page = page.slice(0, Number(limit));
    sendJson(res, 200, page);
  };
}

let fondo: FakeFondo;
let client: FondoClient;

beforeEach(async () => {
  clearTokenCache();
  fondo = await startFakeFondo();
  client = new FondoClient(clientOptions(fondo.url));
});

afterEach(() => fondo.close());

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('iterateOrders against a real server', () => {
  const orders = Array.from({ length: 23 }, (_, i) => order(i + 1));

  it.each([
    ['exclusive', false],
    ['inclusive', true],
  ])('walks every page exactly once when `start` is %s', async (_name, inclusive) => {
    fondo.route('GET', `${C}/order`, listHandler(orders, inclusive));

    const seen = await collect(client.iterateOrders('c1', {}, { limit: 5 }));

    expect(seen.map((o) => o.id)).toEqual(orders.map((o) => o.id));
    const starts = fondo.requests.map((r) => r.query.get('start'));
    expect(starts[0]).toBeNull();
    expect(fondo.requests.every((r) => r.query.get('limit') === '5')).toBe(true);
    // Exclusive: 5 full pages then a short one. Inclusive: each page repeats the cursor, so 4 new items a page.
    expect(fondo.requests).toHaveLength(inclusive ? 6 : 5);
  });

  it('stops after an exactly full last page when the next page is empty', async () => {
    fondo.route('GET', `${C}/order`, listHandler(orders.slice(0, 10), false));

    const seen = await collect(client.iterateOrders('c1', {}, { limit: 5 }));

    expect(seen).toHaveLength(10);
    expect(fondo.requests).toHaveLength(3);
  });

  it('resumes from a given start', async () => {
    fondo.route('GET', `${C}/order`, listHandler(orders, false));

    const seen = await collect(client.iterateOrders('c1', { start: orders[19]!.sortedId }, { limit: 5 }));

    expect(seen.map((o) => o.id)).toEqual(['o0021', 'o0022', 'o0023']);
  });

  it('reconciles with modifiedFrom (sent on every page, older items dropped)', async () => {
    const mixed = orders.map((o, i) => (i % 2 === 0 ? { ...o, modifiedDate: '2025-02-01T00:00:00.000Z' } : o));
    // The server ignores modifiedFrom: the client still yields only items modified since.
    fondo.route('GET', `${C}/order`, listHandler(mixed, false, false));
    fondo.route('GET', `${C}/transaction/cash`, (req, res) => {
      sendJson(res, 200, [
        {
          id: 't1',
          sortedId: '01J00000000000000000000001',
          transactionType: 'deposit',
          amount: 1,
          currency: 'SEK',
          modifiedDate: '2025-02-02t00:00:00.000z',
          ref: req.query.get('ref'),
        },
      ]);
    });

    const recent = await collect(client.iterateOrders('c1', { modifiedFrom: '2025-01-15t00:00:00z' }, { limit: 10 }));

    expect(recent).toHaveLength(12);
    expect(fondo.requests).toHaveLength(3);
    expect(recent.every((o) => o.modifiedDate === '2025-02-01T00:00:00.000Z')).toBe(true);
    expect(fondo.requests.every((r) => r.query.get('modifiedFrom') === '2025-01-15T00:00:00Z')).toBe(true);

    const cash = await collect(
      client.iterateCashTransactions('c1', { modifiedFrom: '2025-01-15T00:00:00Z', ref: 'o1' })
    );
    expect(cash.map((t) => t.ref)).toEqual(['o1']);
  });

  it('rejects a modifiedFrom that is not a date-time before any request', async () => {
    const error = await collect(client.iterateOrders('c1', { modifiedFrom: 'last week' })).catch((e: unknown) => e);
    expect(isFondoError(error) && error.issues).toEqual(['modifiedFrom: expected an ISO-8601 date-time']);
    expect(fondo.requests).toHaveLength(0);
  });

  it('rejects a page size below 2 (no progress with an inclusive start)', async () => {
    const error = await collect(client.iterateOrders('c1', {}, { limit: 1 })).catch((e: unknown) => e);
    expect(isFondoError(error) && error.kind === 'invalid-request').toBe(true);
    expect(fondo.requests).toHaveLength(0);
  });

  it('stops early and cleanly when the consumer breaks', async () => {
    fondo.route('GET', `${C}/order`, listHandler(orders, false));
    let count = 0;
    for await (const _ of client.iterateOrders('c1', {}, { limit: 5 })) {
      count += 1;
      if (count === 7) break;
    }
    expect(fondo.requests).toHaveLength(2);
  });

  it('iterates the other lists with the same helper', async () => {
    const account = {
      id: 'a1',
      sortedId: '01J00000000000000000000001',
      name: 'Spar',
      accountType: 'isk',
      serviceType: 'executionOnly',
      deleted: false,
      clientId: 'c1',
      currency: 'SEK',
    };
    fondo.route('GET', `${C}/account`, (_req, res) => sendJson(res, 200, [account]));
    fondo.route('GET', `${C}/transaction/fund`, (_req, res) => sendJson(res, 200, []));
    fondo.route('GET', `${C}/account/a1/transaction/cash`, (_req, res) => sendJson(res, 200, []));
    fondo.route('GET', `${C}/account/a1/transaction/fund`, (_req, res) => sendJson(res, 200, []));

    await expect(collect(client.iterateAccounts('c1'))).resolves.toHaveLength(1);
    await expect(collect(client.iterateFundTransactions('c1', { reftype: 'order' }))).resolves.toEqual([]);
    await expect(collect(client.iterateAccountCashTransactions('c1', 'a1'))).resolves.toEqual([]);
    await expect(collect(client.iterateAccountFundTransactions('c1', 'a1'))).resolves.toEqual([]);
    expect(fondo.requests.map((r) => r.query.get('limit'))).toEqual(['100', '100', '100', '100']);
    expect(fondo.requests[1]!.query.get('reftype')).toBe('order');
  });
});

describe('paginate (generic)', () => {
  const item = (n: number) => ({ id: `id${n}`, sortedId: `s${String(n).padStart(3, '0')}` });

  it('never yields duplicates even if pages overlap arbitrarily', async () => {
    const pages = [
      [item(1), item(2), item(3)],
      [item(2), item(3), item(4)],
      [item(4), item(5)],
    ];
    const requests: PageRequest[] = [];
    const seen = await collect(
      paginate(
        (page) => {
          requests.push(page);
          return Promise.resolve(pages[requests.length - 1] ?? []);
        },
        { limit: 3 }
      )
    );

    expect(seen.map((i) => i.id)).toEqual(['id1', 'id2', 'id3', 'id4', 'id5']);
    expect(requests).toEqual([{ limit: 3 }, { start: 's003', limit: 3 }, { start: 's004', limit: 3 }]);
  });

  it('stops when a full page brings nothing new (a server that ignores start)', async () => {
    let calls = 0;
    const seen = await collect(
      paginate(
        () => {
          calls += 1;
          return Promise.resolve([item(1), item(2)]);
        },
        { limit: 2 }
      )
    );

    expect(seen).toHaveLength(2);
    expect(calls).toBe(2);
  });

  it('stops on an empty first page', async () => {
    await expect(collect(paginate(() => Promise.resolve([]), { limit: 10 }))).resolves.toEqual([]);
  });

  it('refuses a limit below 2', async () => {
    await expect(collect(paginate(() => Promise.resolve([item(1)]), { limit: 1 }))).rejects.toThrow(RangeError);
  });
});

describe('modifiedSince (generic)', () => {
  it('passes modifiedFrom on every page and drops older items', async () => {
    const fetched: unknown[] = [];
    const items = [
      { id: 'a', sortedId: 's1', modifiedDate: '2025-01-01T00:00:00.000Z' },
      { id: 'b', sortedId: 's2', modifiedDate: '2025-03-01T00:00:00.000Z' },
      { id: 'c', sortedId: 's3', modifiedDate: null },
    ];
    const seen = await collect(
      modifiedSince(
        (page) => {
          fetched.push(page);
          return Promise.resolve(page.start === undefined ? items : []);
        },
        { limit: 3, modifiedFrom: '2025-02-01T00:00:00.000Z' }
      )
    );

    expect(seen.map((i) => i.id)).toEqual(['b', 'c']);
    expect(fetched).toEqual([
      { limit: 3, modifiedFrom: '2025-02-01T00:00:00.000Z' },
      { start: 's3', limit: 3, modifiedFrom: '2025-02-01T00:00:00.000Z' },
    ]);
  });

  it('refuses a modifiedFrom that is not a date-time', async () => {
    await expect(collect(modifiedSince(() => Promise.resolve([]), { limit: 2, modifiedFrom: 'soon' }))).rejects.toThrow(
      RangeError
    );
  });
});
