/**
 * Temporal Cloud billable actions, counted from workflow histories (docs.temporal.io/cloud/pricing,
 * docs.temporal.io/cloud/actions): a client's workflow start, a child workflow start, each activity scheduled, each timer started, each signal
 * received, each update accepted, a continue-as-new and each search-attribute upsert. An upsert that sets only
 * `TemporalChangeVersion` — the SDK adds one to every `patched()` marker in a new execution — is exempt
 * ("Search Attribute upsert requested"; temporalio/documentation#3342). Used by the scale benchmark and the
 * real-pacing plan-month test (test/workflows/plan-month-actions.test.ts).
 */
import { temporal } from '@temporalio/proto';

export type ActionType =
  | 'workflow starts'
  | 'child workflows'
  | 'activities'
  | 'timers'
  | 'signals'
  | 'updates'
  | 'continue-as-new'
  | 'upserts';

export const ACTION_TYPES: readonly ActionType[] = [
  'workflow starts',
  'child workflows',
  'activities',
  'timers',
  'signals',
  'updates',
  'continue-as-new',
  'upserts',
];

export type ActionCounts = Record<ActionType, number>;

/** History event type (its protobuf name) → billable action. */
const ACTION_OF_EVENT: Record<string, ActionType> = {
  EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: 'child workflows',
  EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: 'activities',
  EVENT_TYPE_TIMER_STARTED: 'timers',
  EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: 'signals',
  EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 'updates',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'continue-as-new',
  EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 'upserts',
};

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** An upsert that sets only `TemporalChangeVersion` (a patch marker's; not billed). */
export function onlyChangeVersion(event: HistoryEvent): boolean {
  const fields = Object.keys(
    event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}
  );
  return fields.length > 0 && fields.every((f) => f === 'TemporalChangeVersion');
}

/** The event's type as its protobuf name (`EVENT_TYPE_…`). */
export function eventTypeName(event: HistoryEvent): string {
  const name = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
  return name.replace(/^(?!EVENT_TYPE_)/, 'EVENT_TYPE_');
}

/** The billable action an event stands for, if any. */
export function actionOf(event: HistoryEvent): ActionType | undefined {
  const name = eventTypeName(event);
  if (name === 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED') {
    // A client's start is a workflow start; a child's start is billed as its parent's child workflow, a
    // continue-as-new as the run that continued.
    const started = event.workflowExecutionStartedEventAttributes;
    return started?.parentWorkflowExecution || started?.continuedExecutionRunId ? undefined : 'workflow starts';
  }
  const action = ACTION_OF_EVENT[name];
  return action === 'upserts' && onlyChangeVersion(event) ? undefined : action;
}

/** Zero of every action type. */
export function noActions(): ActionCounts {
  return Object.fromEntries(ACTION_TYPES.map((t) => [t, 0])) as ActionCounts;
}

/** The billable actions of some histories, by type, and their total. */
export function countActions(histories: temporal.api.history.v1.IHistory[]): { actions: ActionCounts; total: number } {
  const actions = noActions();
  for (const history of histories)
    for (const event of history.events ?? []) {
      const action = actionOf(event);
      if (action) actions[action]++;
    }
  return { actions, total: ACTION_TYPES.reduce((n, t) => n + actions[t], 0) };
}
