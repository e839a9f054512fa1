import type { ServerResponse } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPlanCheckActivities } from '../../../activities/plan-check';
import { sharedReads } from '../../../activities/shared-reads';
import { clearTokenCache, FondoClient } from '../../../fondo';
import { FailureType } from '../../../shared/failure-types';
import type { AllocationSource } from '../../../shared/plan';
import type { PlanFacts } from '../../../shared/plan-check';
import { clientOptions, sendRawJson, startFakeFondo, type FakeFondo } from '../../fondo/helpers/fake-fondo';

// Bad-input corpus (issue 12.6), malformed Fondo responses, through the preflight's activity (planCheckFacts)
// against a local Fondo-shaped server: a response that breaks the contract fails the check with the right failure
// type — it is never read as a fact ("no such account", "fund unknown") and never lets a plan start.
const CLIENT = 'c-1';
const ACCOUNT = 'a-1';
const FUND = 'SE0007100128SEK';
const ACCOUNT_PATH = `/v2/partner/client/${CLIENT}/account/${ACCOUNT}`;
const UNIVERSE_PATH = `/v2/partner/client/${CLIENT}/instrument`;
const ALLOCATION_PATH = `/v2/partner/client/${CLIENT}/allocationplan/account/${ACCOUNT}`;
const GOOD_ACCOUNT = JSON.stringify({
  id: ACCOUNT,
  sortedId: '1',
  name: 'ISK',
  status: 'active',
  accountType: 'isk',
  serviceType: 'portfolioManagement',
  balance: 0,
  positions: [],
  deleted: false,
  clientId: CLIENT,
  currency: 'SEK',
});
const GOOD_UNIVERSE = JSON.stringify([
  { id: FUND, closePrice: 412.37, decimalsUnits: 4, isBuyable: true, isSellable: true, isTradable: true },
]);
const OVERRIDE: AllocationSource = { source: 'override', weights: [{ instrument: FUND, percent: '100' }] };
const FONDO_SOURCE: AllocationSource = { source: 'fondo' };

type Answer = (res: ServerResponse) => void;
const raw =
  (status: number, text: string, headers: Record<string, string> = {}): Answer =>
  (res) =>
    sendRawJson(res, status, text, headers);
const html: Answer = (res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<html>maintenance</html>');
};

const CASES: [string, { account?: Answer; universe?: Answer; allocation?: Answer }, AllocationSource, string][] = [
  ['account: an HTML page', { account: html }, OVERRIDE, FailureType.FondoInvalidResponse],
  ['account: truncated JSON', { account: raw(200, '{"id":') }, OVERRIDE, FailureType.FondoInvalidResponse],
  ['account: an array', { account: raw(200, '[]') }, OVERRIDE, FailureType.FondoInvalidResponse],
  ['account: an empty object', { account: raw(200, '{}') }, OVERRIDE, FailureType.FondoInvalidResponse],
  [
    'account: a numeric id',
    { account: raw(200, GOOD_ACCOUNT.replace(`"id":"${ACCOUNT}"`, '"id":null')) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  [
    'account: balance "lots"',
    { account: raw(200, GOOD_ACCOUNT.replace('"balance":0', '"balance":"lots"')) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  [
    'account: positions as a string',
    { account: raw(200, GOOD_ACCOUNT.replace('"positions":[]', '"positions":"none"')) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  [
    'account: deleted missing',
    { account: raw(200, GOOD_ACCOUNT.replace(',"deleted":false', '')) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  ['account: 500', { account: raw(500, '{"error":"server_error"}') }, OVERRIDE, FailureType.FondoUnavailable],
  [
    'account: 503 with Retry-After',
    { account: raw(503, '{}', { 'retry-after': '1' }) },
    OVERRIDE,
    FailureType.FondoUnavailable,
  ],
  ['account: 429', { account: raw(429, '{"error":"rate_limited"}') }, OVERRIDE, FailureType.FondoUnavailable],
  ['universe: an object, not a list', { universe: raw(200, '{}') }, OVERRIDE, FailureType.FondoInvalidResponse],
  ['universe: an instrument without id', { universe: raw(200, '[{}]') }, OVERRIDE, FailureType.FondoInvalidResponse],
  [
    'universe: a price with a decimal comma',
    { universe: raw(200, `[{"id":"${FUND}","closePrice":"412,37"}]`) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  [
    'universe: decimals as a word',
    { universe: raw(200, `[{"id":"${FUND}","decimalsUnits":"four"}]`) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  [
    'universe: isBuyable as a string',
    { universe: raw(200, `[{"id":"${FUND}","isBuyable":"yes"}]`) },
    OVERRIDE,
    FailureType.FondoInvalidResponse,
  ],
  ['universe: an empty body', { universe: raw(200, '') }, OVERRIDE, FailureType.FondoInvalidResponse],
  ['universe: 502', { universe: raw(502, '') }, OVERRIDE, FailureType.FondoUnavailable],
  [
    'allocation plan: instruments as a string',
    { allocation: raw(200, `{"id":"ap-1","account":"${ACCOUNT}","instruments":"all"}`) },
    FONDO_SOURCE,
    FailureType.FondoInvalidResponse,
  ],
  [
    'allocation plan: a share as a word',
    {
      allocation: raw(
        200,
        `{"id":"ap-1","account":"${ACCOUNT}","instruments":[{"instrument":"${FUND}","allocation":"half"}]}`
      ),
    },
    FONDO_SOURCE,
    FailureType.FondoInvalidResponse,
  ],
];

describe('bad-input corpus: malformed Fondo responses to the plan check', () => {
  let fake: FakeFondo;
  let answers: { account?: Answer; universe?: Answer; allocation?: Answer };

  beforeAll(async () => {
    fake = await startFakeFondo();
    fake.route('GET', ACCOUNT_PATH, (_req, res) => (answers.account ?? raw(200, GOOD_ACCOUNT))(res));
    fake.route('GET', UNIVERSE_PATH, (_req, res) => (answers.universe ?? raw(200, GOOD_UNIVERSE))(res));
    fake.route('GET', ALLOCATION_PATH, (_req, res) =>
      (
        answers.allocation ??
        raw(200, `{"id":"ap-1","account":"${ACCOUNT}","instruments":[{"instrument":"${FUND}","allocation":100}]}`)
      )(res)
    );
  });
  afterAll(async () => fake?.close());
  beforeEach(() => clearTokenCache());

  const check = (allocation: AllocationSource) => {
    const fondoClient = new FondoClient(clientOptions(fake.url));
    const activities = createPlanCheckActivities(fondoClient, sharedReads(fondoClient, 0));
    return new MockActivityEnvironment().run(activities.planCheckFacts, {
      clientId: CLIENT,
      accountId: ACCOUNT,
      allocation,
    });
  };

  it.each(CASES)(
    '%s: the check fails with its failure type, no fact is invented',
    async (_name, answer, allocation, type) => {
      answers = answer;
      const error = await check(allocation).then(
        () => undefined,
        (err: unknown) => err
      );
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect((error as ApplicationFailure).type).toBe(type);
      expect((error as ApplicationFailure).nonRetryable).toBe(type !== FailureType.FondoUnavailable);
    }
  );

  it('reads the well-formed answers as facts (the corpus fails only what is malformed)', async () => {
    answers = {};
    const facts = (await check(FONDO_SOURCE)) as PlanFacts;
    expect(facts.account).toEqual({ found: true, status: 'active', active: true });
    expect(facts.fondoAllocation).toEqual({ weights: [{ instrument: FUND, percent: '100' }] });
    expect(facts.funds[FUND]).toMatchObject({ known: true, inUniverse: true });
  });
});
