// The single workflowsPath entry: every workflow the worker runs, re-exported by name.
export { connectivityCheck } from './connectivity';
export { savingsPlanWorkflow } from './savings-plan';
export { savingsCycleWorkflow } from './savings-cycle';
export { rebalanceWorkflow } from './rebalance';
export { planPreflightWorkflow } from './plan-preflight';
