/**
 * Prometheus metrics of the worker and the event bridge (prom-client), served on METRICS_PORT at /metrics, plus the
 * Temporal SDK's own runtime metrics, which the worker's core runtime serves on TEMPORAL_METRICS_PORT.
 *
 * Names follow Prometheus conventions (`savings_` namespace, base units, `_total` counters, `_seconds`, `_sek`).
 * Labels are bounded vocabularies only — plan states, outcome classes, activity types, order statuses — never a
 * plan, client, account or order id, and never personal data. Money gauges are floats for dashboards, not books:
 * the exact amounts are in the plans' statuses (decimal strings).
 *
 * Sources:
 * - worker: an activity interceptor counts every activity execution by type and outcome, payments submitted and
 *   failed (by outcome class) and orders placed;
 * - bridge: the Fondo event stream (subscriptions connected, reconnects, events, lag, orders by status reached) and
 *   the bridge's own counters (signals, duplicates, reconciled);
 * - bridge: a periodic scan of the running plans (visibility for plans by state; the plan status query for the
 *   money and the cycles' progress), bounded by METRICS_PLAN_SCAN_LIMIT.
 */
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import Decimal from 'decimal.js';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import type { FondoClient } from '../fondo';
import { planStatusQuery } from '../shared/messages';
import { PLAN_STATES, type PlanStatus } from '../shared/status';
import type { EventBridgeStats } from './event-bridge';

/** Every plan state (shared/status.ts), so that each series exists (at 0) before a plan reaches it. */
export { PLAN_STATES };

/** Activity names the interceptor interprets (checked against createActivities by test/unit/metrics.test.ts). */
export const PAYMENT_SUBMIT_ACTIVITY = 'submitAutogiroPayment';
/** Activities answering a payment's outcome (the port's DepositOutcome, alone or as `outcome` beside a snapshot). */
export const PAYMENT_OUTCOME_ACTIVITIES = ['getPaymentOutcome', 'paymentOutcomeThenSnapshot'] as const;
export const ORDER_ACTIVITIES = { placeSubscription: 'subscription', placeRedemption: 'redemption' } as const;
/** Activities that place several orders (a result per order; one that failed for good is not counted). */
export const BATCH_ORDER_ACTIVITIES = { placeSubscriptions: 'subscription' } as const;
const BatchResultsSchema = z.array(z.object({ outcome: z.string() }));

/**
 * The Temporal SDK runtime metrics the dashboard and alerts use (served by the worker's core runtime with prefix
 * `temporal_`, `_total` counters and seconds; see `runtimeTelemetryOptions`). Listed here because they are not in
 * the prom-client registry; the ops test checks the ops files against this list and the registry.
 */
export const SDK_RUNTIME_METRICS = [
  'temporal_workflow_task_schedule_to_start_latency_seconds',
  'temporal_workflow_task_execution_latency_seconds',
  'temporal_activity_schedule_to_start_latency_seconds',
  'temporal_activity_execution_latency_seconds',
  'temporal_activity_execution_failed_total',
  'temporal_sticky_cache_size',
  'temporal_sticky_cache_hit_total',
  'temporal_sticky_cache_miss_total',
  'temporal_workflow_task_queue_poll_succeed_total',
  'temporal_workflow_task_queue_poll_empty_total',
  'temporal_num_pollers',
  'temporal_worker_task_slots_available',
  'temporal_request_failure_total',
] as const;

export type SavingsMetrics = ReturnType<typeof createMetrics>;

/** The process's registry with every business metric defined (and Node's process metrics). */
export function createMetrics(process: 'worker' | 'event-bridge') {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  return {
    registry,
    activityExecutions: new Counter({
      name: 'savings_activity_executions_total',
      help: 'Activity executions (attempts) by activity type and outcome (success or failure class)',
      labelNames: ['activity_type', 'outcome'] as const,
      ...r,
    }),
    activityDuration: new Histogram({
      name: 'savings_activity_duration_seconds',
      help: 'Activity execution time by activity type',
      labelNames: ['activity_type'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ...r,
    }),
    paymentsSubmitted: new Counter({
      name: 'savings_payments_submitted_total',
      help: 'Autogiro payment instructions submitted to Fondo (adopted = an earlier ambiguous attempt had created it)',
      labelNames: ['adopted'] as const,
      ...r,
    }),
    paymentsFailed: new Counter({
      name: 'savings_payments_failed_total',
      help: 'Payments that failed, by outcome class (Fondo failure type, or autogiro reason code for a failed debit)',
      labelNames: ['outcome_class'] as const,
      ...r,
    }),
    paymentsCompleted: new Counter({
      name: 'savings_payments_completed_total',
      help: 'Payments reported completed by Fondo (outcome polls that found them completed)',
      ...r,
    }),
    ordersPlaced: new Counter({
      name: 'savings_orders_placed_total',
      help: 'Fund orders placed with Fondo, by side',
      labelNames: ['side'] as const,
      ...r,
    }),
    orders: new Counter({
      name: 'savings_orders_total',
      help: 'Fund orders reaching a status, by status (settled, canceled, hold, …), from Fondo order events',
      labelNames: ['outcome'] as const,
      ...r,
    }),
    bridgeSubscriptions: new Gauge({
      name: 'savings_event_bridge_subscriptions',
      help: 'Fondo event subscriptions the bridge is configured for',
      ...r,
    }),
    bridgeConnected: new Gauge({
      name: 'savings_event_bridge_connected_subscriptions',
      help: 'Fondo event subscriptions connected (a subscription that ended for good counts as disconnected)',
      ...r,
    }),
    bridgeReconnects: new Counter({
      name: 'savings_event_bridge_reconnects_total',
      help: 'Fondo event stream reconnections',
      ...r,
    }),
    bridgeEvents: new Counter({
      name: 'savings_event_bridge_events_total',
      help: 'Fondo events received, by resource',
      labelNames: ['resource'] as const,
      ...r,
    }),
    bridgeLastEvent: new Gauge({
      name: 'savings_event_bridge_last_event_timestamp_seconds',
      help: 'When the bridge last received a Fondo event or (re)connected (Unix time)',
      ...r,
    }),
    bridgeEventLag: new Histogram({
      name: 'savings_event_bridge_event_lag_seconds',
      help: "Delay from a resource's Fondo modifiedDate to the event reaching the bridge",
      buckets: [0.1, 0.5, 1, 2, 5, 15, 60, 300, 1800],
      ...r,
    }),
    planScanTimestamp: new Gauge({
      name: 'savings_plan_scan_timestamp_seconds',
      help: 'When the running plans were last scanned (Unix time)',
      ...r,
    }),
    plans: new Gauge({
      name: 'savings_plans',
      help: 'Running savings plans by state (PlanState search attribute)',
      labelNames: ['state'] as const,
      ...r,
    }),
    money: new Gauge({
      name: 'savings_money_sek',
      help: "Money over the running plans' recent cycles, by kind: collected, invested, held (carried), free",
      labelNames: ['kind'] as const,
      ...r,
    }),
    cyclesActive: new Gauge({
      name: 'savings_cycles_active',
      help: 'Cycles in progress over the scanned plans',
      ...r,
    }),
    cyclesWithoutProgress: new Gauge({
      name: 'savings_cycles_without_progress',
      help: 'Cycles in progress whose phase has not changed for 24 hours or more',
      ...r,
    }),
    plansFreeCashStale: new Gauge({
      name: 'savings_plans_free_cash_stale',
      help: 'Plans whose last 3 or more finished cycles all carried money forward uninvested',
      ...r,
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Worker: the activity interceptor
// ---------------------------------------------------------------------------------------------------------

const OUTCOME_CLASS = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const REASON_CODE = /^[A-Za-z0-9_-]{1,16}$/;

/** A failure's class for labels: the ApplicationFailure type (a bounded vocabulary) or a generic one. */
export function failureClass(err: unknown): string {
  if (err instanceof ApplicationFailure && err.type && OUTCOME_CLASS.test(err.type)) return err.type;
  if (err instanceof Error && err.name === 'CancelledFailure') return 'cancelled';
  return 'error';
}

/** Counts every activity execution, and payments and orders from the activities' results. */
export function activityMetricsInterceptor(metrics: SavingsMetrics): ActivityInterceptorsFactory {
  return (ctx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const type = ctx.info.activityType;
        const stop = metrics.activityDuration.startTimer({ activity_type: type });
        try {
          const result = await next(input);
          metrics.activityExecutions.inc({ activity_type: type, outcome: 'success' });
          recordResult(metrics, type, result);
          return result;
        } catch (err) {
          const outcome = failureClass(err);
          metrics.activityExecutions.inc({ activity_type: type, outcome });
          if (type === PAYMENT_SUBMIT_ACTIVITY) metrics.paymentsFailed.inc({ outcome_class: outcome });
          throw err;
        } finally {
          stop();
        }
      },
    };
    return { inbound };
  };
}

const SubmittedSchema = z.object({ adopted: z.boolean() });
/** shared/custodian.ts DepositOutcome: `paid`, `failed` with Bankgirot's code as `providerCode`, or `pending`. */
const OutcomeSchema = z.object({ status: z.string(), providerCode: z.string().nullish() });
const OutcomeResultSchema = z.union([
  z.object({ outcome: OutcomeSchema }),
  OutcomeSchema.transform((o) => ({ outcome: o })),
]);

function recordResult(metrics: SavingsMetrics, type: string, result: unknown): void {
  if (type === PAYMENT_SUBMIT_ACTIVITY) {
    const parsed = SubmittedSchema.safeParse(result);
    metrics.paymentsSubmitted.inc({ adopted: parsed.success ? String(parsed.data.adopted) : 'unknown' });
  } else if ((PAYMENT_OUTCOME_ACTIVITIES as readonly string[]).includes(type)) {
    const parsed = OutcomeResultSchema.safeParse(result);
    if (!parsed.success) return;
    const { outcome } = parsed.data;
    if (outcome.status === 'paid') metrics.paymentsCompleted.inc();
    if (outcome.status === 'failed') {
      const code = outcome.providerCode;
      metrics.paymentsFailed.inc({ outcome_class: code && REASON_CODE.test(code) ? `debit-${code}` : 'debit-failed' });
    }
  } else if (Object.hasOwn(ORDER_ACTIVITIES, type)) {
    metrics.ordersPlaced.inc({ side: ORDER_ACTIVITIES[type as keyof typeof ORDER_ACTIVITIES] });
  } else if (Object.hasOwn(BATCH_ORDER_ACTIVITIES, type)) {
    const parsed = BatchResultsSchema.safeParse(result);
    const orders = parsed.success ? parsed.data.filter((r) => r.outcome !== 'failed').length : 0;
    const side = BATCH_ORDER_ACTIVITIES[type as keyof typeof BATCH_ORDER_ACTIVITIES];
    if (orders > 0) metrics.ordersPlaced.inc({ side }, orders);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Event bridge: the Fondo event stream and the bridge's counters
// ---------------------------------------------------------------------------------------------------------

const TERMINAL_OR_NOTABLE = new Set(['settled', 'canceled', 'hold']);

/**
 * The Fondo client with its event stream observed: connection state, reconnects, events by resource, lag and
 * order statuses. Everything else is the client itself.
 */
export function observeFondoEvents(fondo: FondoClient, metrics: SavingsMetrics, now = () => Date.now()): FondoClient {
  const subscribe: FondoClient['subscribe'] = (clientId, options) => {
    const stream = fondo.subscribe(clientId, options);
    return {
      async *[Symbol.asyncIterator]() {
        let connected = false;
        try {
          for await (const item of stream) {
            metrics.bridgeLastEvent.set(now() / 1000);
            if (item.kind === 'connected') {
              if (item.reconnect) metrics.bridgeReconnects.inc();
              if (!connected) metrics.bridgeConnected.inc();
              connected = true;
            } else {
              const event = item.event;
              metrics.bridgeEvents.inc({ resource: event.resource });
              const current = event.current as { modifiedDate?: string | null; status?: string } | undefined;
              const modified = current?.modifiedDate ? Date.parse(current.modifiedDate) : NaN;
              if (Number.isFinite(modified)) metrics.bridgeEventLag.observe(Math.max(0, (now() - modified) / 1000));
              const previous = event.previous as { status?: string } | undefined;
              if (
                event.resource === 'order' &&
                current?.status &&
                TERMINAL_OR_NOTABLE.has(current.status) &&
                previous?.status !== current.status
              ) {
                metrics.orders.inc({ outcome: current.status });
              }
            }
            yield item;
          }
        } finally {
          if (connected) metrics.bridgeConnected.dec();
        }
      },
    };
  };
  return new Proxy(fondo, {
    get(target, prop, receiver) {
      if (prop === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The bridge's own counters (signals, duplicates, workflows not found, reconciled), read at scrape time. */
export function registerBridgeStats(metrics: SavingsMetrics, stats: EventBridgeStats): void {
  new Gauge({
    name: 'savings_event_bridge_signals',
    help:
      'Bridge counters since start, by kind: signals accepted, duplicates skipped, owners not found, signals rejected, ' +
      'failed signal attempts (retried), events overflowed (replayed by reconciliation), reconciled, failed reconcile pages',
    labelNames: ['kind'] as const,
    registers: [metrics.registry],
    collect() {
      this.set({ kind: 'signalled' }, stats.signals);
      this.set({ kind: 'duplicate' }, stats.duplicates);
      this.set({ kind: 'not-found' }, stats.notFound);
      this.set({ kind: 'rejected' }, stats.rejected);
      this.set({ kind: 'signal-failure' }, stats.signalFailures);
      this.set({ kind: 'overflowed' }, stats.overflowed);
      this.set({ kind: 'reconciled' }, stats.reconciled);
      this.set({ kind: 'reconcile-failure' }, stats.reconcileFailures);
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Event bridge: the plan scan
// ---------------------------------------------------------------------------------------------------------

export interface PlanScanOptions {
  client: Client;
  metrics: SavingsMetrics;
  logger: Logger;
  /** At most this many running plans are queried for their books per scan. */
  limit: number;
  now?: () => number;
}

const DAY_MS = 24 * 3600_000;

/** One scan of the running plans; `phaseSince` remembers when each cycle's phase was first seen (between scans). */
export async function scanPlans(
  options: PlanScanOptions,
  phaseSince: Map<string, { phase: string; since: number }>
): Promise<void> {
  const { client, metrics, limit } = options;
  const now = options.now?.() ?? Date.now();
  const byState = new Map<string, number>(PLAN_STATES.map((s) => [s, 0]));
  const statuses: PlanStatus[] = [];
  for await (const execution of client.workflow.list({
    query: "WorkflowType = 'savingsPlanWorkflow' AND ExecutionStatus = 'Running'",
  })) {
    const state = execution.searchAttributes?.PlanState?.[0];
    if (typeof state === 'string' && byState.has(state)) byState.set(state, byState.get(state)! + 1);
    if (statuses.length < limit) {
      try {
        statuses.push(await client.workflow.getHandle(execution.workflowId).query(planStatusQuery));
      } catch (err) {
        options.logger.debug({ err: (err as Error).message }, 'plan status query failed during the metrics scan');
      }
    }
  }
  for (const [state, count] of byState) metrics.plans.set({ state }, count);

  const sum = { collected: new Decimal(0), invested: new Decimal(0), held: new Decimal(0), free: new Decimal(0) };
  let active = 0;
  let stale = 0;
  const seen = new Set<string>();
  for (const plan of statuses) {
    for (const cycle of plan.cycles) {
      sum.collected = sum.collected.plus(cycle.paidAmount);
      for (const order of cycle.orders) {
        if (order.status === 'settled') sum.invested = sum.invested.plus(order.settledAmount ?? order.amount);
      }
      sum.free = sum.free.plus(cycle.residual).plus(cycle.settlementRemainder);
    }
    for (const amount of Object.values(plan.carry)) sum.held = sum.held.plus(amount);
    const lastThree = plan.cycles.slice(-3);
    if (
      lastThree.length === 3 &&
      lastThree.every((c) => Object.values(c.carryOut).some((a) => !new Decimal(a).isZero()))
    )
      stale++;
    for (const cycle of plan.activeCycles) {
      active++;
      const key = `${plan.planId}:${cycle.period}`; // in memory only, never a label
      seen.add(key);
      const known = phaseSince.get(key);
      if (!known || known.phase !== cycle.phase) phaseSince.set(key, { phase: cycle.phase, since: now });
    }
  }
  for (const key of [...phaseSince.keys()]) if (!seen.has(key)) phaseSince.delete(key);
  const withoutProgress = [...phaseSince.values()].filter((p) => now - p.since >= DAY_MS).length;

  for (const [kind, value] of Object.entries(sum)) metrics.money.set({ kind }, value.toNumber());
  metrics.cyclesActive.set(active);
  metrics.cyclesWithoutProgress.set(withoutProgress);
  metrics.plansFreeCashStale.set(stale);
  metrics.planScanTimestamp.set(now / 1000);
}

/** Scans now and every `intervalMs`; returns a stop function. */
export function startPlanScan(options: PlanScanOptions, intervalMs: number): () => void {
  const phaseSince = new Map<string, { phase: string; since: number }>();
  let running = false;
  const tick = (): void => {
    if (running) return;
    running = true;
    scanPlans(options, phaseSince)
      .catch((err: unknown) => options.logger.warn({ err: (err as Error).message }, 'metrics plan scan failed'))
      .finally(() => (running = false));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------------------
// Configuration and the HTTP endpoint
// ---------------------------------------------------------------------------------------------------------

const port = z.coerce.number().int().min(1).max(65535);
export const MetricsConfigSchema = z.object({
  /** prom-client business metrics at http://METRICS_HOST:METRICS_PORT/metrics; unset = no endpoint. */
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Worker only: the Temporal SDK runtime's Prometheus endpoint; unset = none. */
  TEMPORAL_METRICS_PORT: port.optional(),
  /** Bridge only: how often the running plans are scanned, and how many are queried per scan. */
  METRICS_PLAN_SCAN_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  METRICS_PLAN_SCAN_LIMIT: z.coerce.number().int().min(0).default(500),
});
export type MetricsConfig = z.infer<typeof MetricsConfigSchema>;

/** The worker runtime's telemetry options when TEMPORAL_METRICS_PORT is set (Runtime.install). */
export function runtimeTelemetryOptions(config: MetricsConfig) {
  if (config.TEMPORAL_METRICS_PORT === undefined) return undefined;
  return {
    metrics: {
      metricPrefix: 'temporal_',
      prometheus: {
        bindAddress: `${config.METRICS_HOST}:${config.TEMPORAL_METRICS_PORT}`,
        countersTotalSuffix: true,
        unitSuffix: true,
        useSecondsForDurations: true,
      },
    },
  };
}

/** Serves the registry at /metrics; resolves once listening. */
export async function serveMetrics(registry: Registry, host: string, portNumber: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end()
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(portNumber, host, resolve);
  });
  return server;
}
