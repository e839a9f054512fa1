/**
 * The custodian port: what the workflows need from a fund platform, in provider-neutral words. The Fondo
 * activities (activities/) translate Fondo's statuses, refusal codes and Bankgirot reason codes into these types
 * (shared/fondo-custodian.ts holds that table); workflows decide on these types only, so a second custodian is a
 * second adapter, not a change to the workflows. Everything is plain JSON with decimal strings (activity results).
 */

/** The account check before a deposit is collected. */
export interface AccountCheck {
  found: boolean;
  active: boolean;
  /** The custodian's own status word, for the operator (never decided on). */
  status: string | null;
}

/** Why a collected deposit failed, as the bank reported it. */
export type DepositFailure =
  /** Not enough money on the bank account; the custodian may collect again (a renewed attempt). */
  | 'insufficient-funds'
  /**
   * A collection the bank was still renewing when it failed (a renewed coverage check that cannot go on): the bank
   * itself retried the same collection, so no new one is made.
   */
  | 'renewed-by-bank'
  /** There is no direct-debit mandate: retrying cannot help. */
  | 'no-mandate'
  /** The mandate is not yet approved: retrying within the period cannot help. */
  | 'mandate-pending'
  | 'other';

/**
 * Failures after which a renewed attempt (a new collection) on a later banking day may succeed. A collection the
 * bank renews itself is never doubled by a new one: while the bank renews it, it is pending (DepositOutcome).
 */
export const RENEWABLE_DEPOSIT_FAILURES: readonly DepositFailure[] = ['insufficient-funds'];

/** Words for an operator, per failure class. */
export const DEPOSIT_FAILURE_WORDS: Record<DepositFailure, string> = {
  'insufficient-funds': 'insufficient funds',
  'renewed-by-bank': 'coverage renewed by the bank',
  'no-mandate': 'no autogiro mandate',
  'mandate-pending': 'mandate pending',
  other: 'rejected by the bank',
};

/** A deposit collection (one attempt) as the workflow sees it. */
export interface DepositSubmitted {
  instructionId: string;
  paymentId: string | null;
  /** The banking day the custodian will collect (null when it does not say). */
  debitDate: string | null;
  /** True when an earlier, ambiguous attempt had already created it. */
  adopted: boolean;
}

export type DepositOutcome =
  | {
      status: 'pending';
      debitDate: string | null;
      /**
       * Set while the bank renews the coverage check of this same collection on a later banking day (`debitDate`
       * is then the next check's day): the workflow keeps following it and makes no new collection.
       */
      renewal?: { providerCode: string | null };
    }
  | { status: 'paid'; amount: string | null; debitDate: string | null }
  | {
      status: 'failed';
      failure: DepositFailure;
      /** The bank's own code (reported to operators, never decided on in workflows). */
      providerCode: string | null;
      debitDate: string | null;
    };

/** Why the custodian refused an order, in neutral words. */
export type OrderRefusal =
  | 'kyc'
  | 'not-tradable'
  | 'not-buyable'
  | 'not-sellable'
  | 'below-minimum'
  | 'insufficient-funds'
  | 'insufficient-units'
  | 'other';

/** Refusals that clear by themselves (KYC completed, fund reopened): the leg is held and re-checked. */
export const HOLDABLE_REFUSALS: readonly OrderRefusal[] = ['kyc', 'not-tradable', 'not-buyable'];

/** An order's state: working (received, not yet traded), filled (traded, not settled), and the final three. */
export type OrderStateName = 'working' | 'filled' | 'settled' | 'canceled' | 'refused';
export const FINAL_ORDER_STATES: readonly OrderStateName[] = ['settled', 'canceled', 'refused'];

export interface OrderState {
  orderId: string;
  clientRef: string;
  instrument: string;
  status: OrderStateName;
  amount: string | null;
  units: string | null;
  price: string | null;
  /** Why it was canceled or refused, as the custodian said (free text from the custodian, no personal data). */
  reason: string | null;
  /** For a settled order: the cash actually moved. */
  settledAmount: string | null;
}

/** The result of placing one buy or sell. */
export type PlaceOrderResult =
  | { outcome: 'placed'; adopted: boolean; order: OrderState }
  | { outcome: 'refused'; reason: OrderRefusal; providerCode: string; description: string };

/**
 * One order of a batch placed in one activity: placed or refused as alone, or failed for good (a non-retryable
 * error of that order only; the others of the batch are placed regardless). Transient failures retry the batch.
 */
export type PlaceBatchOrderResult = PlaceOrderResult | { outcome: 'failed'; message: string };

/** Why a fund cannot be traded here although the custodian lists it. */
export type UnsupportedReason = { kind: 'currency'; currency: string };

/** A fund's trading rules as the split and the rebalancer read them (shared/instrument-rules.ts). */
export interface FundRules {
  /** The last price (in SEK; a fund priced in another currency is not tradable here, see `unsupported`). */
  closePrice: string;
  priceCurrency: string | null;
  priceDate: string | null;
  /** Unit decimals a sell may use (orders by quantity); buys are by amount. */
  decimalsUnits: number;
  minInitialAmountSek: string;
  minSubsequentAmountSek: string;
  minInvestmentAmountSEK: string;
  isBuyable: boolean;
  isSellable: boolean;
  /** Tradable now (a fund closed for trading is re-checked on the next banking day). */
  isTradable: boolean;
  /** False when the fund is not in the client's instrument universe (then never buyable here). */
  inUniverse: boolean;
  /** Set when the fund cannot be traded by this scheduler at all (e.g. a non-SEK price, until currencies are). */
  unsupported: UnsupportedReason | null;
}

/** The currency every amount of this scheduler is in. */
export const BASE_CURRENCY = 'SEK';
