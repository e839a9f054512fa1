import { createSystemActivities, type SystemDeps } from './system';

export type ActivityDeps = SystemDeps;

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemActivities(deps),
  };
}

/** The activity interface workflows proxy (imported there as a type only). */
export type Activities = ReturnType<typeof createActivities>;
