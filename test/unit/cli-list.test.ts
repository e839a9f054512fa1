import { latestRunPerPlan, type PlanExecutionRow } from '../../cli/format';

const run = (planId: string, startMs: number, status: string, state = 'active'): PlanExecutionRow => ({
  workflowId: `savings-plan:${planId}`,
  startMs,
  planId,
  clientId: 'c-1',
  state,
  nextDebitDate: '2027-01-25',
  status,
});

// Issue 13.4: `list --all` printed one row per continue-as-new run; it shows one row per plan, its latest run.
describe('list: one row per plan', () => {
  it("keeps each plan's latest run, whatever order visibility returns them in", () => {
    const rows = latestRunPerPlan([
      run('p-b', 1, 'continuedasnew'),
      run('p-a', 5, 'running', 'blocked-kyc'),
      run('p-b', 3, 'running', 'investing'),
      run('p-a', 2, 'continuedasnew'),
      run('p-b', 2, 'continuedasnew'),
    ]);
    expect(rows).toEqual([
      { planId: 'p-a', clientId: 'c-1', state: 'blocked-kyc', nextDebitDate: '2027-01-25', status: 'running' },
      { planId: 'p-b', clientId: 'c-1', state: 'investing', nextDebitDate: '2027-01-25', status: 'running' },
    ]);
  });

  it('lists a finished plan once, by its last run', () => {
    expect(latestRunPerPlan([run('p-c', 9, 'completed', 'completed'), run('p-c', 4, 'continuedasnew')])).toEqual([
      { planId: 'p-c', clientId: 'c-1', state: 'completed', nextDebitDate: '2027-01-25', status: 'completed' },
    ]);
  });

  it('lists nothing when nothing matches', () => {
    expect(latestRunPerPlan([])).toEqual([]);
  });
});
