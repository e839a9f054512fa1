/**
 * The codec server (`npm run codec-server`): Temporal's remote codec protocol over HTTP, so that authorised
 * operators read encrypted payloads in the Temporal UI and the Temporal CLI (`--codec-endpoint`, `--codec-auth`).
 *
 *   POST …/encode, POST …/decode   body and answer `{"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]}`
 *                                   (Payloads in protobuf JSON form); only the last path segment selects the
 *                                   operation, as the protocol asks, so the endpoints may be mounted at any depth.
 *   X-Namespace                     optional; must be one of CODEC_SERVER_NAMESPACES when sent.
 *   Authorization: Bearer <token>   the operator token (CODEC_SERVER_TOKEN); compared in constant time.
 *
 * A request without a valid token gets 401 and one log line (endpoint, origin, namespace, reason) — never the body,
 * the path or the presented token. CORS admits only CODEC_SERVER_CORS_ORIGINS (the UI's origin), with credentials.
 *
 * The Temporal UI cannot send a static token (its "pass access token" forwards the user's own OIDC token, and only to
 * an https endpoint), so for the local stack's UI the token may instead be the path segment before
 * `/decode` (`http://127.0.0.1:8235/<token>/decode`): CODEC_SERVER_PATH_TOKEN=true, allowed on a loopback address only.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AesGcmPayloadCodec } from './codec';
import { parseEnv, TemporalConfigSchema } from './config';
import { loadPayloadKeyring, LOCAL_DEV_KEY_FILE } from './data-converter';
import { createLogger } from './logger';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The operator bearer token. */
  token: string;
  /** Browser origins allowed to call the server (the Temporal UI's). */
  corsOrigins: readonly string[];
  /** Namespaces whose payloads this server decodes (X-Namespace). */
  namespaces: readonly string[];
  /** Accept the token as the path segment before /encode or /decode (loopback only; for the local UI). */
  pathToken?: boolean;
  logger: Logger;
}

const PayloadJsonSchema = z.object({
  metadata: z.record(z.string(), z.string()).nullish(),
  data: z.string().nullish(),
});
const PayloadsJsonSchema = z.object({ payloads: z.array(PayloadJsonSchema).default([]) });
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export type PayloadJson = z.infer<typeof PayloadJsonSchema>;

export function payloadFromJson(json: PayloadJson): Payload {
  const bytes = (s: string): Uint8Array => {
    if (!BASE64.test(s)) throw new BadRequest('payload fields must be base64');
    return Buffer.from(s, 'base64');
  };
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([k, v]) => [k, bytes(v)])),
    data: bytes(json.data ?? ''),
  };
}

export function payloadToJson(payload: Payload): PayloadJson {
  const b64 = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('base64');
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(payload.data),
  };
}

class BadRequest extends Error {}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export async function createCodecServer(options: CodecServerOptions): Promise<FastifyInstance> {
  const expected = digest(options.token);
  const tokenMatches = (presented: string | undefined): boolean =>
    presented !== undefined && timingSafeEqual(digest(presented), expected);
  // No request logging by Fastify itself: its lines would carry the URL (and so a path token).
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  await app.register(cors, {
    origin: [...options.corsOrigins],
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
    credentials: true,
    maxAge: 600,
  });

  const authorised = (req: FastifyRequest, segments: string[]): boolean => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (tokenMatches(bearer)) return true;
    return options.pathToken === true && segments.length >= 2 && tokenMatches(segments.at(-2));
  };

  app.post('/*', async (req, reply) => {
    const segments = req.url.split('?')[0]!.split('/').filter(Boolean);
    const operation = segments.at(-1);
    if (operation !== 'encode' && operation !== 'decode') return reply.code(404).send({ message: 'not found' });
    const namespace = typeof req.headers['x-namespace'] === 'string' ? req.headers['x-namespace'] : undefined;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (!authorised(req, segments)) {
      options.logger.warn(
        { endpoint: operation, origin, namespace, reason: req.headers.authorization ? 'invalid token' : 'no token' },
        'codec request refused'
      );
      return reply.code(401).header('www-authenticate', 'Bearer').send({ message: 'unauthorized' });
    }
    if (namespace !== undefined && !options.namespaces.includes(namespace)) {
      options.logger.warn({ endpoint: operation, origin, namespace }, 'codec request for another namespace refused');
      return reply.code(403).send({ message: 'namespace not served here' });
    }
    const parsed = PayloadsJsonSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ message: 'expected {"payloads":[…]}' });
    let payloads: Payload[];
    try {
      payloads = parsed.data.payloads.map(payloadFromJson);
    } catch (err) {
      return reply.code(400).send({ message: (err as Error).message });
    }
    try {
      const result =
        operation === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      options.logger.debug({ endpoint: operation, namespace, count: payloads.length }, 'codec request');
      return { payloads: result.map(payloadToJson) };
    } catch (err) {
      // A decryption failure names the key id and the reason only (workers/codec.ts), never content.
      options.logger.warn({ endpoint: operation, namespace, err: (err as Error).message }, 'codec request failed');
      return reply.code(422).send({ message: (err as Error).message });
    }
  });
  return app;
}

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export const CodecServerConfigSchema = TemporalConfigSchema.pick({ TEMPORAL_NAMESPACE: true }).extend({
  CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(8235),
  CODEC_SERVER_TOKEN: z
    .string({ message: 'is required (the operator bearer token, at least 32 characters)' })
    .min(32, 'must be at least 32 characters'),
  CODEC_SERVER_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233,http://127.0.0.1:8233')
    .transform(list)
    .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins (scheme://host:port)' }))),
  /** Namespaces served; default TEMPORAL_NAMESPACE. */
  CODEC_SERVER_NAMESPACES: z
    .string()
    .optional()
    .transform((s) => (s ? list(s) : undefined)),
  CODEC_SERVER_PATH_TOKEN: z.enum(['true', 'false']).default('false'),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

async function main(): Promise<void> {
  const config = parseEnv(CodecServerConfigSchema);
  const logger = createLogger('codec-server');
  const pathToken = config.CODEC_SERVER_PATH_TOKEN === 'true';
  if (pathToken && !LOOPBACK.has(config.CODEC_SERVER_HOST)) {
    throw new Error(
      'Invalid configuration: CODEC_SERVER_PATH_TOKEN=true is allowed on a loopback CODEC_SERVER_HOST only'
    );
  }
  const codec = new AesGcmPayloadCodec(loadPayloadKeyring(process.env, { localDevKeyFile: LOCAL_DEV_KEY_FILE }));
  const app = await createCodecServer({
    codec,
    token: config.CODEC_SERVER_TOKEN,
    corsOrigins: config.CODEC_SERVER_CORS_ORIGINS,
    namespaces: config.CODEC_SERVER_NAMESPACES ?? [config.TEMPORAL_NAMESPACE],
    pathToken,
    logger,
  });
  await app.listen({ host: config.CODEC_SERVER_HOST, port: config.CODEC_SERVER_PORT });
  logger.info(
    {
      host: config.CODEC_SERVER_HOST,
      port: config.CODEC_SERVER_PORT,
      origins: config.CODEC_SERVER_CORS_ORIGINS,
      pathToken,
    },
    'codec server started'
  );
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    createLogger('codec-server').fatal({ err: (err as Error).message }, 'codec server failed');
    process.exit(1);
  });
}

/** The local stack's generated operator token (mode 0600), kept across restarts. */
export function ensureLocalDevTokenFile(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
