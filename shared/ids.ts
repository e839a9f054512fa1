/**
 * Workflow ids and business references. Every payment and order carries a deterministic `clientRef` derived from
 * plan, period (or rebalance date), leg and attempt, so a retry of the same attempt reuses it and Fondo (or our
 * lookup before create) recognises the object; a NEW attempt after a definitive failure gets a new suffix.
 *
 *   savings-plan:<planId>                      plan entity workflow
 *   savings-cycle:<planId>:<YYYY-MM>           one period's cycle (a period can never run twice)
 *   rebalance:<planId>:<YYYY-MM-DD>            one rebalance run (at most one per plan and day)
 *   <planId>:<YYYY-MM>                         autogiro payment, first attempt
 *   <planId>:<YYYY-MM>:a<n>                    renewed payment attempt n ≥ 2
 *   <planId>:<YYYY-MM>:<instrument>            subscription order of a cycle
 *   <planId>:<YYYY-MM>:<instrument>:<n>        n-th order for that fund in the cycle (re-placement, redistribution)
 *   <planId>:rb:<YYYY-MM-DD>:<instrument>:sell|buy[:<n>]   rebalance orders
 *
 * planIds are opaque (our own), lower-case; anything that looks like a personnummer is refused, so personal data
 * can never end up in workflow ids, search attributes or references.
 */
import { z } from 'zod';

/** Tested in a refine, not with `.regex()`: zod rewinds a check's RegExp at every parse, and preloaded schemas are frozen (workflows/preload.ts). */
const PLAN_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,46}[a-z0-9])$/;

export const PlanIdSchema = z
  .string()
  .refine(
    (id) => PLAN_ID_PATTERN.test(id),
    'must be 3–48 characters of a–z, 0–9 and "-", starting and ending with a letter or digit'
  )
  .refine(
    (id) => !/\d{8,}/.test(id.replace(/-/g, '')),
    'must not contain 8 or more consecutive digits (it could be a personnummer)'
  );

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const planWorkflowId = (planId: string): string => `savings-plan:${planId}`;
export const cycleWorkflowId = (planId: string, period: string): string => `savings-cycle:${planId}:${period}`;
export const rebalanceWorkflowId = (planId: string, date: string): string => `rebalance:${planId}:${date}`;

export function paymentClientRef(planId: string, period: string, attempt: number): string {
  return attempt <= 1 ? `${planId}:${period}` : `${planId}:${period}:a${attempt}`;
}

export function subscriptionClientRef(planId: string, period: string, instrument: string, seq: number): string {
  return seq <= 1 ? `${planId}:${period}:${instrument}` : `${planId}:${period}:${instrument}:${seq}`;
}

export function rebalanceClientRef(
  planId: string,
  date: string,
  instrument: string,
  side: 'sell' | 'buy',
  seq: number
): string {
  const base = `${planId}:rb:${date}:${instrument}:${side}`;
  return seq <= 1 ? base : `${base}:${seq}`;
}

export type ParsedClientRef =
  | { kind: 'payment'; planId: string; period: string; attempt: number; workflowId: string }
  | { kind: 'subscription'; planId: string; period: string; instrument: string; seq: number; workflowId: string }
  | {
      kind: 'rebalance-order';
      planId: string;
      date: string;
      instrument: string;
      side: 'sell' | 'buy';
      seq: number;
      workflowId: string;
    };

/** Maps a clientRef back to the workflow that owns it (the event bridge's routing); undefined if not ours. */
export function parseClientRef(ref: string): ParsedClientRef | undefined {
  const parts = ref.split(':');
  const [planId, second, third, fourth, fifth, sixth] = parts;
  if (!planId || !PlanIdSchema.safeParse(planId).success || !second) return undefined;
  if (second === 'rb') {
    if (!third || !DATE.test(third) || !fourth || (fifth !== 'sell' && fifth !== 'buy') || parts.length > 6)
      return undefined;
    const seq = sixth === undefined ? 1 : positiveInt(sixth);
    if (seq === undefined) return undefined;
    return {
      kind: 'rebalance-order',
      planId,
      date: third,
      instrument: fourth,
      side: fifth,
      seq,
      workflowId: rebalanceWorkflowId(planId, third),
    };
  }
  if (!PERIOD.test(second)) return undefined;
  const workflowId = cycleWorkflowId(planId, second);
  if (third === undefined) return { kind: 'payment', planId, period: second, attempt: 1, workflowId };
  if (parts.length === 3 && /^a\d+$/.test(third)) {
    const attempt = positiveInt(third.slice(1));
    return attempt && attempt >= 2 ? { kind: 'payment', planId, period: second, attempt, workflowId } : undefined;
  }
  if (parts.length > 4) return undefined;
  const seq = fourth === undefined ? 1 : positiveInt(fourth);
  if (seq === undefined) return undefined;
  return { kind: 'subscription', planId, period: second, instrument: third, seq, workflowId };
}

function positiveInt(s: string): number | undefined {
  return /^[1-9]\d{0,3}$/.test(s) ? Number(s) : undefined;
}
