import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { FondoClient } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { runActivity, sandboxFondoClient } from '../helpers/activity-env';
import { CLIENT_1, createTestAccount, FUND, type SandboxApi, startTestSandbox } from '../helpers/sandbox';

// Issue 14, one billable action fewer per cycle: the read that finds the payment paid also takes the snapshot the
// split needs. The snapshot is a prefetch: it is taken only for a paid payment, and when it fails the outcome is still
// answered (the money is in and must be booked), without it.
describe('paymentOutcomeThenSnapshot', () => {
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

  async function submitted(amount = '500.00') {
    const { accountId } = await createTestAccount(api, 8100 + account++, {
      balance: '1000.00',
      allocation: [
        { instrument: FUND.kustlinje, allocation: '60' },
        { instrument: FUND.norrsken, allocation: '40' },
      ],
    });
    const activities = createActivities({ fondo, assumeUniqueClientRefs: true });
    const clientRef = `paid-snap-${account}:2031-03`;
    const { instructionId } = await runActivity(activities.submitAutogiroPayment, {
      ...{ clientId: CLIENT_1, accountId, amount, clientRef },
    });
    const snapshot = { clientId: CLIENT_1, accountId, allocation: { source: 'fondo' as const }, extraFunds: [] };
    return { activities, snapshot, input: { payment: { clientId: CLIENT_1, instructionId, clientRef }, snapshot } };
  }

  it('pending: the outcome only, no snapshot read', async () => {
    const { activities, input } = await submitted();
    expect(await runActivity(activities.paymentOutcomeThenSnapshot, input)).toEqual({
      outcome: expect.objectContaining({ status: 'pending' }),
    });
  });

  it('paid: the outcome and the same snapshot investmentSnapshot reads', async () => {
    const { activities, input, snapshot } = await submitted();
    await api.control('POST', '/clock', { advance: 'P10D' });
    const both = await runActivity(activities.paymentOutcomeThenSnapshot, input);
    expect(both.outcome).toMatchObject({ status: 'paid', amount: '500' });
    expect(both.snapshot).toEqual(await runActivity(activities.investmentSnapshot, snapshot));
    expect(both.snapshot?.weights.map((w) => w.instrument)).toEqual([FUND.kustlinje, FUND.norrsken]);
  });

  it('paid, the snapshot failing: the outcome is answered without it', async () => {
    const { activities, input } = await submitted();
    await api.control('POST', '/clock', { advance: 'P10D' });
    await api.control('POST', '/faults', {
      route: 'GET /v2/partner/client/:client_id/account/:account_id',
      kind: '503',
    });
    const read = await runActivity(activities.paymentOutcomeThenSnapshot, input);
    expect(read).toEqual({ outcome: expect.objectContaining({ status: 'paid', amount: '500' }) });
  });

  it('paid, the snapshot slower than the attempt has left: the outcome is answered in time, without it', async () => {
    const { activities, input } = await submitted();
    await api.control('POST', '/clock', { advance: 'P10D' });
    // The snapshot's account read takes 5 s; the attempt has 3 s (as if Fondo were slow under a 1-minute timeout).
    await api.control('POST', '/faults', {
      route: 'GET /v2/partner/client/:client_id/account/:account_id',
      kind: 'latency',
      latencyMs: 5_000,
    });
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 3_000 });
    const started = Date.now();
    const read = await env.run(activities.paymentOutcomeThenSnapshot, input);
    expect(read).toEqual({ outcome: expect.objectContaining({ status: 'paid', amount: '500' }) });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
