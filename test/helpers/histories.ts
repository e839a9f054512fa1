/** Reading workflow histories in tests. */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { PlanStateKey } from '../../shared/search-attributes';

/** Every PlanState a plan's run upserted, in order. */
export function upsertedStates(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((e) => {
    const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[PlanStateKey.name];
    return field ? [defaultPayloadConverter.fromPayload<string>(field)] : [];
  });
}
