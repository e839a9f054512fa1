import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { AesGcmPayloadCodec } from '../../workers/codec';
import { createCodecServer, payloadFromJson, payloadToJson, type PayloadJson } from '../../workers/codec-server';
import { generateKeyEntry, loadPayloadKeyring } from '../../workers/data-converter';

const TOKEN = 'test-only-operator-token-0123456789abcdef';
const UI = 'http://localhost:8233';
const amount = { planId: 'p-1', accountId: 'a0000000-0000-4000-8000-00000000abcd', amount: '1234.50' };

describe('codec server (remote codec protocol)', () => {
  const codec = new AesGcmPayloadCodec(loadPayloadKeyring({ SAVINGS_PAYLOAD_KEYS: generateKeyEntry('test-only') }));
  const logLines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    })
  );
  let app: FastifyInstance;
  let pathTokenApp: FastifyInstance;
  beforeAll(async () => {
    const options = { codec, token: TOKEN, corsOrigins: [UI], namespaces: ['default'], logger };
    app = await createCodecServer(options);
    pathTokenApp = await createCodecServer({ ...options, pathToken: true });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await pathTokenApp.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await pathTokenApp.close();
  });
  beforeEach(() => (logLines.length = 0));

  const encrypted = async (): Promise<PayloadJson[]> =>
    (await codec.encode([defaultPayloadConverter.toPayload(amount)])).map(payloadToJson);
  /** Real HTTP (Fastify's inject cannot load under Jest's module loader). */
  interface Answer {
    statusCode: number;
    headers: Record<string, string | undefined>;
    body: string;
    json<T>(): T;
  }
  async function request(
    on: FastifyInstance,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string
  ) {
    const address = on.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${address.port}${path}`, { method, headers, body });
    const text = await res.text();
    const answer: Answer = {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body: text,
      json: <T>() => JSON.parse(text) as T,
    };
    return answer;
  }
  const post = (path: string, payloads: PayloadJson[], headers: Record<string, string> = {}, on = app) =>
    request(
      on,
      'POST',
      path,
      { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI, ...headers },
      JSON.stringify({ payloads })
    );

  it('answers 401 without a token or with a wrong one, and logs the refusal without the payload or token', async () => {
    const payloads = await encrypted();
    const none = await post('/decode', payloads);
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).not.toContain(payloads[0]!.data!);
    const wrong = await post('/decode', payloads, { authorization: 'Bearer not-the-token' });
    expect(wrong.statusCode).toBe(401);
    const basic = await post('/encode', [payloadToJson(defaultPayloadConverter.toPayload(amount))], {
      authorization: `Basic ${TOKEN}`,
    });
    expect(basic.statusCode).toBe(401);

    expect(logLines).toHaveLength(3);
    const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => e.reason)).toEqual(['no token', 'invalid token', 'invalid token']);
    expect(entries.map((e) => e.endpoint)).toEqual(['decode', 'decode', 'encode']);
    const all = logLines.join('\n');
    for (const secret of [payloads[0]!.data!, 'not-the-token', TOKEN, '1234.50', 'abcd'])
      expect(all).not.toContain(secret);
  });

  it('decodes a payload the workers encrypted back to the plain JSON payload', async () => {
    const res = await post('/decode', await encrypted(), { authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    const { payloads } = res.json<{ payloads: PayloadJson[] }>();
    expect(payloads).toHaveLength(1);
    expect(Buffer.from(payloads[0]!.metadata!.encoding!, 'base64').toString()).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(payloadFromJson(payloads[0]!))).toEqual(amount);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
  });

  it('encodes what the workers can decrypt, and serves the endpoints at any depth', async () => {
    const plain = [payloadToJson(defaultPayloadConverter.toPayload(amount))];
    const res = await post('/api/codec/encode', plain, { authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    const sealed = res.json<{ payloads: PayloadJson[] }>().payloads.map(payloadFromJson);
    expect(Buffer.from(sealed[0]!.data!).toString('latin1')).not.toContain('1234.50');
    expect(defaultPayloadConverter.fromPayload((await codec.decode(sealed))[0]!)).toEqual(amount);
  });

  it('refuses other namespaces, bad bodies, undecryptable payloads and unknown paths', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await post('/decode', await encrypted(), { ...auth, 'x-namespace': 'other' })).statusCode).toBe(403);
    expect((await post('/decode', [{ metadata: { encoding: '***' }, data: '' }], auth)).statusCode).toBe(400);
    const tampered = (await encrypted()).map((p) => ({ ...p, data: Buffer.alloc(40, 1).toString('base64') }));
    const failed = await post('/decode', tampered, auth);
    expect(failed.statusCode).toBe(422);
    expect(failed.json<{ message: string }>().message).toMatch(/failed authentication/);
    expect((await post('/other', [], auth)).statusCode).toBe(404);
  });

  it("answers the UI origin's CORS preflight, and no other origin", async () => {
    const preflight = (origin: string) =>
      request(app, 'OPTIONS', '/decode', {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      });
    const ok = await preflight(UI);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(String(ok.headers['access-control-allow-headers'])).toMatch(/X-Namespace/i);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect((await preflight('http://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts the token as a path segment only where enabled (the local UI cannot send a header)', async () => {
    const payloads = await encrypted();
    expect((await post(`/${TOKEN}/decode`, payloads)).statusCode).toBe(401);
    expect((await post(`/${TOKEN}/decode`, payloads, {}, pathTokenApp)).statusCode).toBe(200);
    expect((await post('/wrong-token/decode', payloads, {}, pathTokenApp)).statusCode).toBe(401);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});
