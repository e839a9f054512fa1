/**
 * The sandbox control API under `/_sandbox/` (no auth; loopback only). Numbers in control bodies may be JSON
 * numbers or strings. Summary: GET /_sandbox.
 */
import type { FastifyInstance } from 'fastify';
import { isLosslessNumber } from 'lossless-json';
import { z } from 'zod';
import { decimalString, MAX_UNIT_SCALE, SEK_SCALE } from '../shared/money';
import type { TokenIssuer } from './auth';
import { ClockError } from './clock';
import type { SandboxEngine } from './engine';
import { FaultRuleSchema, type FaultInjector } from './faults';
import { SandboxHttpError, parseRequest } from './http-error';
import { externalDeposit } from './deposits';
import { forceCancelOrder } from './orders';
import { SeedSchema } from './seed';
import type { SandboxBehaviour } from './server';
import type { WebhookDeliverer } from './webhooks';

export interface ControlDeps {
  engine: SandboxEngine;
  tokens: TokenIssuer;
  faults: FaultInjector;
  webhooks: WebhookDeliverer;
  behaviour: SandboxBehaviour;
  dropWebSockets: () => number;
}

export const CONTROL_API_SUMMARY = [
  'GET    /_sandbox                          this summary',
  'GET    /_sandbox/clock                    business clock {mode, speed, now, nextStepAt}',
  'POST   /_sandbox/clock                    {set?: ISO, advance?: "P1DT2H", mode?: running|manual, speed?}',
  'POST   /_sandbox/clock/next               advance to the next scheduled lifecycle step',
  'POST   /_sandbox/reset                    restore the seed (clock keeps its time)',
  "GET    /_sandbox/ledger                   every account's cash, positions, orders, payments, transactions",
  "GET    /_sandbox/ledger/check             the sandbox's own invariants {ok, violations}",
  'POST   /_sandbox/accounts                 create an account {account (seed shape), allocation?}',
  'PATCH  /_sandbox/accounts/:id             {status?, kyc?: {order?, withdrawal?}, balance?}',
  'POST   /_sandbox/accounts/:id/deposits    money from outside any plan {amount, clientRef?} → a deposit cash transaction',
  'PATCH  /_sandbox/instruments/:id          {closePrice?, isBuyable?, isSellable?, isTradable?, min…?, decimalsUnits?}',
  'POST   /_sandbox/payment-failures         {code: 1|2|4|9, account?|clientRef?|clientRefPrefix?, count?}',
  'DELETE /_sandbox/payment-failures         clear scheduled payment failures',
  'POST   /_sandbox/orders/:id/cancel        the fund company cancels an order not yet priced {reason?}',
  'POST   /_sandbox/faults                   {route: "POST /v2/partner/client/:client_id/order" | "*", kind: 429|500|503|latency|drop-after-commit, probability?, count?, retryAfterSeconds?, latencyMs?}',
  'GET    /_sandbox/faults | DELETE /_sandbox/faults',
  'POST   /_sandbox/tokens/expire            expire every issued token',
  'POST   /_sandbox/ws/drop                  drop every WebSocket connection',
  'POST   /_sandbox/webhooks                 {url, secret, clientId?} | GET | DELETE',
  'PUT    /_sandbox/behaviour                {paymentCreateResponse?, orderCreateResponse?: body-200|body-201|empty-204}',
  'GET    /_sandbox/events                   recent events (newest last)',
];

/** Control bodies: JSON numbers arrive lossless; turn them into their text so zod can coerce. */
function plain(value: unknown): unknown {
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

const Sek = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(decimalString({ maxScale: SEK_SCALE }));
const ClockBody = z.object({
  set: z.iso.datetime({ offset: true }).optional(),
  advance: z
    .string()
    .regex(/^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/, 'must be an ISO 8601 duration like P1DT2H')
    .optional(),
  mode: z.enum(['running', 'manual']).optional(),
  speed: z.coerce.number().positive().optional(),
});
const AccountPatch = z.object({
  status: z.enum(['pending', 'active', 'rejected', 'confirm']).optional(),
  kyc: z.object({ order: z.boolean().optional(), withdrawal: z.boolean().optional() }).optional(),
  balance: Sek.optional(),
});
const ExternalDepositBody = z.object({
  amount: Sek.refine((a) => Number(a) > 0, 'must be positive'),
  clientRef: z.string().min(1).max(255).optional(),
});
const InstrumentPatch = z.object({
  closePrice: z
    .string()
    .pipe(decimalString({ maxScale: 6, zero: false }))
    .optional(),
  isBuyable: z.boolean().optional(),
  isSellable: z.boolean().optional(),
  isTradable: z.boolean().optional(),
  minInitialAmountSek: Sek.optional(),
  minSubsequentAmountSek: Sek.optional(),
  minInvestmentAmountSEK: Sek.optional(),
  decimalsUnits: z.coerce.number().int().min(0).max(MAX_UNIT_SCALE).optional(),
});
const PaymentFailureBody = z
  .object({
    code: z.enum(['1', '2', '4', '9']),
    account: z.string().optional(),
    clientRef: z.string().optional(),
    clientRefPrefix: z.string().optional(),
    count: z.coerce.number().int().positive().default(1),
  })
  .refine(
    (b) => b.account ?? b.clientRef ?? b.clientRefPrefix,
    'one of account, clientRef or clientRefPrefix is required'
  );
const CreateAccountBody = z.object({
  account: SeedSchema.shape.accounts.element,
  allocation: z.array(z.object({ instrument: z.string(), allocation: z.string() })).optional(),
});
const WebhookBody = z.object({ url: z.url(), secret: z.string().min(8), clientId: z.string().optional() });
const BehaviourBody = z.object({
  paymentCreateResponse: z.enum(['body-200', 'body-201', 'empty-204']).optional(),
  orderCreateResponse: z.enum(['body-200', 'body-201', 'empty-204']).optional(),
});
const FaultBody = FaultRuleSchema.extend({
  probability: z.coerce.number().min(0).max(1).default(1),
  count: z.coerce.number().int().positive().optional(),
  retryAfterSeconds: z.coerce.number().int().min(0).default(1),
  latencyMs: z.coerce.number().int().min(0).max(120_000).default(0),
});

export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso)!;
  const [d = '0', h = '0', min = '0', s = '0'] = m.slice(1).map((x) => x ?? '0');
  return ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000;
}

export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  const { engine } = deps;
  const C = '/_sandbox';
  const body = <S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> =>
    parseRequest(schema, plain(raw ?? {}), 'body');
  const clock = () => ({ ...engine.clock.snapshot(), nextStepAt: nextStep() });
  const nextStep = () => {
    const at = engine.clock.nextDueAt();
    return at === undefined ? null : new Date(at).toISOString();
  };

  app.get(C, async () => ({ controlApi: CONTROL_API_SUMMARY }));
  app.get(`${C}/clock`, async () => clock());
  app.post(`${C}/clock`, async (req) => {
    const b = body(ClockBody, req.body);
    try {
      if (b.mode) engine.clock.setMode(b.mode, b.speed);
      else if (b.speed) engine.clock.setMode('running', b.speed);
      if (b.set) engine.clock.set(Date.parse(b.set));
      if (b.advance) engine.clock.advance(durationMs(b.advance));
    } catch (err) {
      if (err instanceof ClockError) throw new SandboxHttpError(400, 'invalid_request', err.message);
      throw err;
    }
    return clock();
  });
  app.post(`${C}/clock/next`, async () => {
    const at = engine.clock.nextDueAt();
    if (at !== undefined && at > engine.clock.now()) engine.clock.set(at);
    else if (at !== undefined) await engine.clock.sync();
    return clock();
  });
  app.post(`${C}/reset`, async () => {
    engine.reset();
    deps.faults.clear();
    return { reset: true, ...clock() };
  });
  app.get(`${C}/ledger`, async () => engine.ledger());
  app.get(`${C}/ledger/check`, async () => {
    const violations = engine.checkInvariants();
    return { ok: violations.length === 0, violations };
  });
  app.post(`${C}/accounts`, async (req, reply) => {
    const b = body(CreateAccountBody, req.body);
    try {
      return reply.code(201).send(engine.createAccount(b.account, b.allocation));
    } catch (err) {
      if (err instanceof SandboxHttpError) throw err;
      throw new SandboxHttpError(400, 'invalid_request', (err as Error).message);
    }
  });
  app.patch(`${C}/accounts/:id`, async (req) => {
    const b = body(AccountPatch, req.body);
    try {
      return engine.updateAccount((req.params as { id: string }).id, b);
    } catch (err) {
      if (err instanceof SandboxHttpError) throw err;
      throw new SandboxHttpError(400, 'invalid_request', (err as Error).message);
    }
  });
  app.post(`${C}/accounts/:id/deposits`, async (req, reply) =>
    reply
      .code(201)
      .send(externalDeposit(engine, (req.params as { id: string }).id, body(ExternalDepositBody, req.body)))
  );
  app.patch(`${C}/instruments/:id`, async (req) =>
    engine.updateInstrument((req.params as { id: string }).id, body(InstrumentPatch, req.body))
  );
  app.post(`${C}/payment-failures`, async (req, reply) => {
    const b = body(PaymentFailureBody, req.body);
    const { count, ...rest } = b;
    return reply.code(201).send(engine.addPaymentFailure({ ...rest, remaining: count }));
  });
  app.get(`${C}/payment-failures`, async () => engine.store.paymentFailures);
  app.delete(`${C}/payment-failures`, async () => {
    engine.store.paymentFailures = [];
    return { cleared: true };
  });
  app.post(`${C}/orders/:id/cancel`, async (req) => {
    const b = body(z.object({ reason: z.string().min(1).default('canceled_by_fund_company') }), req.body);
    return forceCancelOrder(engine, (req.params as { id: string }).id, b.reason);
  });
  app.post(`${C}/faults`, async (req, reply) => reply.code(201).send(deps.faults.add(body(FaultBody, req.body))));
  app.get(`${C}/faults`, async () => deps.faults.list());
  app.delete(`${C}/faults`, async () => {
    deps.faults.clear();
    return { cleared: true };
  });
  app.post(`${C}/tokens/expire`, async () => ({ expired: deps.tokens.expireAll() }));
  app.post(`${C}/ws/drop`, async () => ({ dropped: deps.dropWebSockets() }));
  app.post(`${C}/webhooks`, async (req, reply) => {
    const b = body(WebhookBody, req.body);
    const r = deps.webhooks.register(
      b.clientId ? { url: b.url, secret: b.secret, clientId: b.clientId } : { url: b.url, secret: b.secret }
    );
    return reply.code(201).send({ ...r, secret: '[hidden]' });
  });
  app.get(`${C}/webhooks`, async () => deps.webhooks.list());
  app.delete(`${C}/webhooks`, async () => {
    deps.webhooks.clear();
    return { cleared: true };
  });
  app.put(`${C}/behaviour`, async (req) => Object.assign(deps.behaviour, body(BehaviourBody, req.body)));
  app.get(`${C}/events`, async () => engine.events.recentEvents());
}
