// The single workflowsPath entry: every workflow the worker runs, re-exported by name.
export { connectivityCheck } from './connectivity';
