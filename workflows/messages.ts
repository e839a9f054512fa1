/**
 * Handlers that validate where a message lands. Every signal and update payload is parsed with its schema from
 * shared/messages.ts before the workflow acts on it:
 * - an invalid signal is ignored and logged with the signal's name and the zod issue's path and code — never the
 *   payload, which may hold anything a caller typed;
 * - an invalid update is rejected by its synchronous validator (a plain Error: the update never enters history),
 *   and the handler acts on the parsed value only.
 * So nothing a caller sends can put state into a plan that its next run (continue-as-new) would reject.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, log, patched, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { FailureType } from '../shared/failure-types';
import {
  OrderEventPayload,
  OrderEventsEnvelope,
  orderEventSignal,
  orderEventsSignal,
} from '../shared/messages';
import { describeIssue } from '../shared/plan';
import { PATCH } from './patches';

/** The first issue's location and kind, safe to log (zod messages may quote the value). */
export function issueShape(error: z.ZodError): { path: string; code: string } {
  const issue = error.issues[0];
  return { path: issue?.path.map(String).join('.') ?? '', code: issue?.code ?? 'invalid' };
}

/** Registers a signal handler that runs only for a payload the schema accepts. */
export function onSignal<S extends z.ZodType, Args extends unknown[]>(
  signal: SignalDefinition<Args>,
  schema: S,
  handler: (payload: z.output<S>) => void | Promise<void>
): void {
  setHandler(signal, (...args: Args) => {
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      log.warn('invalid signal ignored', { signal: signal.name, issue: issueShape(parsed.error) });
      return;
    }
    return handler(parsed.data);
  });
}

/**
 * Registers an update whose validator parses the payload (and runs `guard`, e.g. "the plan is not cancelled");
 * the handler receives the parsed value.
 */
export function onUpdate<S extends z.ZodType, Ret, Args extends [unknown]>(
  update: UpdateDefinition<Ret, Args>,
  schema: S,
  handler: (payload: z.output<S>) => Ret | Promise<Ret>,
  guard: () => void = () => undefined
): void {
  setHandler(
    update,
    (...args: Args) => {
      // The validator accepted this payload; parsing again is deterministic, so this only guards replays of
      // histories recorded before validation existed.
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) {
        throw ApplicationFailure.nonRetryable(
          `${update.name}: ${describeIssue(parsed.error)}`,
          FailureType.InvalidPlanInput
        );
      }
      return handler(parsed.data);
    },
    {
      validator: (...args: Args) => {
        guard();
        const parsed = schema.safeParse(args[0]);
        if (!parsed.success) throw new Error(describeIssue(parsed.error));
      },
    }
  );
}

/**
 * Registers the event bridge's order signals: one event (`orderEvent`) or a batch (`orderEvents`). In a batch each
 * event is checked on its own, so a malformed one is logged and dropped without losing the others. Events are hints
 * either way (the order book reads the custodian before booking).
 *
 * A batch is acted on only behind patch `order-events-batched`: a worker without this handler (before the deploy, or
 * after a rollback) leaves the signal unhandled and records no command for it, so a history it wrote must replay
 * ignoring the batch — the cycle then finishes at its safety net's read, as it did on that worker.
 */
export function onOrderEvents(apply: (event: z.output<typeof OrderEventPayload>) => void): void {
  onSignal(orderEventSignal, OrderEventPayload, apply);
  onSignal(orderEventsSignal, OrderEventsEnvelope, ({ events }) => {
    if (!patched(PATCH.orderEventsBatched)) return;
    for (const event of events) {
      const parsed = OrderEventPayload.safeParse(event);
      if (parsed.success) apply(parsed.data);
      else log.warn('invalid order event ignored', { signal: orderEventsSignal.name, issue: issueShape(parsed.error) });
    }
  });
}
