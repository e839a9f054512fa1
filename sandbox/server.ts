/**
 * The Fondo sandbox over loopback HTTP + WebSocket: Fondo's paths and wire contract under `/v2/partner/…` and
 * `/ping`, and the sandbox's own control API under `/_sandbox/…` (never mixed). `startSandbox` is used by
 * `npm run sandbox`, the local stack, tests and benchmarks alike.
 */
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { TokenIssuer } from './auth';
import type { ClockMode } from './clock';
import { registerControlRoutes } from './control-routes';
import { SandboxEngine, type SavedState } from './engine';
import { FaultInjector } from './faults';
import { registerFondoRoutes } from './fondo-routes';
import { SandboxHttpError } from './http-error';
import { readSeedFile, type Seed } from './seed';
import { WebhookDeliverer } from './webhooks';
import { parseJson, toJson } from './wire';

export interface SandboxOptions {
  /** Port on 127.0.0.1 (0 = any free port). */
  port?: number;
  seed?: Seed;
  startMs?: number;
  clockMode?: ClockMode;
  speed?: number;
  tokenTtlSeconds?: number;
  heartbeatIntervalMs?: number;
  faultSeed?: number;
  stateFile?: string;
  restore?: SavedState;
  webhookRetry?: { maxAttempts: number; initialDelayMs: number };
}

/** How create endpoints answer (the docs disagree; partners' clients must cope with all three). */
export type CreateResponseStyle = 'body-200' | 'body-201' | 'empty-204';

export interface SandboxBehaviour {
  paymentCreateResponse: CreateResponseStyle;
  orderCreateResponse: CreateResponseStyle;
}

export interface Sandbox {
  url: string;
  port: number;
  engine: SandboxEngine;
  tokens: TokenIssuer;
  faults: FaultInjector;
  webhooks: WebhookDeliverer;
  behaviour: SandboxBehaviour;
  app: FastifyInstance;
  /** Drops every open WebSocket connection (clients must reconnect). */
  dropWebSockets(): number;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    dropAfterCommit?: boolean;
    faultLatencyMs?: number;
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? readSeedFile();
  const engine = new SandboxEngine({
    seed,
    ...(options.startMs !== undefined ? { startMs: options.startMs } : {}),
    clockMode: options.clockMode ?? 'running',
    speed: options.speed ?? 1,
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    ...(options.restore ? { restore: options.restore } : {}),
  });
  const tokens = new TokenIssuer(() => engine.store.data.partner, options.tokenTtlSeconds ?? 432_000);
  const faults = new FaultInjector(options.faultSeed ?? 42);
  const webhooks = new WebhookDeliverer(options.webhookRetry);
  const behaviour: SandboxBehaviour = { paymentCreateResponse: 'body-200', orderCreateResponse: 'body-201' };
  engine.events.subscribe((clientId, event) => webhooks.enqueue(clientId, event));

  // No request logging: URLs can carry personal data (`?ssn=`), and the sandbox must not write it anywhere.
  const app = Fastify({ logger: false, bodyLimit: 1_000_000, forceCloseConnections: true });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, (body as string).length ? parseJson(body as string) : undefined);
    } catch {
      done(new SandboxHttpError(400, 'invalid_request', 'body: malformed JSON'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setReplySerializer((payload) => toJson(payload));
  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof SandboxHttpError) return reply.code(err.status).send(err.body());
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'invalid_request', error_description: (err as Error).message });
    }
    return reply.code(500).send({ error: 'server_error', error_description: 'internal sandbox error' });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send({ error: 'not_found', error_description: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  // Fondo routes: fault injection, clock sync and auth before the handler; drop-after-commit after it.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const template = req.routeOptions.url;
    if (!template || template.startsWith('/_sandbox')) return;
    const decision = faults.decide(`${req.method} ${template}`);
    if (decision.respond) {
      const { status, retryAfterSeconds } = decision.respond;
      if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
      const code = status === 429 ? 'rate_limited' : status === 503 ? 'service_unavailable' : 'server_error';
      return reply.code(status).send({ error: code, error_description: `injected fault ${status}` });
    }
    req.dropAfterCommit = decision.dropAfterCommit;
    req.faultLatencyMs = decision.latencyMs;
    await engine.clock.sync();
    if (template !== '/ping' && template !== '/v2/partner/auth/token') tokens.verify(req.headers.authorization);
    return undefined;
  });
  // Injected latency runs after the body is read: a slow server that has the request processes it even if the
  // client hangs up meanwhile (the other ambiguous case next to drop-after-commit).
  app.addHook('preHandler', async (req) => {
    if (req.faultLatencyMs) {
      await new Promise((r) => setTimeout(r, req.faultLatencyMs));
      await engine.clock.sync();
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.dropAfterCommit) {
      req.raw.socket?.destroy();
      reply.hijack();
    }
    return payload;
  });

  await app.register(websocket);
  const sockets = new Set<WebSocket>();
  const heartbeatMs = options.heartbeatIntervalMs ?? 15_000;
  app.get('/v2/partner/client/:client_id/subscribe', { websocket: true }, (socket, req) => {
    const clientId = (req.params as { client_id: string }).client_id;
    sockets.add(socket);
    const unsubscribe = engine.events.subscribe((eventClient, event) => {
      if (eventClient === clientId && socket.readyState === socket.OPEN) socket.send(toJson(event));
    });
    const heartbeat = setInterval(() => {
      if (socket.readyState === socket.OPEN) socket.send(toJson({ eventType: 'heartbeat' }));
    }, heartbeatMs);
    socket.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      sockets.delete(socket);
    });
  });
  // The WebSocket route is authenticated in onRequest (before the upgrade): a bad token is a plain 401.
  app.addHook('preValidation', async (req) => {
    if (req.routeOptions.url === '/v2/partner/client/:client_id/subscribe') {
      engine.requireClient((req.params as { client_id: string }).client_id);
    }
  });

  // Upgrade sockets leave the HTTP server's connection tracking (even a refused upgrade's), so close()
  // would wait for them: track and destroy them ourselves.
  const upgradeSockets = new Set<Duplex>();
  app.server.on('upgrade', (_req, socket: Duplex) => {
    upgradeSockets.add(socket);
    socket.once('close', () => upgradeSockets.delete(socket));
  });

  const dropWebSockets = (): number => {
    const count = sockets.size;
    for (const s of sockets) s.terminate();
    return count;
  };

  registerFondoRoutes(app, engine, tokens, behaviour);
  registerControlRoutes(app, { engine, tokens, faults, webhooks, behaviour, dropWebSockets });

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  engine.clock.start();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    engine,
    tokens,
    faults,
    webhooks,
    behaviour,
    app,
    dropWebSockets,
    close: async () => {
      engine.clock.stop();
      engine.saveNow();
      dropWebSockets();
      for (const socket of upgradeSockets) socket.destroy();
      await app.close();
    },
  };
}
