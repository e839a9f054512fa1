/**
 * SandboxEngine: the stateful Fondo behind the HTTP routes. It owns the records, the business clock and the
 * event bus, runs scheduled lifecycle steps, and implements the control operations. HTTP-free, so tests and
 * benchmarks can drive it directly as well as over loopback.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { dec, decimalString, SEK_SCALE, sum, toFixed } from '../shared/money';
import { BusinessClock, type ClockMode, type ScheduledStep } from './clock';
import type { NewCashTransaction, NewFundTransaction, SandboxContext } from './context';
import { EventBus, type SandboxEvent } from './events';
import { notFound } from './http-error';
import { createIdFactory, type IdFactory } from './ids';
import { checkInvariants, ledgerDump } from './ledger';
import { confirmStep, cutoffStep, settleStep } from './orders';
import { markInstructionProcessing, renewCoverageCheck, settleInstruction } from './payments';
import { accountFromSeed, buildInitialData, type Seed, type SeedAccountInput } from './seed';
import {
  SandboxStore,
  type AccountRecord,
  type CashTransactionRecord,
  type ClientRecord,
  type FundTransactionRecord,
  type InstrumentRecord,
  type PaymentFailureRule,
  type SandboxData,
} from './state';
import { accountView, allocationPlanView } from './views';

export interface EngineOptions {
  seed: Seed;
  /** Business start time (epoch ms); default: now. */
  startMs?: number;
  clockMode?: ClockMode;
  /** Business seconds per real second in `running` mode. */
  speed?: number;
  /** Saved state to resume from (instead of the seed). */
  restore?: SavedState;
  /** Where to save state (debounced) after changes; none = in memory only. */
  stateFile?: string;
}

const PercentSchema = decimalString({ maxScale: 2, zero: false });

/** What is wrong with an allocation plan's weights (percent > 0, ≤ 2 decimals, sum exactly 100, no repeats). */
function allocationProblem(allocation: { instrument: string; allocation: string }[]): string | undefined {
  if (allocation.length === 0) return 'must contain at least one fund';
  for (const [i, a] of allocation.entries()) {
    const percent = PercentSchema.safeParse(a.allocation);
    if (!percent.success) return `[${i}].allocation ${percent.error.issues[0]?.message ?? 'is invalid'}`;
  }
  if (new Set(allocation.map((a) => a.instrument)).size !== allocation.length) return 'must not repeat a fund';
  if (!sum(allocation.map((a) => a.allocation)).equals(100)) return 'percentages must sum to exactly 100';
  return undefined;
}

/** The largest sortedId in saved data: new ids continue after it. */
function largestSortedId(data: SandboxData): string {
  let largest = '';
  for (const list of [
    data.clients,
    data.accounts,
    data.payments,
    data.orders,
    data.cashTransactions,
    data.fundTransactions,
  ]) {
    for (const record of list as { sortedId: string }[]) if (record.sortedId > largest) largest = record.sortedId;
  }
  return largest;
}

export interface SavedState {
  version: 1;
  now: string;
  data: SandboxData;
  steps: ScheduledStep[];
}

export class SandboxEngine implements SandboxContext {
  store: SandboxStore;
  readonly clock: BusinessClock;
  readonly ids: IdFactory;
  readonly events = new EventBus();
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EngineOptions) {
    const startMs = options.restore ? Date.parse(options.restore.now) : (options.startMs ?? Date.now());
    this.ids = createIdFactory(options.restore ? largestSortedId(options.restore.data) : undefined);
    this.clock = new BusinessClock(startMs, options.clockMode ?? 'running', options.speed ?? 1, (step) =>
      this.runStep(step)
    );
    if (options.restore) {
      this.store = new SandboxStore(options.restore.data);
      this.clock.restore(options.restore.steps, startMs);
    } else {
      this.store = new SandboxStore(buildInitialData(options.seed, this.ids, startMs));
    }
  }

  // ---- lookups (404 when missing) -------------------------------------------------------------------------

  requireClient(clientId: string): ClientRecord {
    const client = this.store.clients.get(clientId);
    if (!client) throw notFound(`client ${clientId}`);
    return client;
  }

  requireAccount(clientId: string, accountId: string): AccountRecord {
    const account = this.store.accounts.get(accountId);
    if (!account || account.clientId !== clientId) throw notFound(`account ${accountId}`);
    return account;
  }

  requireInstrument(instrumentId: string): InstrumentRecord {
    const instrument = this.store.instruments.get(instrumentId);
    if (!instrument) throw notFound(`instrument ${instrumentId}`);
    return instrument;
  }

  // ---- bookkeeping ------------------------------------------------------------------------------------------

  addCashTransaction(tx: NewCashTransaction, atMs: number): CashTransactionRecord {
    const at = new Date(atMs).toISOString();
    const record: CashTransactionRecord = {
      ...tx,
      id: this.ids.id(),
      sortedId: this.ids.sortedId(atMs),
      aborted: false,
      abortedReason: null,
      currency: 'SEK',
      createdDate: at,
      modifiedDate: at,
    };
    this.store.cashTransactions.set(record.id, record);
    return record;
  }

  addFundTransaction(tx: NewFundTransaction, atMs: number): FundTransactionRecord {
    const at = new Date(atMs).toISOString();
    const record: FundTransactionRecord = {
      ...tx,
      id: this.ids.id(),
      sortedId: this.ids.sortedId(atMs),
      aborted: false,
      abortedReason: null,
      createdDate: at,
      modifiedDate: at,
    };
    this.store.fundTransactions.set(record.id, record);
    return record;
  }

  publish(clientId: string, event: SandboxEvent, atMs: number): void {
    this.events.publish(clientId, event, new Date(atMs).toISOString());
  }

  persist(): void {
    const file = this.options.stateFile;
    if (!file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 500);
    this.saveTimer.unref();
  }

  /** Writes the state file now (atomically); no-op without a state file. */
  saveNow(): void {
    const file = this.options.stateFile;
    if (!file) return;
    const saved: SavedState = {
      version: 1,
      now: this.clock.nowIso(),
      data: this.store.toData(),
      steps: [...this.clock.pending()],
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(saved));
    renameSync(`${file}.tmp`, file);
  }

  // ---- scheduled steps -----------------------------------------------------------------------------------------

  private runStep(step: ScheduledStep): void {
    switch (step.kind) {
      case 'payment.processing':
        markInstructionProcessing(this, step.targetId, step.at);
        break;
      case 'payment.outcome':
        settleInstruction(this, step.targetId, step.at);
        break;
      case 'payment.renewal':
        renewCoverageCheck(this, step.targetId, step.at);
        break;
      case 'order.cutoff':
        cutoffStep(this, step.targetId, step.at);
        break;
      case 'order.confirm':
        confirmStep(this, step.targetId, step.at);
        break;
      case 'order.settle':
        settleStep(this, step.targetId, step.at);
        break;
      default:
        throw new Error(`unknown sandbox step ${step.kind}`);
    }
    this.persist();
  }

  // ---- control operations ----------------------------------------------------------------------------------

  reset(): void {
    this.clock.clear();
    this.store = new SandboxStore(buildInitialData(this.options.seed, this.ids, this.clock.now()));
    this.persist();
  }

  /**
   * Creates an account (and optionally its allocation plan) from seed-shaped input, e.g. one per test. Everything
   * is validated before anything is stored.
   */
  createAccount(input: SeedAccountInput, allocation?: { instrument: string; allocation: string }[]) {
    this.requireClient(input.clientId);
    if (this.store.accounts.has(input.id)) throw new Error(`account ${input.id} already exists`);
    if (allocation) {
      const problem = allocationProblem(allocation);
      if (problem) throw new Error(`allocation: ${problem}`);
      const unknown = allocation.filter((a) => !this.store.instruments.has(a.instrument)).map((a) => a.instrument);
      if (unknown.length) throw new Error(`allocation: unknown instrument ${unknown.join(', ')}`);
    }
    const account = accountFromSeed(input, this.ids, this.clock.now(), this.store.instruments);
    this.store.accounts.set(account.id, account);
    let plan;
    if (allocation) {
      plan = {
        id: this.ids.id(),
        clientId: account.clientId,
        account: account.id,
        bankAccount: account.bankAccounts[0]?.id ?? null,
        instruments: allocation,
      };
      this.store.allocationPlans.set(plan.id, plan);
    }
    this.persist();
    return { account: accountView(account, this.store), allocationPlan: plan ? allocationPlanView(plan) : null };
  }

  updateAccount(
    accountId: string,
    patch: { status?: string; kyc?: { order?: boolean; withdrawal?: boolean }; balance?: string }
  ) {
    const account = this.store.accounts.get(accountId);
    if (!account) throw notFound(`account ${accountId}`);
    // Checked before anything changes: a refused patch leaves the account as it was.
    if (patch.balance !== undefined && dec(patch.balance).lessThan(account.reserved))
      throw new Error('balance cannot go below reserved cash');
    const nowMs = this.clock.now();
    const before = accountView(account, this.store);
    if (patch.status !== undefined) account.status = patch.status;
    if (patch.kyc) account.kyc = { ...account.kyc, ...patch.kyc };
    if (patch.balance !== undefined) {
      // A manual cash adjustment moves the opening balance too, so the ledger invariant keeps holding.
      const delta = dec(patch.balance).minus(account.balance);
      account.balance = toFixed(patch.balance, SEK_SCALE, 'down');
      account.openingBalance = dec(account.openingBalance).plus(delta).toFixed(SEK_SCALE);
    }
    account.modifiedDate = new Date(nowMs).toISOString();
    this.publish(
      account.clientId,
      { eventType: 'account.update', current: accountView(account, this.store), previous: before },
      nowMs
    );
    this.persist();
    return accountView(account, this.store);
  }

  updateInstrument(instrumentId: string, patch: Partial<Omit<InstrumentRecord, 'id' | 'isincode'>>) {
    const instrument = this.requireInstrument(instrumentId);
    Object.assign(instrument, patch);
    if (patch.closePrice !== undefined) instrument.priceDate = this.clock.nowIso();
    const nowMs = this.clock.now();
    for (const client of this.store.clients.values()) {
      if (client.universe.includes(instrumentId)) this.publish(client.id, { eventType: 'instrument.reloaded' }, nowMs);
    }
    this.persist();
    return instrument;
  }

  addPaymentFailure(rule: Omit<PaymentFailureRule, 'id'>): PaymentFailureRule {
    const stored = { ...rule, id: this.ids.id() };
    this.store.paymentFailures.push(stored);
    this.persist();
    return stored;
  }

  ledger() {
    return ledgerDump(this.store);
  }

  checkInvariants(): string[] {
    return checkInvariants(this.store);
  }
}
