import type { FondoClient } from '../fondo';
import { createOrderActivities } from './orders';
import { createPaidSnapshotActivities } from './paid-snapshot';
import { createPaymentActivities } from './payments';
import { createPlanCheckActivities } from './plan-check';
import { createPortfolioActivities } from './portfolio';
import { sharedReads } from './shared-reads';
import { createSystemActivities } from './system';

export interface ActivityDeps {
  fondo: FondoClient;
  /**
   * Whether Fondo refuses a second object with an already used clientRef (our sandbox does; Fondo's docs are
   * silent). Decides how ambiguous payment creates are resolved (activities/payments.ts) and whether an order
   * create is checked against the order list first (activities/orders.ts).
   */
  assumeUniqueClientRefs: boolean;
  /**
   * How long one read of a client's fund list serves every activity of this worker (activities/shared-reads.ts);
   * default 0: read every time. The worker sets it from FONDO_SHARED_READ_TTL_MS.
   */
  sharedReadTtlMs?: number;
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  const reads = sharedReads(deps.fondo, deps.sharedReadTtlMs ?? 0);
  const payments = createPaymentActivities(deps);
  const portfolio = createPortfolioActivities(deps.fondo, reads);
  return {
    ...createSystemActivities(deps.fondo),
    ...payments,
    ...createOrderActivities(deps),
    ...portfolio,
    ...createPlanCheckActivities(deps.fondo, reads),
    ...createPaidSnapshotActivities({ ...payments, ...portfolio }),
  };
}

/** The activity interface workflows proxy (imported there as a type only). */
export type Activities = ReturnType<typeof createActivities>;
export type { InvestmentSnapshot } from './portfolio';
export type { PaymentOutcomeAndSnapshot, SnapshotRequest } from './paid-snapshot';
export type {
  AccountCheck,
  DepositOutcome,
  DepositSubmitted,
  FundRules,
  OrderState,
  PlaceOrderResult,
} from '../shared/custodian';
