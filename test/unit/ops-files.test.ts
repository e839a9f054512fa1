import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createActivities } from '../../activities';
import { FondoClient } from '../../fondo';
import {
  createMetrics,
  BATCH_ORDER_ACTIVITIES,
  ORDER_ACTIVITIES,
  PAYMENT_OUTCOME_ACTIVITIES,
  PAYMENT_SUBMIT_ACTIVITY,
  registerBridgeStats,
  SDK_RUNTIME_METRICS,
} from '../../workers/metrics';

const OPS = path.resolve(__dirname, '../../ops');

interface AlertRule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  gridPos: { h: number; w: number; x: number; y: number };
}

/** Metric names a PromQL expression uses (histogram series map to their histogram). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:savings|temporal)_[a-z0-9_]+)/g)].map((m) =>
    m[1]!.replace(/_(bucket|sum|count)$/, '')
  );
}

/** Every metric name the code registers (both processes) plus the SDK runtime's documented ones. */
function knownMetrics(): Set<string> {
  const worker = createMetrics('worker');
  const bridge = createMetrics('event-bridge');
  registerBridgeStats(bridge, {
    events: 0,
    signals: 0,
    duplicates: 0,
    notFound: 0,
    rejected: 0,
    signalFailures: 0,
    overflowed: 0,
    reconciled: 0,
    reconciliations: 0,
    reconcileFailures: 0,
    reconnects: 0,
  });
  return new Set([
    ...worker.registry.getMetricsAsArray().map((m) => m.name),
    ...bridge.registry.getMetricsAsArray().map((m) => m.name),
    ...SDK_RUNTIME_METRICS,
  ]);
}

describe('ops files: Prometheus alert rules and the Grafana dashboard', () => {
  const known = knownMetrics();
  const rules = (
    parse(readFileSync(path.join(OPS, 'prometheus/alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: AlertRule[] }[];
    }
  ).groups.flatMap((g) => g.rules);
  const dashboard = JSON.parse(readFileSync(path.join(OPS, 'grafana/savings-dashboard.json'), 'utf8')) as {
    uid: string;
    title: string;
    panels: Panel[];
  };

  it('alert rules are complete and cover what the issue asks for', () => {
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(typeof rule.expr).toBe('string');
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
    const exprs = rules.map((r) => r.expr!).join('\n');
    for (const metric of [
      'savings_plans', // plans needing attention
      'savings_cycles_without_progress', // cycles with no progress for a day
      'savings_plans_free_cash_stale', // free cash older than 3 cycles
      'savings_event_bridge_connected_subscriptions', // bridge disconnected
      'savings_activity_executions_total', // activity failure rate
    ]) {
      expect(exprs).toContain(metric);
    }
  });

  it('every metric the alerts use exists in the code', () => {
    const used = rules.flatMap((r) => metricsIn(r.expr!));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((m) => !known.has(m))).toEqual([]);
  });

  it('the dashboard parses, its panels have queries, and every metric they use exists in the code', () => {
    expect(dashboard.uid).toBe('fondo-savings');
    const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queryPanels.length).toBeGreaterThan(10);
    for (const p of queryPanels) {
      expect(p.targets?.length).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    const used = queryPanels.flatMap((p) => p.targets!.flatMap((t) => metricsIn(t.expr)));
    expect(used.filter((m) => !known.has(m))).toEqual([]);
    // Every business metric is on the dashboard.
    const business = [...known].filter((m) => m.startsWith('savings_'));
    expect(business.filter((m) => !used.includes(m))).toEqual([]);
  });

  it('metric labels are bounded vocabularies, never ids or personal data', () => {
    const metrics = createMetrics('worker');
    const labels = metrics.registry
      .getMetricsAsArray()
      .filter((m) => m.name.startsWith('savings_'))
      .flatMap((m) => (m as unknown as { labelNames: string[] }).labelNames);
    // Bounded vocabularies only: a new label must be added here on purpose, never an id.
    const allowed = ['activity_type', 'outcome', 'adopted', 'outcome_class', 'side', 'resource', 'state', 'kind'];
    expect(labels.length).toBeGreaterThan(5);
    expect(labels.filter((l) => !allowed.includes(l))).toEqual([]);
  });

  it('the activity names the metrics interpret exist (guards renames in activities/)', () => {
    const activities = createActivities({
      fondo: new FondoClient({ baseUrl: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y', timeoutMs: 1000 }),
      assumeUniqueClientRefs: true,
    });
    for (const name of [
      PAYMENT_SUBMIT_ACTIVITY,
      ...PAYMENT_OUTCOME_ACTIVITIES,
      ...Object.keys(ORDER_ACTIVITIES),
      ...Object.keys(BATCH_ORDER_ACTIVITIES),
    ]) {
      expect(Object.keys(activities)).toContain(name);
    }
  });
});
