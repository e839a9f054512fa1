import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import puppeteer, { type Browser } from 'puppeteer-core';
import { cycleWorkflowId, planWorkflowId } from '../../shared/ids';
import { savingsPlanWorkflow } from '../../workflows';
import { AesGcmPayloadCodec } from '../../workers/codec';
import { createCodecServer } from '../../workers/codec-server';
import { loadPayloadKeyring } from '../../workers/data-converter';
import { testPayloadKeys } from '../helpers/payload-keys';
import { createTestAccount, FUND } from '../helpers/sandbox';
import { createSavingsEnv, testPlan, type SavingsEnv } from '../helpers/savings-env';

// Debian's chromium (installed by .ci/run); CHROMIUM_PATH points elsewhere.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'test-only-operator-token-for-the-ui-codec-test';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The dev server's Web UI, started with the codec server as its codec endpoint, shows a cycle's decrypted amount in
// a real headless Chromium; Temporal's own HTTP API (no codec) serves only ciphertext; the codec server refuses
// requests without the token.
describe('Temporal UI with the codec server (dev server, headless Chromium)', () => {
  let s: SavingsEnv;
  let stopWorker: () => Promise<void>;
  let codecServer: FastifyInstance;
  let browser: Browser | undefined;
  let uiPort: number;
  let codecPort: number;
  const codecLog: Record<string, unknown>[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM)).toBe(true); // apt-get install chromium (bash .ci/run does)
    uiPort = await freePort();
    const uiOrigins = [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
    codecServer = await createCodecServer({
      codec: new AesGcmPayloadCodec(loadPayloadKeyring({ SAVINGS_PAYLOAD_KEYS: testPayloadKeys() })),
      token: TOKEN,
      corsOrigins: uiOrigins,
      namespaces: ['default'],
      pathToken: true, // the UI cannot send a bearer token: as in the local stack (workers/codec-server.ts)
      logger: pino(
        { level: 'debug' },
        new Writable({
          write(chunk: Buffer, _enc, done) {
            codecLog.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
            done();
          },
        })
      ),
    });
    await codecServer.listen({ host: '127.0.0.1', port: 0 });
    codecPort = (codecServer.server.address() as AddressInfo).port;
    s = await createSavingsEnv({
      kind: 'dev',
      name: 'ui-codec',
      ui: { port: uiPort, extraArgs: ['--ui-codec-endpoint', `http://127.0.0.1:${codecPort}/${TOKEN}`] },
    });
    const worker = await s.newWorker();
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stopWorker?.();
    await s?.teardown();
    await codecServer?.close();
  });

  it('shows the decrypted amount on a cycle page; the stored payloads and the HTTP API stay ciphertext', async () => {
    const { accountId } = await createTestAccount(s.api, 940, {
      allocation: [{ instrument: FUND.kustlinje, allocation: '100' }],
    });
    const period = await s.upcomingPeriod(0);
    const plan = testPlan({
      planId: 'ui-1',
      accountId,
      firstPeriod: period,
      amount: '4321.50',
      startImmediately: true,
    });
    await s.env.client.workflow.start(savingsPlanWorkflow, {
      taskQueue: s.taskQueue,
      workflowId: planWorkflowId('ui-1'),
      args: [plan],
    });
    const cycleId = cycleWorkflowId('ui-1', period);
    let runId: string | undefined;
    for (let i = 0; i < 100 && !runId; i++) {
      runId = await s.env.client.workflow
        .getHandle(cycleId)
        .describe()
        .then(
          (d) => d.runId,
          () => undefined
        );
      if (!runId) await new Promise((r) => setTimeout(r, 200));
    }
    expect(runId).toBeDefined();

    // Temporal's HTTP API (what the UI reads before decoding): the cycle's input is ciphertext.
    // The UI server answers 503 until it has reached the dev server's frontend (slow on a loaded machine).
    const historyUrl = `http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows/${encodeURIComponent(cycleId)}/history`;
    let api = await fetch(historyUrl);
    for (let i = 0; i < 60 && api.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 500));
      api = await fetch(historyUrl);
    }
    expect(api.status).toBe(200);
    const apiText = await api.text();
    expect(apiText).toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(apiText).not.toContain('4321.50');
    expect(apiText).not.toContain(Buffer.from('4321.50').toString('base64').slice(0, 8));

    // The UI in a real browser decodes through the codec server and shows the amount.
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    const page = await browser.newPage();
    await page.goto(
      `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(cycleId)}/${runId}/history`,
      { waitUntil: 'networkidle2', timeout: 60_000 }
    );
    // Browser-side code as strings: the project's TypeScript has no DOM types.
    await page.waitForFunction("document.body.innerText.includes('4321.50')", { timeout: 60_000 });
    const text = (await page.evaluate('document.body.innerText')) as string;
    expect(text).toContain('4321.50');
    expect(text).toContain(accountId);
    const decodes = codecLog.filter((l) => l.msg === 'codec request' && l.endpoint === 'decode');
    expect(decodes.length).toBeGreaterThan(0);

    // The plan's page shows its current details (the SDK's workflow metadata, decoded through the codec server):
    // state and money as Markdown, without the client or account id (issue 13.5). A screenshot is kept for people.
    const planRunId = (await s.env.client.workflow.getHandle(planWorkflowId('ui-1')).describe()).runId;
    await page.goto(
      `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(planWorkflowId('ui-1'))}/${planRunId}/history`,
      { waitUntil: 'networkidle2', timeout: 60_000 }
    );
    await page.waitForFunction("document.body.innerText.includes('Plan ui-1')", { timeout: 60_000 });
    const planText = (await page.evaluate('document.body.innerText')) as string;
    expect(planText).toMatch(/Plan ui-1\s*—\s*state/);
    expect(planText).toContain('4\u00a0321,50\u00a0kr a month');
    await page.screenshot({ path: path.join(os.tmpdir(), 'savings-ui-plan-current-details.png') });

    // Without a token, the codec server answers 401 (and logs the refusal without the payload).
    const refused = await fetch(`http://127.0.0.1:${codecPort}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(refused.status).toBe(401);
    expect(codecLog.at(-1)).toMatchObject({ msg: 'codec request refused', reason: 'no token' });
  }, 240_000);
});
