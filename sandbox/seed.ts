import { readFileSync } from 'node:fs';
import path from 'node:path';
import personnummer from 'personnummer';
import { z } from 'zod';
import { dec, decimalString, MAX_UNIT_SCALE, SEK_SCALE, toFixed } from '../shared/money';
import type { IdFactory } from './ids';
import type { AccountRecord, InstrumentRecord, SandboxData } from './state';

const Sek = decimalString({ maxScale: SEK_SCALE });
const Units = decimalString({ maxScale: MAX_UNIT_SCALE });
const Percent = decimalString({ maxScale: 2, zero: false });
const Id = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case UUID');
const Ssn = z.string().refine((s) => personnummer.valid(s), 'must be a valid 12-digit personnummer');
const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

const SeedInstrument = z.object({
  id: z.string().min(1),
  isincode: z.string().regex(/^[A-Z]{2}[A-Z0-9]{9}\d$/, 'must be an ISIN'),
  name: z.string().min(1),
  currency: z.string().length(3),
  closePrice: decimalString({ maxScale: 6, zero: false }),
  decimalsUnits: z.number().int().min(0).max(MAX_UNIT_SCALE),
  minInvestmentAmountSEK: Sek,
  minInitialAmountSek: Sek,
  minSubsequentAmountSek: Sek,
  isComplex: z.boolean(),
  isBuyable: z.boolean(),
  isSellable: z.boolean(),
  isTradable: z.boolean(),
  rebate: decimalString({ maxScale: 4 }),
  cutoff: LocalTime.default('13:00'),
});

const SeedAccount = z.object({
  id: Id,
  ref: z.string().min(1).max(128),
  name: z.string().min(1),
  status: z.enum(['pending', 'active', 'rejected', 'confirm']),
  accountType: z.enum(['isk', 'depot', 'insurance']),
  serviceType: z.enum(['portfolioManagement', 'investmentAdvise', 'executionOnly']),
  clientId: Id,
  owner: z.object({ firstName: z.string(), lastName: z.string(), ssn: Ssn }),
  balance: Sek,
  positions: z.array(z.object({ instrument: z.string(), units: Units })),
  bankAccounts: z.array(
    z.object({ id: Id, iban: z.string(), bban: z.string(), bank: z.string(), name: z.string(), validated: z.boolean() })
  ),
  kyc: z.object({ order: z.boolean(), withdrawal: z.boolean() }),
});

export const SeedSchema = z.object({
  partner: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(8) }),
  clients: z.array(
    z.object({
      id: Id,
      name: z.string(),
      displayName: z.string(),
      crn: z.string(),
      country: z.string().length(2),
      serviceTypes: z.array(z.object({ accountServiceType: z.string() })),
      universe: z.array(z.string()),
    })
  ),
  instruments: z.array(SeedInstrument),
  accounts: z.array(SeedAccount),
  allocationPlans: z.array(
    z.object({
      id: Id,
      account: Id,
      bankAccount: Id.nullable(),
      instruments: z.array(z.object({ instrument: z.string(), allocation: Percent })),
    })
  ),
});
export type Seed = z.infer<typeof SeedSchema>;
export type SeedAccountInput = z.infer<typeof SeedAccount>;

export const DEFAULT_SEED_PATH = path.join(__dirname, 'seed', 'default.json');

export function readSeedFile(file = DEFAULT_SEED_PATH): Seed {
  const parsed = SeedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid sandbox seed ${file}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Builds the initial sandbox data from a seed at business time `nowIso`. Referential checks throw. */
export function buildInitialData(seed: Seed, ids: IdFactory, nowMs: number): SandboxData {
  const now = new Date(nowMs).toISOString();
  const instruments: InstrumentRecord[] = seed.instruments.map((i) => ({ ...i, priceDate: now }));
  const known = new Map(instruments.map((i) => [i.id, i]));
  const clients = seed.clients.map((c) => {
    for (const i of c.universe) if (!known.has(i)) throw new Error(`seed client ${c.id}: unknown instrument ${i}`);
    return { ...c, sortedId: ids.sortedId(nowMs), createdDate: now, modifiedDate: now };
  });
  const clientIds = new Set(clients.map((c) => c.id));
  const accounts = seed.accounts.map((a) => {
    if (!clientIds.has(a.clientId)) throw new Error(`seed account ${a.id}: unknown client`);
    return accountFromSeed(a, ids, nowMs, known);
  });
  const accountIds = new Set(accounts.map((a) => a.id));
  const allocationPlans = seed.allocationPlans.map((p) => {
    const account = accounts.find((a) => a.id === p.account);
    if (!account || !accountIds.has(p.account)) throw new Error(`seed allocation plan ${p.id}: unknown account`);
    return { ...p, clientId: account.clientId };
  });
  return {
    partner: seed.partner,
    clients,
    accounts,
    instruments,
    allocationPlans,
    paymentInstructions: [],
    payments: [],
    orders: [],
    cashTransactions: [],
    fundTransactions: [],
    paymentFailures: [],
  };
}

/** An account record from seed-shaped input (also used by the control API to create test accounts). */
export function accountFromSeed(
  a: SeedAccountInput,
  ids: IdFactory,
  nowMs: number,
  instruments: ReadonlyMap<string, InstrumentRecord>
): AccountRecord {
  const now = new Date(nowMs).toISOString();
  for (const p of a.positions) {
    if (!instruments.has(p.instrument)) throw new Error(`account ${a.id}: unknown instrument ${p.instrument}`);
  }
  return {
    id: a.id,
    sortedId: ids.sortedId(nowMs),
    ref: a.ref,
    name: a.name,
    status: a.status,
    accountType: a.accountType,
    serviceType: a.serviceType,
    owner: { ...a.owner, fullName: `${a.owner.firstName} ${a.owner.lastName}` },
    clientId: a.clientId,
    currency: 'SEK',
    balance: toFixed(a.balance, SEK_SCALE, 'down'),
    reserved: '0.00',
    openingBalance: toFixed(a.balance, SEK_SCALE, 'down'),
    deposited: '0.00',
    withdrawn: '0.00',
    // Seeded units count as bought at today's NAV (their acquisition cost, for gav).
    positions: a.positions.map((p) => ({
      instrument: p.instrument,
      units: p.units,
      unitsSettled: p.units,
      reservedUnits: '0',
      cost: toFixed(dec(p.units).times(instruments.get(p.instrument)!.closePrice), SEK_SCALE, 'halfUp'),
    })),
    openingUnits: Object.fromEntries(a.positions.map((p) => [p.instrument, p.units])),
    bankAccounts: a.bankAccounts.map((b) => ({ ...b, createdDate: now, modifiedDate: now, deletedDate: null })),
    kyc: a.kyc,
    deleted: false,
    createdDate: now,
    modifiedDate: now,
    deletedDate: null,
  };
}
