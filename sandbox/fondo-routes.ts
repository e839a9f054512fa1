/**
 * Fondo's wire contract: paths, methods, status codes and bodies as in the docs (choices where they are silent
 * are in docs/SANDBOX.md). Lists are bare arrays in sortedId order, paged by `start` (exclusive cursor),
 * `limit` and `modifiedFrom` (modifiedDate ≥).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { TokenIssuer } from './auth';
import type { SandboxEngine } from './engine';
import { badRequest, notFound, parseRequest } from './http-error';
import { cancelOrder, createOrder } from './orders';
import { createPaymentInstruction } from './payments';
import type { CreateResponseStyle, SandboxBehaviour } from './server';
import {
  accountView,
  allocationPlanView,
  cashTransactionView,
  clientView,
  fundTransactionView,
  instrumentView,
  orderView,
  paymentInstructionView,
  paymentView,
} from './views';

const ListQuerySchema = z.object({
  start: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(10_000, 'must be at most 10000').optional(),
  modifiedFrom: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});
const TransactionQuerySchema = ListQuerySchema.extend({ ref: z.string().optional(), reftype: z.string().optional() });
const AccountQuerySchema = ListQuerySchema.extend({
  ssn: z
    .string()
    .regex(/^(19|20)\d{10}$/, 'must be 12 digits (YYYYMMDDNNNN)')
    .optional(),
});
const ValidateOnlySchema = z.object({ 'validate-only': z.enum(['true', 'false']).optional() });
const AllocationPlanPatchSchema = z.object({ bankAccount: z.string().min(1).nullable().optional() });

type Params = Record<string, string>;

/** Applies Fondo's list parameters to records in sortedId order. */
export function page<T extends { sortedId: string; modifiedDate: string }>(
  items: Iterable<T>,
  query: z.infer<typeof ListQuerySchema>
): T[] {
  const from = query.modifiedFrom ? Date.parse(query.modifiedFrom) : undefined;
  const out: T[] = [];
  for (const item of items) {
    if (query.start !== undefined && item.sortedId <= query.start) continue;
    if (from !== undefined && Date.parse(item.modifiedDate) < from) continue;
    out.push(item);
    if (query.limit !== undefined && out.length >= query.limit) break;
  }
  return out;
}

function sendCreated(reply: FastifyReply, style: CreateResponseStyle, body: unknown): FastifyReply {
  if (style === 'empty-204') return reply.code(204).send();
  return reply.code(style === 'body-201' ? 201 : 200).send(body);
}

export function registerFondoRoutes(
  app: FastifyInstance,
  engine: SandboxEngine,
  tokens: TokenIssuer,
  behaviour: SandboxBehaviour
): void {
  const store = () => engine.store;
  const P = '/v2/partner';

  app.get('/ping', async () => ({ pong: engine.clock.nowIso() }));
  app.post(`${P}/auth/token`, async (req) => tokens.issue(req.body));

  // Clients
  app.get(`${P}/client`, async (req) =>
    page(store().clients.values(), parseRequest(ListQuerySchema, req.query, 'query')).map(clientView)
  );
  app.get(`${P}/client/:client_id`, async (req) => clientView(engine.requireClient((req.params as Params).client_id!)));

  // Accounts and KYC
  app.get(`${P}/client/:client_id/account`, async (req) => {
    const { client_id } = req.params as Params;
    engine.requireClient(client_id!);
    const query = parseRequest(AccountQuerySchema, req.query, 'query');
    const accounts = [...store().accounts.values()].filter(
      (a) => a.clientId === client_id && (!query.ssn || a.owner.ssn === query.ssn)
    );
    return page(accounts, query).map((a) => accountView(a, store()));
  });
  app.get(`${P}/client/:client_id/account/:account_id`, async (req) => {
    const { client_id, account_id } = req.params as Params;
    return accountView(engine.requireAccount(client_id!, account_id!), store());
  });
  app.get(`${P}/client/:client_id/kycstatus/account/:account_id`, async (req) => {
    const { client_id, account_id } = req.params as Params;
    const account = engine.requireAccount(client_id!, account_id!);
    return { order: account.kyc.order, withdrawal: account.kyc.withdrawal };
  });

  // Instruments
  app.get(`${P}/instrument`, async (req) => {
    const query = parseRequest(ListQuerySchema, req.query, 'query');
    const sorted = [...store().instruments.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const after = sorted.filter((i) => query.start === undefined || i.id > query.start);
    return (query.limit ? after.slice(0, query.limit) : after).map(instrumentView);
  });
  app.get(`${P}/instrument/:instrument_id`, async (req) =>
    instrumentView(engine.requireInstrument((req.params as Params).instrument_id!))
  );
  app.get(`${P}/client/:client_id/instrument`, async (req) => {
    const client = engine.requireClient((req.params as Params).client_id!);
    return client.universe.map((id) => instrumentView(engine.requireInstrument(id)));
  });

  // Allocation plans
  const planOf = (clientId: string, planId: string) => {
    engine.requireClient(clientId);
    const plan = store().allocationPlans.get(planId);
    if (!plan || plan.clientId !== clientId) throw notFound(`allocation plan ${planId}`);
    return plan;
  };
  app.get(`${P}/client/:client_id/allocationplan`, async (req) => {
    const { client_id } = req.params as Params;
    engine.requireClient(client_id!);
    return [...store().allocationPlans.values()].filter((p) => p.clientId === client_id).map(allocationPlanView);
  });
  app.get(`${P}/client/:client_id/allocationplan/account/:account_id`, async (req) => {
    const { client_id, account_id } = req.params as Params;
    engine.requireAccount(client_id!, account_id!);
    const plan = [...store().allocationPlans.values()].find((p) => p.account === account_id);
    if (!plan) throw notFound(`allocation plan for account ${account_id}`);
    return allocationPlanView(plan);
  });
  app.get(`${P}/client/:client_id/allocationplan/:allocation_plan_id`, async (req) => {
    const { client_id, allocation_plan_id } = req.params as Params;
    return allocationPlanView(planOf(client_id!, allocation_plan_id!));
  });
  app.patch(`${P}/client/:client_id/allocationplan/:allocation_plan_id`, async (req) => {
    const { client_id, allocation_plan_id } = req.params as Params;
    const plan = planOf(client_id!, allocation_plan_id!);
    const patch = parseRequest(AllocationPlanPatchSchema, req.body ?? {}, 'body');
    if (patch.bankAccount !== undefined) {
      const account = engine.requireAccount(client_id!, plan.account);
      if (
        patch.bankAccount !== null &&
        !account.bankAccounts.some((b) => b.id === patch.bankAccount && b.deletedDate === null)
      ) {
        throw badRequest("bankAccount: not a bank account of the plan's account");
      }
      plan.bankAccount = patch.bankAccount;
      engine.persist();
    }
    return allocationPlanView(plan);
  });

  // Payment instructions
  app.post(`${P}/client/:client_id/instruction/payment`, async (req, reply) => {
    const body = createPaymentInstruction(engine, (req.params as Params).client_id!, req.body);
    return sendCreated(reply, behaviour.paymentCreateResponse, body);
  });
  const instructionOf = (clientId: string, instructionId: string) => {
    engine.requireClient(clientId);
    const instruction = store().paymentInstructions.get(instructionId);
    if (!instruction || instruction.clientId !== clientId) throw notFound(`payment instruction ${instructionId}`);
    return instruction;
  };
  app.get(`${P}/client/:client_id/instruction/:instruction_id`, async (req) => {
    const { client_id, instruction_id } = req.params as Params;
    return paymentInstructionView(instructionOf(client_id!, instruction_id!), store());
  });
  app.get(`${P}/client/:client_id/instruction/:instruction_id/payment`, async (req) => {
    const { client_id, instruction_id } = req.params as Params;
    return instructionOf(client_id!, instruction_id!).paymentIds.map((id) => paymentView(store().payments.get(id)!));
  });

  // Orders
  app.post(`${P}/client/:client_id/order`, async (req, reply) => {
    const { 'validate-only': validateOnly } = parseRequest(ValidateOnlySchema, req.query, 'query');
    const body = createOrder(engine, (req.params as Params).client_id!, req.body, {
      validateOnly: validateOnly === 'true',
      withdrawal: false,
    });
    return body === undefined ? reply.code(204).send() : sendCreated(reply, behaviour.orderCreateResponse, body);
  });
  app.post(`${P}/client/:client_id/order/withdrawal`, async (req, reply) => {
    const { 'validate-only': validateOnly } = parseRequest(ValidateOnlySchema, req.query, 'query');
    const body = createOrder(engine, (req.params as Params).client_id!, req.body, {
      validateOnly: validateOnly === 'true',
      withdrawal: true,
    });
    return body === undefined ? reply.code(204).send() : sendCreated(reply, behaviour.orderCreateResponse, body);
  });
  app.get(`${P}/client/:client_id/order`, async (req) => {
    const { client_id } = req.params as Params;
    engine.requireClient(client_id!);
    const query = parseRequest(ListQuerySchema, req.query, 'query');
    return page(
      [...store().orders.values()].filter((o) => o.clientId === client_id),
      query
    ).map(orderView);
  });
  app.get(`${P}/client/:client_id/order/:order_id`, async (req) => {
    const { client_id, order_id } = req.params as Params;
    engine.requireClient(client_id!);
    const order = store().orders.get(order_id!);
    if (!order || order.clientId !== client_id) throw notFound(`order ${order_id}`);
    return orderView(order);
  });
  app.delete(`${P}/client/:client_id/order/:order_id`, async (req) => {
    const { client_id, order_id } = req.params as Params;
    return cancelOrder(engine, client_id!, order_id!);
  });

  // Cash and fund transactions
  const transactions = <
    T extends {
      clientId: string;
      account: string;
      ref: string;
      refType: string;
      sortedId: string;
      modifiedDate: string;
    },
  >(
    all: Iterable<T>,
    clientId: string,
    accountId: string | undefined,
    rawQuery: unknown
  ): T[] => {
    const query = parseRequest(TransactionQuerySchema, rawQuery, 'query');
    const mine = [...all].filter(
      (t) =>
        t.clientId === clientId &&
        (accountId === undefined || t.account === accountId) &&
        (query.ref === undefined || t.ref === query.ref) &&
        (query.reftype === undefined || t.refType === query.reftype)
    );
    return page(mine, query);
  };
  for (const kind of ['cash', 'fund'] as const) {
    const all = () => (kind === 'cash' ? store().cashTransactions : store().fundTransactions);
    const view = (t: unknown) =>
      kind === 'cash'
        ? cashTransactionView(t as Parameters<typeof cashTransactionView>[0])
        : fundTransactionView(t as Parameters<typeof fundTransactionView>[0]);
    app.get(`${P}/client/:client_id/transaction/${kind}`, async (req) => {
      const { client_id } = req.params as Params;
      engine.requireClient(client_id!);
      return transactions([...all().values()], client_id!, undefined, req.query).map(view);
    });
    app.get(`${P}/client/:client_id/transaction/${kind}/:transaction_id`, async (req) => {
      const { client_id, transaction_id } = req.params as Params;
      engine.requireClient(client_id!);
      const tx = all().get(transaction_id!);
      if (!tx || tx.clientId !== client_id) throw notFound(`${kind} transaction ${transaction_id}`);
      return view(tx);
    });
    app.get(`${P}/client/:client_id/account/:account_id/transaction/${kind}`, async (req) => {
      const { client_id, account_id } = req.params as Params;
      engine.requireAccount(client_id!, account_id!);
      const query = parseRequest(ListQuerySchema, req.query, 'query');
      return transactions([...all().values()], client_id!, account_id, query).map(view);
    });
  }
}
