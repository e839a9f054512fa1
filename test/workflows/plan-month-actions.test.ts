import type { ActionCounts } from '../../bench/billable-actions';
import { monthActions, runPlanMonths } from '../helpers/real-pacing';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';

// Issue 14: billable actions per 3-fund plan-month on the happy path, with real pacing (test/helpers/real-pacing.ts:
// Temporal's and Fondo's clocks together, the bridge's signals delivered a minute after each Fondo step). The
// second month of a three-month plan is the steady state: the run that continued as new from month 1, and its
// cycle, ending in the continue-as-new that starts month 3. At commit 7371252 the same month cost 31 actions
// (12 activities, 11 timers, 3 signals, 3 upserts, a child, a continue-as-new): the orders' safety net read 7 times
// while they settled, and the plan's wait started a timer at every wake.
describe('billable actions per plan-month, real pacing', () => {
  let s: SavingsEnv;
  beforeAll(async () => (s = await createSavingsEnv({ name: 'plan-month' })), 60_000);
  afterAll(() => s?.teardown());
  afterEach(() => expect(s.sandbox.engine.checkInvariants()).toEqual([]));

  it('a 3-fund plan-month costs 16 actions: no read while the orders settle, one plan timer across wakes', async () => {
    const run = await runPlanMonths(s, { planId: 'plan-month', accountNumber: 1700, months: 3 });
    expect(run.outcomes).toEqual(['invested', 'invested', 'invested']);
    const month = monthActions(run.months[1]!);
    const expected: ActionCounts = {
      'workflow starts': 0,
      'continue-as-new': 1, // the run's own continue-as-new, which starts month 3 (month 2 began with month 1's)
      'child workflows': 1,
      activities: 5, // planCheckFacts, submitAutogiroPayment, paymentOutcomeThenSnapshot, placeSubscriptions, getOrderStates
      // The plan's sleep until the submission deadline and its wait for the next period while the cycle runs (one
      // timer across the cycle's phase signal and end; it was one per wake); the payment's 08:00 and the orders'
      // safety net, both cancelled by the events.
      timers: 4,
      signals: 3, // paymentEvent, childPhase `paid`, one orderEvents batch
      updates: 0,
      upserts: 2, // PlanState waiting-payment, investing (active is carried by the continue-as-new)
    };
    expect(month.actions).toEqual(expected);
    expect(month.total).toBe(16);
  }, 300_000);
});
