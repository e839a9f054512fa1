import { phaseChangeToReport, planStateOf, planStateOfPhase, type PlanStateFacts } from '../../shared/plan-state';
import type { CyclePhase } from '../../shared/status';
import { CYCLE_PHASES } from '../../shared/messages';

// Patch `phase-signals-only-state-changes`: a cycle tells its plan about a phase change only when the plan's
// PlanState could change. That is sound only if phases with the same `planStateOfPhase` are interchangeable in
// `planStateOf` whatever the plan's other facts; checked here over every combination of facts.
const PHASES: readonly CyclePhase[] = CYCLE_PHASES;

function* allFacts(): Generator<Omit<PlanStateFacts, 'cyclePhases'> & { others: CyclePhase[] }> {
  for (const cancelled of [false, true])
    for (const paused of [false, true])
      for (const attentionItems of [0, 1])
        for (const rebalancing of [false, true])
          for (const others of [[], ...PHASES.map((p) => [p])])
            yield { cancelled, paused, attentionItems, rebalancing, others };
}

describe('which cycle phase changes the plan hears of', () => {
  it('each phase stands for one PlanState', () => {
    expect(Object.fromEntries(PHASES.map((p) => [p, planStateOfPhase(p)]))).toEqual({
      'pre-check': 'waiting-payment',
      'waiting-payment': 'waiting-payment',
      paid: 'investing',
      'waiting-turn': 'investing',
      'blocked-kyc': 'blocked-kyc',
      investing: 'investing',
      'blocked-instrument': 'blocked-instrument',
      'waiting-orders': 'investing',
      completed: 'investing',
    });
  });

  it('phases standing for the same PlanState give the same PlanState whatever else the plan knows', () => {
    let compared = 0;
    for (const a of PHASES)
      for (const b of PHASES) {
        if (planStateOfPhase(a) !== planStateOfPhase(b)) continue;
        for (const { others, ...facts } of allFacts()) {
          compared++;
          expect(planStateOf({ ...facts, cyclePhases: [a, ...others] })).toBe(
            planStateOf({ ...facts, cyclePhases: [b, ...others] })
          );
        }
      }
    expect(compared).toBeGreaterThan(1000);
  });

  it.each<[CyclePhase, CyclePhase, boolean]>([
    ['pre-check', 'waiting-payment', false],
    ['waiting-payment', 'paid', true],
    ['paid', 'waiting-turn', false],
    ['paid', 'investing', false],
    ['investing', 'waiting-orders', false],
    ['paid', 'blocked-kyc', true],
    ['blocked-kyc', 'investing', true],
    ['investing', 'blocked-instrument', true],
    ['blocked-instrument', 'waiting-orders', true],
    ['waiting-orders', 'completed', false],
    ['blocked-kyc', 'completed', false], // the end comes with the cycle's result
    ['waiting-payment', 'completed', false],
  ])('%s → %s: reported %s', (from, to, reported) => {
    expect(phaseChangeToReport(from, to)).toBe(reported);
  });
});
