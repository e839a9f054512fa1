import { formatStatus } from '../../cli/format';
import { nextAction } from '../../cli/next-action';
import { buildStatement, formatStatement, STATEMENT_SCHEMA, stockholmInstants } from '../../cli/statement';
import { longDate, stockholmDateTime } from '../../cli/stockholm';
import type { CycleStatus, CycleSummary, PlanStatus } from '../../shared/status';

const N = 'SE0000000001SEK';
const E = 'SE0000000002SEK';

function cycle(overrides: Partial<CycleSummary> = {}): CycleSummary {
  return {
    planId: 'p-1',
    period: '2026-12',
    outcome: 'invested',
    scheduledDebitDate: '2026-12-28',
    debitDate: '2026-12-29',
    requestedAmount: '1500.00',
    paidAmount: '1500.00',
    payments: [
      {
        attempt: 1,
        clientRef: 'p-1:2026-12',
        instructionId: 'i1',
        debitDate: '2026-12-28',
        status: 'failed',
        reasonCode: '1',
        submittedAt: '2026-12-23T16:00:00.000Z',
        resolvedAt: '2026-12-28T05:00:00.000Z',
      },
      {
        attempt: 2,
        clientRef: 'p-1:2026-12:a2',
        instructionId: 'i2',
        debitDate: '2026-12-29',
        status: 'completed',
        reasonCode: null,
        submittedAt: '2026-12-28T07:00:00.000Z',
        resolvedAt: '2026-12-29T05:00:00.000Z',
      },
    ],
    orders: [
      {
        instrument: N,
        clientRef: `p-1:2026-12:${N}`,
        orderId: 'o1',
        amount: '1050.00',
        units: '4.1206',
        price: '254.81',
        settledAmount: '1049.99',
        status: 'settled',
        note: null,
      },
      {
        instrument: E,
        clientRef: `p-1:2026-12:${E}`,
        orderId: null,
        amount: '450.00',
        units: null,
        price: null,
        settledAmount: null,
        status: 'refused',
        note: 'below the fund minimum',
      },
    ],
    carryIn: { [E]: '50.00' },
    carried: [{ instrument: E, amount: '500.00', reason: 'below-minimum' }],
    carryOut: { [E]: '500.00' },
    residual: '0.00',
    settlementRemainder: '0.01',
    explanation: [`${N}: 70.00 % of 1 500,00 kr → 1 050,00 kr.`],
    legs: [
      {
        ...{ instrument: N, targetPercent: '70', splitPercent: '70', decision: 'ordered', amount: '1050.00' },
        ...{ minimum: '100.00', minimumKind: 'subsequent', estimatedUnits: '4.1207', unitDecimals: 4 },
        ...{ nav: '254.80', navDate: '2026-12-28' },
      },
      {
        ...{ instrument: E, targetPercent: '30', splitPercent: '30', decision: 'ordered', amount: '450.00' },
        ...{ minimum: '300.00', minimumKind: 'initial', estimatedUnits: '4.150525', unitDecimals: 6 },
        ...{ nav: '108.42', navDate: '2026-12-28' },
      },
    ],
    attention: null,
    timings: {
      startedAt: '2026-12-23T16:00:00.000Z',
      paidAt: '2026-12-29T05:00:00.000Z',
      investedAt: '2026-12-29T06:00:00.000Z',
      completedAt: '2027-01-04T10:00:00.000Z',
    },
    ...overrides,
  };
}

function plan(cycles: CycleSummary[]): PlanStatus {
  return {
    planId: 'p-1',
    clientId: 'c',
    accountId: 'a',
    state: 'active',
    amount: '1500.00',
    dayOfMonth: 25,
    allocation: {
      source: 'override',
      weights: [
        { instrument: N, percent: '70' },
        { instrument: E, percent: '30' },
      ],
    },
    nextPeriod: '2027-01',
    nextDebitDate: '2027-01-25',
    nextSubmissionDeadline: '2027-01-22T18:00:00.000Z',
    paused: null,
    cancelled: null,
    blockedReasons: [],
    attention: [],
    carry: { [E]: '500.00' },
    consecutiveFailedPeriods: 0,
    activeCycles: [],
    cycles,
    rebalance: {
      policy: { enabled: false, cooldownDays: 31, minTradeAmount: '100.00', cashBufferPct: '0.25', cashFlow: true },
      running: null,
      pending: null,
      lastRebalanceDate: null,
      nextCalendarDate: null,
      runs: [
        {
          planId: 'p-1',
          date: '2026-12-30',
          trigger: 'admin',
          outcome: 'completed',
          driftBefore: { maxAbsolutePp: '12.0000', total: '24.0000' },
          driftAfter: { maxAbsolutePp: '0.1000', total: '0.2000' },
          orders: [],
          skipped: [{ instrument: E, side: 'buy', reason: 'below the minimum trade' }],
          explanation: [],
          timings: {
            startedAt: '2026-12-30T09:00:00.000Z',
            sellsSettledAt: null,
            completedAt: '2026-12-30T10:00:00.000Z',
          },
        },
      ],
    },
  };
}

describe('Stockholm time for people', () => {
  it('names the zone, winter and summer', () => {
    expect(stockholmDateTime('2026-12-23T18:00:00.000Z')).toBe('2026-12-23 19:00 CET');
    expect(stockholmDateTime('2026-06-01T06:00:00.000Z')).toBe('2026-06-01 08:00 CEST');
    expect(longDate('2026-12-28')).toBe('Mon 28 Dec 2026');
  });
});

describe('statement', () => {
  it('tells a finished period: payment attempts with their codes, legs, carry, remainder, the money balancing', () => {
    const s = buildStatement(plan([cycle()]), []);
    expect(s.schema).toBe(STATEMENT_SCHEMA);
    expect(s.periods).toHaveLength(1);
    const p = s.periods[0]!;
    expect(p.payments.map((a) => [a.status, a.bankgirotCode, a.codeMeaning])).toEqual([
      ['failed', '1', 'insufficient funds (a renewed attempt may follow)'],
      ['completed', null, null],
    ]);
    expect(p.legs[0]).toMatchObject({ targetPercent: '70', remainder: '0.01', unitsBooked: '4.1206', price: '254.81' });
    expect(p.submissionDeadline).toBe('2026-12-23T18:00:00.000Z'); // the scheduled debit's cut-off
    expect(p.rebalanceRuns.map((r) => r.date)).toEqual(['2026-12-30']);
    expect(formatStatement(s)).toMatchSnapshot();
  });

  it('per leg: the split’s decision (weight, amount, minimum and which, NAV and date) and estimated vs booked units', () => {
    const p = buildStatement(plan([cycle()]), []).periods[0]!;
    expect(p.split.map((l) => [l.instrument, l.decision, l.minimum, l.minimumKind, l.nav, l.navDate])).toEqual([
      [N, 'ordered', '100.00', 'subsequent', '254.80', '2026-12-28'],
      [E, 'ordered', '300.00', 'initial', '108.42', '2026-12-28'],
    ]);
    expect(p.legs.map((l) => [l.instrument, l.estimatedUnits, l.unitsBooked, l.settledAmount, l.remainder])).toEqual([
      [N, '4.1207', '4.1206', '1049.99', '0.01'],
      [E, '4.150525', null, null, null],
    ]);
    // A later order of another amount (a held leg released) is not the split's estimate; an older summary has no split.
    const released = cycle({ orders: [{ ...cycle().orders[0]!, amount: '300.00', settledAmount: '300.00' }] });
    expect(buildStatement(plan([released]), []).periods[0]!.legs[0]!.estimatedUnits).toBeNull();
    const older = buildStatement(plan([{ ...cycle(), legs: undefined }]), []).periods[0]!;
    expect(older.split).toEqual([]);
    expect(older.legs.map((l) => [l.targetPercent, l.estimatedUnits])).toEqual([
      ['70', null],
      ['30', null],
    ]);
    expect(formatStatement({ ...buildStatement(plan([]), []), periods: [older] })).not.toContain('Split');
  });

  it('prints the instants the workflow wrote into its sentences in Stockholm time (JSON keeps them as written)', () => {
    const sentence = 'KYC does not allow orders: the money stays as cash; re-checking until 2031-05-10T06:00:00.000Z.';
    expect(stockholmInstants(sentence)).toBe(
      'KYC does not allow orders: the money stays as cash; re-checking until 2031-05-10 08:00 CEST.'
    );
    const s = buildStatement(plan([cycle({ explanation: [sentence] })]), []);
    expect(s.periods[0]!.explanation).toEqual([sentence]);
    expect(formatStatement(s)).toContain('re-checking until 2031-05-10 08:00 CEST.');
  });

  it('says when a period’s money does not balance', () => {
    const s = buildStatement(plan([cycle({ residual: '1.00' })]), []);
    expect(formatStatement(s)).toContain('DIFFERS by');
  });

  it('tells a running period: phase, held legs with deadline, KYC', () => {
    const running: CycleStatus = {
      planId: 'p-1',
      period: '2027-01',
      phase: 'blocked-kyc',
      payments: [
        {
          attempt: 1,
          clientRef: 'p-1:2027-01',
          instructionId: 'i3',
          debitDate: '2027-01-25',
          status: 'completed',
          reasonCode: null,
          submittedAt: '2027-01-22T16:00:00.000Z',
          resolvedAt: '2027-01-25T05:00:00.000Z',
        },
      ],
      orders: [],
      held: [
        {
          instrument: E,
          amount: '450.00',
          reason: 'not-tradable',
          since: '2027-01-25T06:00:00.000Z',
          deadline: '2027-02-08T06:00:00.000Z',
        },
      ],
      blockedReason: 'KYC does not allow orders',
      kycBlockedSince: '2027-01-25T06:00:00.000Z',
      explanation: [],
    };
    const s = buildStatement(plan([cycle()]), [running], '2027-01');
    expect(s.periods.map((p) => [p.period, p.state, p.phase])).toEqual([['2027-01', 'running', 'blocked-kyc']]);
    const text = formatStatement(s);
    expect(text).toContain('running: blocked-kyc');
    expect(text).toContain('Held            SE0000000002SEK 450,00');
    expect(text).toContain('until 2027-02-08 07:00 CET');
    expect(formatStatement(buildStatement(plan([]), [], '2020-01'))).toContain('No periods');
  });
});

describe('next action', () => {
  it('names the next submission in Stockholm time with the amount and debit date', () => {
    expect(nextAction(plan([cycle()]), [])).toBe(
      'by 2027-01-22 19:00 CET: submit 1\u00a0500,00\u00a0kr for debit on Mon 25 Jan 2027 (period 2027-01)'
    );
  });
  it('says a requested skip debits nothing and names the first period submitted after it', () => {
    const status: PlanStatus = {
      ...plan([cycle()]),
      pendingSkips: ['2027-01'],
      nextSubmission: { period: '2027-02', debitDate: '2027-02-25', submissionDeadline: '2027-02-24T18:00:00.000Z' },
    };
    expect(nextAction(status, [])).toBe(
      'period 2027-01 is skipped (requested): nothing will be debited; ' +
        'by 2027-02-24 19:00 CET: submit 1\u00a0500,00\u00a0kr for debit on Thu 25 Feb 2027 (period 2027-02)'
    );
    const text = formatStatus(status, []);
    expect(text).toContain('  skip requested   for 2027-01: nothing will be debited');
    expect(formatStatus(plan([cycle()]), [])).not.toContain('skip requested');
    expect(nextAction({ ...status, nextSubmission: null }, [])).toBe(
      'period 2027-01 is skipped (requested): nothing will be debited'
    );
  });
  it('puts a running cycle first, and says nothing is submitted while paused', () => {
    const status = { ...plan([]), paused: { since: '2027-01-02T09:00:00.000Z', reason: 'r' } };
    const running: CycleStatus = {
      planId: 'p-1',
      period: '2026-12',
      phase: 'waiting-orders',
      payments: [],
      orders: [cycle().orders[0]!, { ...cycle().orders[0]!, status: 'working' }],
      held: [],
      blockedReason: null,
      kycBlockedSince: null,
      explanation: [],
    };
    expect(nextAction(status, [running])).toBe(
      'period 2026-12: waiting for 1 order(s) to settle; then nothing is submitted while paused (since 2027-01-02 10:00 CET); resume to continue'
    );
  });
});
