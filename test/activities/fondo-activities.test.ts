import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { rulesOf } from '../../activities/portfolio';
import { outcomeOf } from '../../activities/payments';
import type { FondoClient, Payment } from '../../fondo';
import type { Sandbox } from '../../sandbox/server';
import { FailureType } from '../../shared/failure-types';
import { failureOf, runActivity, sandboxFondoClient } from '../helpers/activity-env';
import { CLIENT_1, createTestAccount, FUND, type SandboxApi, startTestSandbox } from '../helpers/sandbox';

// The activity layer: each Fondo activity run in the SDK's activity environment against the sandbox over loopback,
// in both exactly-once modes. Fondo's words must come back in the custodian port's words (shared/custodian.ts).
describe('Fondo activities in the activity environment', () => {
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

  const activities = (assumeUniqueClientRefs: boolean) => createActivities({ fondo, assumeUniqueClientRefs });
  const run = runActivity;
  const paymentsWithRef = (clientRef: string) =>
    [...sandbox.engine.store.payments.values()].filter((p) => p.clientRef === clientRef);

  async function freshAccount() {
    const { accountId } = await createTestAccount(api, 4000 + account++, {
      balance: '1000.00',
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    return accountId;
  }

  describe.each([true, false])('assumeUniqueClientRefs: %s', (unique) => {
    it('a payment is created once; submitting the same reference again adopts it', async () => {
      const accountId = await freshAccount();
      const input = { clientId: CLIENT_1, accountId, amount: '500.00', clientRef: `act-pay-${unique}:2031-03` };
      const first = await run(activities(unique).submitAutogiroPayment, input);
      expect(first).toMatchObject({ adopted: false, instructionId: expect.any(String) });
      if (unique) {
        const again = await run(activities(unique).submitAutogiroPayment, input);
        expect(again).toMatchObject({ adopted: true, instructionId: first.instructionId });
      }
      expect(paymentsWithRef(input.clientRef)).toHaveLength(1);
      const outcome = await run(activities(unique).getPaymentOutcome, {
        clientId: CLIENT_1,
        instructionId: first.instructionId,
        clientRef: input.clientRef,
      });
      expect(outcome.status).toBe('pending');
    });

    it('a subscription is placed once (check-before-create adopts it); a refusal comes back in neutral words', async () => {
      const accountId = await freshAccount();
      const input = {
        clientId: CLIENT_1,
        accountId,
        instrument: FUND.kustlinje,
        amount: '300.00',
        clientRef: `act-buy-${unique}:2031-03:${FUND.kustlinje}`,
        searchFrom: new Date(sandbox.engine.clock.now() - 86_400_000).toISOString(),
      };
      const placed = await run(activities(unique).placeSubscription, input);
      expect(placed).toMatchObject({ outcome: 'placed', adopted: false, order: { status: 'working' } });
      const again = await run(activities(unique).placeSubscription, input);
      expect(again).toMatchObject({ outcome: 'placed', adopted: true });
      const closed = await run(activities(unique).placeSubscription, {
        ...input,
        instrument: FUND.lodjur,
        clientRef: `act-buy-${unique}:2031-03:${FUND.lodjur}`,
      });
      expect(closed).toMatchObject({
        outcome: 'refused',
        reason: 'not-tradable',
        providerCode: 'instrument_not_tradable',
      });
    });
  });

  it('assumeUniqueClientRefs: false — an ambiguous payment create fails as ReferenceUnresolved, never a second payment', async () => {
    const accountId = await freshAccount();
    const input = { clientId: CLIENT_1, accountId, amount: '700.00', clientRef: 'act-ambiguous:2031-03' };
    await api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/instruction/payment',
      kind: 'drop-after-commit',
      count: 1,
    });
    const err = await failureOf(run(activities(false).submitAutogiroPayment, input));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err?.type).toBe(FailureType.ReferenceUnresolved);
    expect(err?.nonRetryable).toBe(true);
    expect(err?.message).toMatch(/^payment act-ambiguous:2031-03: outcome unknown/);
    expect(paymentsWithRef(input.clientRef)).toHaveLength(1); // Fondo committed it once; nothing retried it
  });

  it('assumeUniqueClientRefs: false — a 503 on create is ambiguous too: ReferenceUnresolved, no payment twice', async () => {
    const accountId = await freshAccount();
    const input = { clientId: CLIENT_1, accountId, amount: '700.00', clientRef: 'act-503:2031-03' };
    await api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/instruction/payment',
      kind: '503',
      count: 1,
    });
    const err = await failureOf(run(activities(false).submitAutogiroPayment, input));
    expect(err?.type).toBe(FailureType.ReferenceUnresolved);
    expect(paymentsWithRef(input.clientRef).length).toBeLessThanOrEqual(1);
  });

  it('assumeUniqueClientRefs: true — after an ambiguous create the retry adopts the payment: one debit', async () => {
    const accountId = await freshAccount();
    const input = { clientId: CLIENT_1, accountId, amount: '700.00', clientRef: 'act-adopt:2031-03' };
    await api.control('POST', '/faults', {
      route: 'POST /v2/partner/client/:client_id/instruction/payment',
      kind: 'drop-after-commit',
      count: 1,
    });
    const err = await failureOf(run(activities(true).submitAutogiroPayment, input));
    expect(err?.type).toBe(FailureType.FondoUnavailable);
    expect(err?.nonRetryable).toBe(false);
    const retried = await run(activities(true).submitAutogiroPayment, input); // Temporal's retry
    expect(retried.adopted).toBe(true);
    expect(paymentsWithRef(input.clientRef)).toHaveLength(1);
  });

  it('the account check and the KYC gate in port words', async () => {
    const accountId = await freshAccount();
    const acts = activities(true);
    expect(await run(acts.checkAccount, { clientId: CLIENT_1, accountId })).toEqual({
      found: true,
      status: 'active',
      active: true,
    });
    expect(
      await run(acts.checkAccount, { clientId: CLIENT_1, accountId: 'e0000000-0000-4000-8000-999999999999' })
    ).toEqual({ found: false, status: null, active: false });
    const { accountId: blocked } = await createTestAccount(api, 4900, { kycOrder: false });
    expect(await run(acts.kycAllowsOrders, { clientId: CLIENT_1, accountId: blocked })).toBe(false);
    expect(await run(acts.kycAllowsOrders, { clientId: CLIENT_1, accountId })).toBe(true);
  });

  it('fund rules carry the price currency and date; an unknown fund is not buyable', async () => {
    const rules = await run(activities(true).fundRules, {
      clientId: CLIENT_1,
      instruments: [FUND.kustlinje, 'XX0000000000SEK'],
    });
    expect(rules[FUND.kustlinje]).toMatchObject({
      closePrice: '108.42',
      priceCurrency: 'SEK',
      isBuyable: true,
      isTradable: true,
      unsupported: null,
    });
    expect(rules['XX0000000000SEK']).toMatchObject({ isBuyable: false, inUniverse: false });
  });
});

describe('Fondo → custodian port mappings (pure)', () => {
  it('a fund priced in another currency than SEK is refused clearly until currencies are supported', () => {
    const eur = rulesOf(
      {
        id: 'LU0000000001EUR',
        currency: 'EUR',
        closePrice: '12.34',
        isBuyable: true,
        isSellable: true,
        isTradable: true,
      },
      true
    );
    expect(eur).toMatchObject({
      isBuyable: false,
      isSellable: false,
      isTradable: false,
      priceCurrency: 'EUR',
      unsupported: { kind: 'currency', currency: 'EUR' },
    });
  });

  it.each([
    [
      { status: 'completed', reasonCode: null },
      { status: 'paid', amount: '500.00' },
    ],
    [
      { status: 'failed', reasonCode: '2' },
      { status: 'failed', failure: 'no-mandate', providerCode: '2' },
    ],
    [
      { status: 'processing', reasonCode: '1' },
      { status: 'failed', failure: 'insufficient-funds', providerCode: '1' },
    ],
    [
      { status: 'failed', reasonCode: '9' },
      { status: 'failed', failure: 'renewed-by-bank', providerCode: '9' },
    ],
    [
      { status: 'failed', reasonCode: '4' },
      { status: 'failed', failure: 'mandate-pending', providerCode: '4' },
    ],
    [
      { status: 'failed', reasonCode: null },
      { status: 'failed', failure: 'other', providerCode: null },
    ],
    [{ status: 'new', reasonCode: null }, { status: 'pending' }],
  ])('payment %j → %j', (fondo, port) => {
    const payment = { id: 'p1', clientRef: 'x', amount: '500.00', debitDate: '2031-03-25', ...fondo } as Payment;
    expect(outcomeOf(payment)).toMatchObject(port);
  });
});
