/**
 * Fondo's words for the custodian port (shared/custodian.ts): its order statuses, its order refusal codes and the
 * Bankgirot autogiro reason codes it passes on. The only place these literals are interpreted: the Fondo activities
 * use it, and the order-event payload (shared/messages.ts) normalises the bridge's Fondo status with it. Workflows
 * never see a Fondo literal.
 */
import type { DepositFailure, OrderRefusal, OrderStateName } from './custodian';

/** Fondo order statuses (an open enum) → the port's order state; an unknown status is still working. */
export function orderStateOfFondo(status: string): OrderStateName {
  switch (status) {
    case 'settled':
    case 'canceled':
      return status;
    case 'confirmed':
      return 'filled';
    case 'rejected':
    case 'refused':
      return 'refused';
    case 'working':
    case 'filled':
      return status; // already neutral (a bridge that maps before it signals)
    default:
      return 'working'; // received, pending, sent, hold, and statuses Fondo may add
  }
}

const REFUSALS: Record<string, OrderRefusal> = {
  kyc_incomplete: 'kyc',
  instrument_not_tradable: 'not-tradable',
  instrument_not_buyable: 'not-buyable',
  instrument_not_in_universe: 'not-buyable',
  unknown_instrument: 'not-buyable',
  instrument_not_sellable: 'not-sellable',
  below_minimum: 'below-minimum',
  zero_units_at_price: 'below-minimum',
  insufficient_funds: 'insufficient-funds',
  insufficient_units: 'insufficient-units',
};

/** Fondo's order refusal code (`error` of a 4xx) → the port's neutral refusal. */
export function orderRefusalOfFondo(code: string): OrderRefusal {
  return REFUSALS[code] ?? 'other';
}

const BANKGIROT: Record<string, DepositFailure> = {
  '1': 'insufficient-funds',
  '2': 'no-mandate',
  '4': 'mandate-pending',
  '9': 'renewed-by-bank',
};

/** A Bankgirot autogiro reason code (Fondo's `reasonCode`) → the port's deposit failure class. */
export function depositFailureOfBankgirot(code: string | null): DepositFailure {
  return (code !== null && BANKGIROT[code]) || 'other';
}

/** Bankgirot's code 9: the bank checks coverage of the same payment again on the next banking day (up to three). */
const RENEWED_COVERAGE_CHECK = '9';

/** Whether a payment is in Bankgirot's renewed coverage checks: not final, same payment, checked again later. */
export function isRenewedCoverageCheck(status: string, reasonCode: string | null): boolean {
  return reasonCode === RENEWED_COVERAGE_CHECK && status !== 'completed' && status !== 'failed';
}

/**
 * Fondo payment statuses are not enumerated: completed is paid; a payment in renewed coverage checks (code 9, not
 * final) is pending; `failed` or any other reason code is a failure.
 */
export function depositStatusOfFondo(status: string, reasonCode: string | null): 'pending' | 'paid' | 'failed' {
  if (status === 'completed') return 'paid';
  if (isRenewedCoverageCheck(status, reasonCode)) return 'pending';
  return status === 'failed' || reasonCode ? 'failed' : 'pending';
}
