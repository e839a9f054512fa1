import { cycleDetails, planDetails } from '../../shared/current-details';
import type { CycleStatus, PlanStatus } from '../../shared/status';

const plan: PlanStatus = {
  planId: 'p-1',
  clientId: 'c0000000-0000-4000-8000-000000000001',
  accountId: 'a0000000-0000-4000-8000-000000000002',
  state: 'blocked-instrument',
  amount: '2000.00',
  dayOfMonth: 15,
  allocation: { source: 'fondo' },
  nextPeriod: '2026-12',
  nextDebitDate: '2026-12-15',
  nextSubmissionDeadline: '2026-12-14T18:00:00.000Z',
  paused: null,
  cancelled: null,
  blockedReasons: [],
  attention: [{ at: '2026-12-01T10:00:00.000Z', reason: 'KYC deadline passed; 400,00 kr carried' }],
  carry: { SE0007209820SEK: '400.00', SE0007110093SEK: '0.00' },
  consecutiveFailedPeriods: 0,
  activeCycles: [{ period: '2026-11', phase: 'blocked-instrument' }],
  cycles: [],
  rebalance: {
    policy: { enabled: false, cooldownDays: 31, minTradeAmount: '100.00', cashBufferPct: '0.25', cashFlow: true },
    running: null,
    pending: null,
    lastRebalanceDate: null,
    nextCalendarDate: null,
    runs: [],
  },
};

describe('current details (the UI summary)', () => {
  it('a plan: state, next action in Stockholm time, running cycles, money waiting, attention — no client or account id', () => {
    const text = planDetails(plan);
    expect(text.split('\n')).toEqual([
      '**Plan p-1** — state **blocked-instrument**, 2\u00a0000,00\u00a0kr a month',
      '- Next: submit 2\u00a0000,00\u00a0kr by 2026-12-14 19:00 Stockholm time for debit on 2026-12-15 (period 2026-12)',
      '- Running: period 2026-11 — blocked-instrument',
      '- Money waiting: 400,00\u00a0kr carried (SE0007209820SEK 400,00\u00a0kr)',
      '- **Needs attention** (1): KYC deadline passed; 400,00 kr carried',
    ]);
    expect(text).not.toContain(plan.clientId);
    expect(text).not.toContain(plan.accountId);
    const skipping = planDetails({
      ...plan,
      pendingSkips: ['2026-12'],
      nextSubmission: { period: '2027-01', debitDate: '2027-01-15', submissionDeadline: '2027-01-14T18:00:00.000Z' },
    }).split('\n');
    expect(skipping.slice(1, 3)).toEqual([
      '- Skip requested for 2026-12: nothing will be debited',
      '- Next: submit 2\u00a0000,00\u00a0kr by 2027-01-14 19:00 Stockholm time for debit on 2027-01-15 (period 2027-01)',
    ]);
    expect(planDetails({ ...plan, paused: { since: '2026-12-02T09:00:00.000Z', reason: 'r' } })).toContain(
      '- Paused since 2026-12-02: nothing is submitted until resumed'
    );
  });

  it('a cycle: phase, the last payment attempt with its code, open orders, held legs and KYC', () => {
    const cycle: CycleStatus = {
      planId: 'p-1',
      period: '2026-11',
      phase: 'blocked-instrument',
      payments: [
        {
          attempt: 1,
          clientRef: 'p-1:2026-11',
          instructionId: 'i',
          debitDate: '2026-12-02',
          status: 'completed',
          reasonCode: null,
          submittedAt: '2026-11-30T12:00:00.000Z',
          resolvedAt: '2026-12-02T05:00:00.000Z',
        },
      ],
      orders: [
        {
          instrument: 'F1',
          clientRef: 'p-1:2026-11:F1',
          orderId: 'o1',
          amount: '600.00',
          units: null,
          price: null,
          settledAmount: null,
          status: 'working',
          note: null,
        },
        {
          instrument: 'F2',
          clientRef: 'p-1:2026-11:F2',
          orderId: 'o2',
          amount: '1000.00',
          units: '1',
          price: '1',
          settledAmount: '1000.00',
          status: 'settled',
          note: null,
        },
      ],
      held: [
        {
          instrument: 'F3',
          amount: '400.00',
          reason: 'not-tradable',
          since: '2026-12-02T09:00:00.000Z',
          deadline: '2026-12-14T09:00:00.000Z',
        },
      ],
      blockedReason: null,
      kycBlockedSince: null,
      explanation: [],
    };
    expect(cycleDetails(cycle).split('\n')).toEqual([
      '**Period 2026-11** of plan p-1 — **blocked-instrument**',
      '- Payment p-1:2026-11: completed, debit 2026-12-02',
      '- Orders: 2 placed, 1 open (600,00\u00a0kr)',
      '- Held: F3 400,00\u00a0kr (not-tradable) until 2026-12-14',
    ]);
  });
});
