import { ApplicationFailure } from '@temporalio/common';
import { outcomeOf } from '../../activities/payments';
import { parseEnv } from '../../workers/config';
import {
  activityMetricsInterceptor,
  createMetrics,
  MetricsConfigSchema,
  runtimeTelemetryOptions,
  type SavingsMetrics,
} from '../../workers/metrics';

const value = async (metrics: SavingsMetrics, name: string, labels: Record<string, string> = {}): Promise<number> => {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(sample?.value ?? 0);
};

/** Runs one activity execution through the interceptor with `next` answering `outcome`. */
async function execute(
  metrics: SavingsMetrics,
  activityType: string,
  outcome: () => Promise<unknown>
): Promise<unknown> {
  const factory = activityMetricsInterceptor(metrics);
  const { inbound } = factory({ info: { activityType } } as unknown as Parameters<typeof factory>[0]);
  return inbound!.execute!({ args: [], headers: {} }, outcome);
}

describe('worker activity metrics (interceptor)', () => {
  it('counts payments submitted, completed and failed by outcome class, and orders placed by side', async () => {
    const metrics = createMetrics('worker');
    await execute(metrics, 'submitAutogiroPayment', () => Promise.resolve({ adopted: false, instructionId: 'i' }));
    await execute(metrics, 'submitAutogiroPayment', () => Promise.resolve({ adopted: true, instructionId: 'i' }));
    await expect(
      execute(metrics, 'submitAutogiroPayment', () =>
        Promise.reject(ApplicationFailure.create({ type: 'FondoRejected', message: 'no mandate', nonRetryable: true }))
      )
    ).rejects.toThrow('no mandate');
    // The payment reads answer what the activities answer: Fondo's payment as the port's deposit outcome.
    const outcome = (status: string, reasonCode: string | null) =>
      Promise.resolve(outcomeOf({ id: 'p', amount: '100.00', status, reasonCode }));
    await execute(metrics, 'getPaymentOutcome', () => outcome('failed', '1'));
    await execute(metrics, 'getPaymentOutcome', () => outcome('failed', 'a b c'));
    await execute(metrics, 'getPaymentOutcome', () => outcome('completed', null));
    await execute(metrics, 'getPaymentOutcome', () => outcome('pending', null));
    // The read that also takes the split's snapshot answers the outcome beside it.
    await execute(metrics, 'paymentOutcomeThenSnapshot', async () => ({ outcome: await outcome('completed', null) }));
    await execute(metrics, 'placeSubscription', () => Promise.resolve({}));
    await execute(metrics, 'placeRedemption', () => Promise.resolve({}));
    // A split's buys in one activity: each order placed or refused counts, one that failed for good does not.
    await execute(metrics, 'placeSubscriptions', () =>
      Promise.resolve([{ outcome: 'placed' }, { outcome: 'refused' }, { outcome: 'failed' }, { outcome: 'placed' }])
    );
    await expect(execute(metrics, 'pingFondo', () => Promise.reject(new Error('down')))).rejects.toThrow('down');

    expect(await value(metrics, 'savings_payments_submitted_total', { adopted: 'false' })).toBe(1);
    expect(await value(metrics, 'savings_payments_submitted_total', { adopted: 'true' })).toBe(1);
    expect(await value(metrics, 'savings_payments_failed_total', { outcome_class: 'FondoRejected' })).toBe(1);
    expect(await value(metrics, 'savings_payments_failed_total', { outcome_class: 'debit-1' })).toBe(1);
    // A reason code outside the bounded shape is not used as a label value.
    expect(await value(metrics, 'savings_payments_failed_total', { outcome_class: 'debit-failed' })).toBe(1);
    expect(await value(metrics, 'savings_payments_completed_total')).toBe(2);
    expect(await value(metrics, 'savings_orders_placed_total', { side: 'subscription' })).toBe(4);
    expect(await value(metrics, 'savings_orders_placed_total', { side: 'redemption' })).toBe(1);
    expect(
      await value(metrics, 'savings_activity_executions_total', {
        activity_type: 'submitAutogiroPayment',
        outcome: 'success',
      })
    ).toBe(2);
    expect(
      await value(metrics, 'savings_activity_executions_total', {
        activity_type: 'submitAutogiroPayment',
        outcome: 'FondoRejected',
      })
    ).toBe(1);
    expect(
      await value(metrics, 'savings_activity_executions_total', { activity_type: 'pingFondo', outcome: 'error' })
    ).toBe(1);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain(
      'savings_activity_duration_seconds_count{process="worker",activity_type="pingFondo"} 1'
    );
    expect(exposition).not.toContain('no mandate');
  });
});

describe('metrics configuration', () => {
  it('has no endpoints unless ports are set, and names a bad variable', () => {
    const none = parseEnv(MetricsConfigSchema, {});
    expect(none.METRICS_PORT).toBeUndefined();
    expect(runtimeTelemetryOptions(none)).toBeUndefined();
    const set = parseEnv(MetricsConfigSchema, { METRICS_PORT: '9470', TEMPORAL_METRICS_PORT: '9471' });
    expect(runtimeTelemetryOptions(set)?.metrics.prometheus.bindAddress).toBe('127.0.0.1:9471');
    expect(() => parseEnv(MetricsConfigSchema, { METRICS_PORT: 'x' })).toThrow(/METRICS_PORT/);
    expect(() => parseEnv(MetricsConfigSchema, { METRICS_PLAN_SCAN_INTERVAL_MS: '5' })).toThrow(
      /METRICS_PLAN_SCAN_INTERVAL_MS/
    );
  });
});
