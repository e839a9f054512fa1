import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import type { PlanStatus } from '../../shared/status';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../workers/codec';
import { createCodecServer, payloadFromJson, payloadToJson, type PayloadJson } from '../../workers/codec-server';
import { loadPayloadKeyring } from '../../workers/data-converter';
import { activityMetricsInterceptor, createMetrics, scanPlans } from '../../workers/metrics';
import { runCli } from '../helpers/cli';
import { testPayloadKeys } from '../helpers/payload-keys';
import { CLIENT_1, createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, type SavingsEnv } from '../helpers/savings-env';
import { workflowBundle } from '../helpers/temporal';
import { PATCH_IDS } from '../../workflows/patches';

type History = temporal.api.history.v1.History;
const { History, Payload: PayloadMessage } = {
  History: temporal.api.history.v1.History,
  Payload: temporal.api.common.v1.Payload,
};
// @temporalio/proto is a reflection module: messages are instances of the type's `ctor`.
const PayloadCtor = (PayloadMessage as unknown as { ctor: new () => temporal.api.common.v1.Payload }).ctor;
const normalised = (h: temporal.api.history.v1.IHistory): History => History.decode(History.encode(h).finish());
const TOKEN = 'test-only-operator-token-for-the-e2e-codec-server';
const utf8 = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());

/** Every Payload message in a history (inputs, results, signals, markers, memos, search attributes, failures…). */
function payloadsOf(node: unknown, found: temporal.api.common.v1.Payload[] = []): temporal.api.common.v1.Payload[] {
  if (node instanceof PayloadCtor) {
    found.push(node);
  } else if (Array.isArray(node)) {
    for (const item of node) payloadsOf(item, found);
  } else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) {
    for (const value of Object.values(node as Record<string, unknown>)) payloadsOf(value, found);
  }
  return found;
}

/** Unencrypted payloads anywhere but in search attributes (which the SDK never passes through a codec). */
/**
 * Payload paths that are plain although they are not search attributes. The only other plain payloads allowed are
 * the SDK's own `patched()` markers: their data is the patch id (a constant of our code, e.g.
 * `payment-events-are-hints`), which the SDK records without the payload codec — checked to hold nothing else.
 */
function plainOutsideSearchAttributes(node: unknown, path = ''): string[] {
  if (node instanceof PayloadCtor) {
    if (utf8(node.metadata?.encoding) === ENCRYPTED_ENCODING || /searchAttributes/.test(path)) return [];
    const patchMarker = /markerRecordedEventAttributes\.details\.patch-data\./.test(path);
    const text = Buffer.from(node.data ?? []).toString('utf8');
    return patchMarker && text.length < 200 && PATCH_IDS.some((id) => text.includes(id)) ? [] : [path];
  }
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
    plainOutsideSearchAttributes(v, `${path}.${k}`)
  );
}

/** A copy of the history with every payload replaced by `convert`'s answer, in order. */
async function mapPayloads(history: History, convert: (p: Payload[]) => Promise<Payload[]>): Promise<History> {
  const copy = History.decode(History.encode(history).finish());
  const targets = payloadsOf(copy);
  const converted = await convert(targets.map((p) => ({ metadata: p.metadata, data: p.data })));
  targets.forEach((target, i) => {
    target.metadata = converted[i]!.metadata ?? {};
    target.data = converted[i]!.data ?? new Uint8Array();
  });
  return copy;
}

/** The raw bytes of a history as text: any plaintext field, payload or message would show up in it. */
const rawText = (history: History): string => Buffer.from(History.encode(history).finish()).toString('latin1');

// A plan created by the real CLI process and run by a worker and the event bridge on the dev server, all with
// payload encryption on: the history Temporal stores holds ciphertext only; read through the codec server it is
// the plain history of the same run.
describe('payload encryption end to end (dev server, CLI, worker, bridge, codec server)', () => {
  let s: SavingsEnv;
  let stopWorker: () => Promise<void>;
  let codecServer: FastifyInstance;
  let codecUrl: string;
  let codec: AesGcmPayloadCodec;
  const metrics = createMetrics('worker');

  beforeAll(async () => {
    s = await createSavingsEnv({ kind: 'dev', bridge: true, name: 'encryption-e2e' });
    // The worker counts activities, payments and orders as the production worker does (workers/metrics.ts).
    const worker = await s.newWorker({ interceptors: { activity: [activityMetricsInterceptor(metrics)] } });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
    codec = new AesGcmPayloadCodec(loadPayloadKeyring({ SAVINGS_PAYLOAD_KEYS: testPayloadKeys() }));
    codecServer = await createCodecServer({
      codec,
      token: TOKEN,
      corsOrigins: [],
      namespaces: ['default'],
      logger: pino({ level: 'silent' }),
    });
    await codecServer.listen({ host: '127.0.0.1', port: 0 });
    codecUrl = `http://127.0.0.1:${(codecServer.server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await codecServer?.close();
    await stopWorker?.();
    await s?.teardown();
  });

  const cliEnv = (): Record<string, string> => ({
    TEMPORAL_ADDRESS: s.env.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: s.taskQueue,
    SAVINGS_PAYLOAD_KEYS: testPayloadKeys(),
  });

  async function decodeThroughServer(payloads: Payload[]): Promise<Payload[]> {
    const res = await fetch(`${codecUrl}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payloads: payloads.map(payloadToJson) }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { payloads: PayloadJson[] }).payloads.map(payloadFromJson);
  }

  it('stores only ciphertext, and the codec server restores the plain history of the same run', async () => {
    const { accountId } = await createTestAccount(s.api, 930, {
      allocation: [
        { instrument: FUND.fjallsjo, allocation: '60' },
        { instrument: FUND.kustlinje, allocation: '40' },
      ],
    });
    const created = await runCli(
      [
        '--json',
        'create',
        '--plan-id',
        'enc-1',
        '--client',
        CLIENT_1,
        '--account',
        accountId,
        '--amount',
        '1234.50',
        '--day',
        '15',
        '--start-now',
      ],
      cliEnv()
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const period = (created.json as { firstPeriod: string }).firstPeriod;

    // The first cycle runs to settled orders: autogiro → deposit event → orders → settled, by the sandbox clock.
    const status = async (): Promise<PlanStatus> =>
      (await runCli(['--json', 'status', 'enc-1'], cliEnv())).json as PlanStatus;
    let plan: PlanStatus | undefined;
    for (let i = 0; i < 60 && !(plan = await status()).cycles.length; i++) {
      await s.api.control('POST', '/clock/next');
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(plan!.cycles[0]).toMatchObject({ period, outcome: 'invested', paidAmount: '1234.50' });
    expect(plan!.accountId).toBe(accountId); // the CLI (with the key) reads the plain values

    // Every run of the plan (it continues as new after a period), newest first, and the cycle.
    const planRuns: History[] = [];
    for (let runId: string | undefined = undefined; planRuns.length < 5;) {
      const run = normalised(await s.env.client.workflow.getHandle(planWorkflowId('enc-1'), runId).fetchHistory());
      planRuns.push(run);
      runId = run.events[0]!.workflowExecutionStartedEventAttributes!.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    expect(planRuns.length).toBeGreaterThanOrEqual(2);
    const cycleHistory = await s.env.client.workflow.getHandle(cycleWorkflowId('enc-1', period)).fetchHistory();
    const secrets = ['1234.50', '1234.5', '740.70', '493.80', accountId];
    let encryptedCount = 0;
    for (const history of [...planRuns, normalised(cycleHistory)]) {
      // Read WITHOUT the codec: no amount or account id anywhere in the stored bytes.
      const raw = rawText(history);
      for (const secret of secrets) expect(raw).not.toContain(secret);
      const payloads = payloadsOf(history);
      const encrypted = payloads.filter((p) => utf8(p.metadata?.encoding) === ENCRYPTED_ENCODING);
      expect(encrypted.length).toBeGreaterThan(0); // at least the workflow input
      encryptedCount += encrypted.length;
      // Search attributes stay plain (ids and states only), everything else is encrypted.
      expect(plainOutsideSearchAttributes(history)).toEqual([]);

      // Read THROUGH the codec server: the same as decoding with the workers' codec, and no ciphertext is left.
      const viaServer = await mapPayloads(history, decodeThroughServer);
      const viaCodec = await mapPayloads(history, (p) => codec.decode(p));
      expect(History.toObject(viaServer, { bytes: String })).toEqual(History.toObject(viaCodec, { bytes: String }));
      expect(payloadsOf(viaServer).filter((p) => utf8(p.metadata?.encoding) === ENCRYPTED_ENCODING)).toEqual([]);
      expect(rawText(viaServer)).toContain(accountId);
    }
    expect(encryptedCount).toBeGreaterThan(10); // inputs, child inputs and results, activity inputs and results, signals

    // The decoded history is the unencrypted history of this run: it replays with the workflow code WITHOUT any
    // codec, and the stored (encrypted) one replays through the codec, as a worker reads it.
    const bundle = await workflowBundle();
    const decodedCycle = await mapPayloads(normalised(cycleHistory), decodeThroughServer);
    await Worker.runReplayHistory({ workflowBundle: bundle }, decodedCycle, 'decoded-cycle');
    await Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: { payloadCodecs: [codec] } },
      cycleHistory,
      'encrypted-cycle'
    );
    const started = decodedCycle.events[0]!.workflowExecutionStartedEventAttributes!;
    const input = JSON.parse(utf8(started.input!.payloads![0]!.data)) as Record<string, unknown>;
    expect(JSON.stringify(input)).toContain(accountId);
    expect(JSON.stringify(input)).toContain('1234.50');
  }, 240_000);

  // Runs after the plan above: the worker's counters and the bridge's plan scan, on the same dev server.
  it('counts the run in the business metrics, and the plan scan reads states and money from the plans', async () => {
    const value = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
      const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
      const sample = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
      return Number(sample?.value ?? NaN);
    };
    expect(await value('savings_payments_submitted_total', { adopted: 'false' })).toBe(1);
    expect(await value('savings_orders_placed_total', { side: 'subscription' })).toBe(2);
    expect(
      await value('savings_activity_executions_total', { activity_type: 'submitAutogiroPayment', outcome: 'success' })
    ).toBe(1);

    const phaseSince = new Map<string, { phase: string; since: number }>();
    await scanPlans({ client: s.env.client, metrics, logger: pino({ level: 'silent' }), limit: 10 }, phaseSince);
    // Visibility is eventually consistent: the plan's PlanState is there once the upsert is indexed.
    let running = 0;
    for (let i = 0; i < 20 && running === 0; i++) {
      await scanPlans({ client: s.env.client, metrics, logger: pino({ level: 'silent' }), limit: 10 }, phaseSince);
      const json = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'savings_plans');
      running = (json?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
      if (running === 0) await new Promise((r) => setTimeout(r, 300));
    }
    expect(running).toBe(1);
    expect(await value('savings_money_sek', { kind: 'collected' })).toBe(1234.5);
    expect(await value('savings_money_sek', { kind: 'invested' })).toBeGreaterThan(1200);
    expect(await value('savings_money_sek', { kind: 'invested' })).toBeLessThanOrEqual(1234.5);
    expect(await value('savings_cycles_without_progress')).toBe(0);
    // Labels hold states and kinds only: no plan, client or account id anywhere in the exposition.
    const exposition = await metrics.registry.metrics();
    expect(exposition).not.toMatch(/enc-1|c0000000|a0000000/);
  }, 60_000);
});
