import type { BusinessClock } from './clock';
import type { EventBus, SandboxEvent } from './events';
import type { IdFactory } from './ids';
import type {
  AccountRecord,
  CashTransactionRecord,
  ClientRecord,
  FundTransactionRecord,
  InstrumentRecord,
  SandboxStore,
} from './state';

export type NewCashTransaction = Omit<
  CashTransactionRecord,
  'id' | 'sortedId' | 'aborted' | 'abortedReason' | 'currency' | 'createdDate' | 'modifiedDate'
>;
export type NewFundTransaction = Omit<
  FundTransactionRecord,
  'id' | 'sortedId' | 'aborted' | 'abortedReason' | 'createdDate' | 'modifiedDate'
>;

/** What lifecycle modules (payments, orders, control) need from the sandbox; implemented by SandboxEngine. */
export interface SandboxContext {
  readonly store: SandboxStore;
  readonly clock: BusinessClock;
  readonly ids: IdFactory;
  readonly events: EventBus;
  requireClient(clientId: string): ClientRecord;
  requireAccount(clientId: string, accountId: string): AccountRecord;
  requireInstrument(instrumentId: string): InstrumentRecord;
  addCashTransaction(tx: NewCashTransaction, atMs: number): CashTransactionRecord;
  addFundTransaction(tx: NewFundTransaction, atMs: number): FundTransactionRecord;
  publish(clientId: string, event: SandboxEvent, atMs: number): void;
  /** Marks state as changed (debounced save when a state file is configured). */
  persist(): void;
}
