/**
 * The sandbox's in-memory records. Everything is plain JSON data (amounts and units as decimal strings,
 * times as ISO strings) so the whole state can be snapshotted, dumped as a ledger and restored.
 *
 * Cash model per account: `balance` is settled cash; `reserved` is cash promised to subscription orders not yet
 * settled. Available cash = balance − reserved ≥ 0 always. Units model per position: `units` counts traded
 * (confirmed) units, `unitsSettled` settled ones; `reservedUnits` are promised to redemptions not yet traded.
 */
export interface PartnerRecord {
  clientId: string;
  clientSecret: string;
}

export interface ClientRecord {
  id: string;
  sortedId: string;
  name: string;
  displayName: string;
  crn: string;
  country: string;
  serviceTypes: { accountServiceType: string }[];
  /** Instrument ids of the client's instrument universe. */
  universe: string[];
  createdDate: string;
  modifiedDate: string;
}

export interface BankAccountRecord {
  id: string;
  iban: string;
  bban: string;
  bank: string;
  name: string;
  /** A validated bank account carries an autogiro mandate in the sandbox. */
  validated: boolean;
  createdDate: string;
  modifiedDate: string;
  deletedDate: string | null;
}

export interface PositionRecord {
  instrument: string;
  units: string;
  unitsSettled: string;
  reservedUnits: string;
  /** Total acquisition cost of the units held (for gav = cost / units). */
  cost: string;
}

export interface AccountRecord {
  id: string;
  sortedId: string;
  ref: string;
  name: string;
  status: string;
  accountType: string;
  serviceType: string;
  owner: { firstName: string; lastName: string; fullName: string; ssn: string };
  clientId: string;
  currency: 'SEK';
  balance: string;
  reserved: string;
  /** Opening balance from the seed (ledger invariant baseline). */
  openingBalance: string;
  deposited: string;
  withdrawn: string;
  positions: PositionRecord[];
  /** Opening units per instrument from the seed (ledger invariant baseline). */
  openingUnits: Record<string, string>;
  bankAccounts: BankAccountRecord[];
  kyc: { order: boolean; withdrawal: boolean };
  deleted: boolean;
  createdDate: string;
  modifiedDate: string;
  deletedDate: string | null;
}

export interface InstrumentRecord {
  id: string;
  isincode: string;
  name: string;
  currency: string;
  closePrice: string;
  priceDate: string;
  decimalsUnits: number;
  minInvestmentAmountSEK: string;
  minInitialAmountSek: string;
  minSubsequentAmountSek: string;
  isComplex: boolean;
  isBuyable: boolean;
  isSellable: boolean;
  isTradable: boolean;
  rebate: string;
  /** Order cut-off, local Stockholm time (sandbox extension, not sent on the wire). */
  cutoff: string;
}

export interface AllocationPlanRecord {
  id: string;
  clientId: string;
  account: string;
  bankAccount: string | null;
  instruments: { instrument: string; allocation: string }[];
}

export interface PaymentInstructionRecord {
  id: string;
  clientId: string;
  type: 'autogiro';
  paymentIds: string[];
  status: string;
  createdDate: string;
  modifiedDate: string;
}

export interface PaymentRecord {
  id: string;
  sortedId: string;
  clientId: string;
  instructionId: string;
  account: string;
  amount: string;
  clientRef: string;
  status: 'new' | 'processing' | 'completed' | 'failed';
  reason: string | null;
  reasonCode: string | null;
  /** Banking day the autogiro debit is (or was) drawn (sandbox extension field); moves on with renewed checks. */
  debitDate: string;
  /** Renewed coverage checks made after a code 9 (sandbox extension field; absent = none). */
  renewedCoverageChecks?: number;
  createdDate: string;
  modifiedDate: string;
}

export interface OrderRecord {
  id: string;
  sortedId: string;
  clientId: string;
  status: 'received' | 'hold' | 'sent' | 'confirmed' | 'settled' | 'canceled';
  orderType: 'subscription' | 'redemption';
  account: string;
  clientRef: string | null;
  executorRef: string | null;
  instrument: string;
  /** Subscription: the ordered amount. Redemption: the proceeds, known at confirmation. */
  amount: string | null;
  /** Redemption: the ordered units. Subscription: the units bought, known at confirmation. */
  units: string | null;
  price: string | null;
  /** Cash actually debited at settlement for a subscription (units × price rounded up to öre, ≤ amount). */
  settledAmount: string | null;
  /** Payout bank account for order/withdrawal redemptions. */
  payoutBankAccount: string | null;
  tradeDate: string | null;
  settlementDate: string | null;
  reason: string | null;
  createdDate: string;
  modifiedDate: string;
  canceledDate: string | null;
}

export interface CashTransactionRecord {
  id: string;
  sortedId: string;
  clientId: string;
  account: string;
  transactionType: 'deposit' | 'withdrawal' | 'subscription' | 'redemption';
  aborted: boolean;
  abortedReason: string | null;
  ref: string;
  refType: 'payment' | 'order' | 'external';
  creditAccount: string | null;
  debitAccount: string | null;
  amount: string;
  currency: 'SEK';
  clientRef: string | null;
  instrument: string | null;
  createdDate: string;
  modifiedDate: string;
  settlementDate: string | null;
}

export interface FundTransactionRecord {
  id: string;
  sortedId: string;
  clientId: string;
  account: string;
  transactionType: 'subscription' | 'redemption';
  aborted: boolean;
  abortedReason: string | null;
  ref: string;
  refType: 'order';
  instrument: string;
  identifier: string;
  units: string;
  price: string;
  currency: string;
  clientRef: string | null;
  createdDate: string;
  modifiedDate: string;
  settlementDate: string | null;
  tradeDate: string | null;
}

/**
 * A scheduled autogiro failure: the next `remaining` matching payments fail with `code`. For code 9 (renewed
 * coverage check) `remaining` counts coverage checks without coverage: the payment's first check and its renewals.
 */
export interface PaymentFailureRule {
  id: string;
  code: '1' | '2' | '4' | '9';
  account?: string;
  clientRef?: string;
  clientRefPrefix?: string;
  remaining: number;
}

export interface SandboxData {
  partner: PartnerRecord;
  clients: ClientRecord[];
  accounts: AccountRecord[];
  instruments: InstrumentRecord[];
  allocationPlans: AllocationPlanRecord[];
  paymentInstructions: PaymentInstructionRecord[];
  payments: PaymentRecord[];
  orders: OrderRecord[];
  cashTransactions: CashTransactionRecord[];
  fundTransactions: FundTransactionRecord[];
  paymentFailures: PaymentFailureRule[];
}

/** Indexed access over SandboxData; arrays stay in creation (= sortedId) order. */
export class SandboxStore {
  readonly clients = new Map<string, ClientRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  readonly instruments = new Map<string, InstrumentRecord>();
  readonly allocationPlans = new Map<string, AllocationPlanRecord>();
  readonly paymentInstructions = new Map<string, PaymentInstructionRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly orders = new Map<string, OrderRecord>();
  readonly cashTransactions = new Map<string, CashTransactionRecord>();
  readonly fundTransactions = new Map<string, FundTransactionRecord>();
  /** clientRef uniqueness, per client and object kind: `${clientId}|${kind}|${clientRef}` → object id. */
  readonly clientRefs = new Map<string, string>();
  paymentFailures: PaymentFailureRule[] = [];

  constructor(readonly data: SandboxData) {
    for (const c of data.clients) this.clients.set(c.id, c);
    for (const a of data.accounts) this.accounts.set(a.id, a);
    for (const i of data.instruments) this.instruments.set(i.id, i);
    for (const p of data.allocationPlans) this.allocationPlans.set(p.id, p);
    for (const p of data.paymentInstructions) this.paymentInstructions.set(p.id, p);
    for (const p of data.payments) {
      this.payments.set(p.id, p);
      this.clientRefs.set(refKey(p.clientId, 'payment', p.clientRef), p.instructionId);
    }
    for (const o of data.orders) {
      this.orders.set(o.id, o);
      if (o.clientRef) this.clientRefs.set(refKey(o.clientId, 'order', o.clientRef), o.id);
    }
    for (const t of data.cashTransactions) this.cashTransactions.set(t.id, t);
    for (const t of data.fundTransactions) this.fundTransactions.set(t.id, t);
    this.paymentFailures = data.paymentFailures;
  }

  /** The full data, in creation order (for snapshots and the ledger dump). */
  toData(): SandboxData {
    return {
      partner: this.data.partner,
      clients: [...this.clients.values()],
      accounts: [...this.accounts.values()],
      instruments: [...this.instruments.values()],
      allocationPlans: [...this.allocationPlans.values()],
      paymentInstructions: [...this.paymentInstructions.values()],
      payments: [...this.payments.values()],
      orders: [...this.orders.values()],
      cashTransactions: [...this.cashTransactions.values()],
      fundTransactions: [...this.fundTransactions.values()],
      paymentFailures: this.paymentFailures,
    };
  }
}

export type ClientRefKind = 'payment' | 'order';
export function refKey(clientId: string, kind: ClientRefKind, clientRef: string): string {
  return `${clientId}|${kind}|${clientRef}`;
}
