import { ConfigError, loadWorkerSizing, WORKER_SIZING_DEFAULTS } from '../../workers/config';

describe('worker sizing configuration (workers/config.ts)', () => {
  it('bounds the cache and the slots by default, from the measured defaults', () => {
    expect(loadWorkerSizing({})).toEqual({
      maxCachedWorkflows: WORKER_SIZING_DEFAULTS.maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: WORKER_SIZING_DEFAULTS.maxConcurrentWorkflowTasks,
      maxConcurrentActivityTaskExecutions: WORKER_SIZING_DEFAULTS.maxConcurrentActivities,
      workflowThreadPoolSize: 1,
      reuseV8Context: true,
    });
  });

  it('reads every setting from its variable', () => {
    expect(
      loadWorkerSizing({
        WORKER_MAX_CACHED_WORKFLOWS: '250',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
        WORKER_MAX_CONCURRENT_ACTIVITIES: ' 64 ',
        WORKER_WORKFLOW_THREADS: '2',
        WORKER_REUSE_V8_CONTEXT: 'false',
      })
    ).toEqual({
      maxCachedWorkflows: 250,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxConcurrentActivityTaskExecutions: 64,
      workflowThreadPoolSize: 2,
      reuseV8Context: false,
    });
  });

  it('fits the workflow task slots into a small cache, and keeps the default slots without a cache', () => {
    expect(loadWorkerSizing({ WORKER_MAX_CACHED_WORKFLOWS: '2' }).maxConcurrentWorkflowTaskExecutions).toBe(2);
    expect(loadWorkerSizing({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toMatchObject({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: WORKER_SIZING_DEFAULTS.maxConcurrentWorkflowTasks,
    });
  });

  it.each([
    [{ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }, /WORKER_MAX_CACHED_WORKFLOWS: must be a whole number/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '-5' }, /WORKER_MAX_CACHED_WORKFLOWS: must be a whole number/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '1' }, /WORKER_MAX_CACHED_WORKFLOWS: must be 0 \(no cache\) or at least 2/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '2.5' }, /WORKER_MAX_CACHED_WORKFLOWS: must be a whole number/],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '1000000' }, /WORKER_MAX_CACHED_WORKFLOWS: must be at most 100000/],
    [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }, /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must be at least 2/],
    [
      { WORKER_MAX_CACHED_WORKFLOWS: '10', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '11' },
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed WORKER_MAX_CACHED_WORKFLOWS \(10\)/,
    ],
    [{ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, /WORKER_MAX_CONCURRENT_ACTIVITIES: must be at least 1/],
    [{ WORKER_WORKFLOW_THREADS: '' }, /WORKER_WORKFLOW_THREADS: must be a whole number/],
    [{ WORKER_REUSE_V8_CONTEXT: 'yes' }, /WORKER_REUSE_V8_CONTEXT: /],
  ])('refuses %j at start-up, naming the variable', (env, message) => {
    expect(() => loadWorkerSizing(env)).toThrow(ConfigError);
    expect(() => loadWorkerSizing(env)).toThrow(message);
  });
});
