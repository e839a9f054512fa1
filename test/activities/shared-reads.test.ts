import { createActivities } from '../../activities';
import type { FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { countRequests as countRequestsOf, runActivity, sandboxFondoClient } from '../helpers/activity-env';
import { CLIENT_1, createTestAccount, FUND, type SandboxApi, startTestSandbox } from '../helpers/sandbox';

// Issue 14, reads shared: a client's fund list is read once per worker for FONDO_SHARED_READ_TTL_MS and serves every
// activity asking meanwhile (pre-checks, snapshots of thousands of cycles in the busy hour). 0 reads every time.
const INSTRUMENTS = 'GET /v2/partner/client/:client_id/instrument';

describe('shared reads: the fund list', () => {
  let sandbox: Sandbox;
  let api: SandboxApi;
  let fondo: FondoClient;
  let account = 1;
  beforeAll(async () => {
    ({ sandbox, api } = await startTestSandbox());
    fondo = sandboxFondoClient(sandbox);
  });
  afterAll(() => sandbox?.close());
  afterEach(() => api.control('DELETE', '/faults'));

  const countRequests = (route: string) => countRequestsOf(api, route);

  async function planInput() {
    const { accountId } = await createTestAccount(api, 7000 + account++, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.kustlinje, allocation: '40' },
      ],
    });
    return { clientId: CLIENT_1, accountId, allocation: { source: 'fondo' as const } };
  }

  it('20 pre-checks at once and 20 more within the time: one read of the fund list; the same facts as unshared', async () => {
    const shared = createActivities({ fondo, assumeUniqueClientRefs: true, sharedReadTtlMs: 60_000 });
    const inputs = await Promise.all(Array.from({ length: 20 }, () => planInput()));
    const reads = await countRequests(INSTRUMENTS);
    const burst = await Promise.all(inputs.map((input) => runActivity(shared.planCheckFacts, input)));
    const later = await Promise.all(inputs.map((input) => runActivity(shared.planCheckFacts, input)));
    expect(await reads()).toBe(1);
    const unshared = createActivities({ fondo, assumeUniqueClientRefs: true });
    const alone = await runActivity(unshared.planCheckFacts, inputs[0]!);
    expect(await reads()).toBe(2); // sharing off: read every time
    expect(burst[0]).toEqual(alone);
    expect(later[19]!.funds).toEqual(alone.funds);
  });

  it('the read is kept no longer than its time, and a failed read is not kept', async () => {
    const shared = createActivities({ fondo, assumeUniqueClientRefs: true, sharedReadTtlMs: 300 });
    const input = await planInput();
    const reads = await countRequests(INSTRUMENTS);
    await runActivity(shared.planCheckFacts, input);
    await runActivity(shared.planCheckFacts, input);
    expect(await reads()).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    // A fund closed meanwhile is seen once the time has passed.
    await api.control('PATCH', `/instruments/${FUND.kustlinje}`, { isTradable: false });
    try {
      const after = await runActivity(shared.planCheckFacts, input);
      expect(after.funds[FUND.kustlinje]?.rules?.isTradable).toBe(false);
      expect(await reads()).toBe(2);
    } finally {
      await api.control('PATCH', `/instruments/${FUND.kustlinje}`, { isTradable: true });
    }
    // A 503 on the next read fails that call (the activity retries it) and leaves nothing behind.
    await new Promise((r) => setTimeout(r, 400));
    await api.control('POST', '/faults', { route: INSTRUMENTS, kind: '503', count: 1 });
    await expect(runActivity(shared.planCheckFacts, input)).rejects.toMatchObject({
      type: 'FondoUnavailable',
      nonRetryable: false,
    });
    const retried = await runActivity(shared.planCheckFacts, input);
    expect(retried.funds[FUND.kustlinje]?.rules?.isTradable).toBe(true);
  });
});
