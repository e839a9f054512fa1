import fc from 'fast-check';
import { foldCycle, isUnpaid, keepNewest, planStateOf, type PlanStateFacts } from '../../shared/plan-state';
import type { CyclePhase } from '../../shared/status';
import { CYCLE_PHASES } from '../../shared/messages';

const none: PlanStateFacts = {
  cancelled: false,
  paused: false,
  attentionItems: 0,
  cyclePhases: [],
  rebalancing: false,
};
const PHASES: readonly CyclePhase[] = CYCLE_PHASES;

describe('PlanState from the plan facts', () => {
  it.each<[string, Partial<PlanStateFacts>, string]>([
    ['nothing running', {}, 'active'],
    ['cancelled wins over everything', { cancelled: true, attentionItems: 2, paused: true }, 'cancelled'],
    ['attention over blocks', { attentionItems: 1, cyclePhases: ['blocked-kyc'] }, 'needs-attention'],
    ['KYC block over a closed fund', { cyclePhases: ['blocked-instrument', 'blocked-kyc'] }, 'blocked-kyc'],
    ['a closed fund', { cyclePhases: ['blocked-instrument'] }, 'blocked-instrument'],
    ['paused', { paused: true }, 'paused'],
    ['rebalancing', { rebalancing: true }, 'rebalancing'],
    ['a cycle before its payment', { cyclePhases: ['pre-check'] }, 'waiting-payment'],
    ['a cycle waiting for its payment', { cyclePhases: ['waiting-payment'] }, 'waiting-payment'],
    ['a paid cycle is investing (issue 16 item 4)', { cyclePhases: ['paid'] }, 'investing'],
    ['a paid cycle waiting for its order turn', { cyclePhases: ['waiting-turn'] }, 'investing'],
    ['orders in flight', { cyclePhases: ['waiting-orders'] }, 'investing'],
    ['one cycle unpaid, one investing', { cyclePhases: ['waiting-orders', 'waiting-payment'] }, 'waiting-payment'],
  ])('%s', (_what, facts, state) => {
    expect(planStateOf({ ...none, ...facts })).toBe(state);
  });

  it('only pre-check and waiting-payment are unpaid', () => {
    expect(PHASES.filter(isUnpaid)).toEqual(['pre-check', 'waiting-payment']);
  });

  it('property: a paid cycle never makes the plan waiting-payment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PHASES.filter((p) => !isUnpaid(p)))),
        fc.boolean(),
        (phases, rebalancing) => {
          expect(planStateOf({ ...none, cyclePhases: phases, rebalancing })).not.toBe('waiting-payment');
        }
      )
    );
  });
});

describe('folding a finished cycle into the plan', () => {
  const plan = { consecutiveFailedPeriods: 0, paused: false, maxConsecutiveFailedPeriods: 3 };

  it('a failed payment counts; the third in a row pauses the plan with a reason and an attention item', () => {
    const failed = { outcome: 'payment-failed' as const, paidAmount: '0.00', anySettled: false };
    expect(foldCycle(failed, plan)).toEqual({ consecutiveFailedPeriods: 1, selfPause: null, driftCheckDue: false });
    expect(foldCycle(failed, { ...plan, consecutiveFailedPeriods: 2 })).toEqual({
      consecutiveFailedPeriods: 3,
      selfPause: { reason: '3 failed periods in a row', attention: 'paused itself after 3 failed periods in a row' },
      driftCheckDue: false,
    });
    expect(foldCycle(failed, { ...plan, consecutiveFailedPeriods: 2, paused: true }).selfPause).toBeNull();
  });

  it('money received resets the count; settled orders ask for a drift check', () => {
    const invested = { outcome: 'invested' as const, paidAmount: '1000.00', anySettled: true };
    expect(foldCycle(invested, { ...plan, consecutiveFailedPeriods: 2 })).toEqual({
      consecutiveFailedPeriods: 0,
      selfPause: null,
      driftCheckDue: true,
    });
    expect(foldCycle({ ...invested, anySettled: false }, plan).driftCheckDue).toBe(false);
  });

  it('a period with nothing paid and no payment failure (skipped, needs-attention) changes nothing', () => {
    const skipped = { outcome: 'needs-attention' as const, paidAmount: '0.00', anySettled: false };
    expect(foldCycle(skipped, { ...plan, consecutiveFailedPeriods: 2 })).toEqual({
      consecutiveFailedPeriods: 2,
      selfPause: null,
      driftCheckDue: false,
    });
  });

  it('keepNewest keeps the newest 12, newest last', () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    expect(keepNewest(list, 12)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(keepNewest([], 'a')).toEqual(['a']);
  });
});
