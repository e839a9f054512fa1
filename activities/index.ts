import type { FondoClient } from '../fondo';
import { createOrderActivities } from './orders';
import { createPaymentActivities } from './payments';
import { createPlanCheckActivities } from './plan-check';
import { createPortfolioActivities } from './portfolio';
import { createSystemActivities } from './system';

export interface ActivityDeps {
  fondo: FondoClient;
  /**
   * Whether Fondo refuses a second object with an already used clientRef (our sandbox does; Fondo's docs are
   * silent). Decides how ambiguous payment creates are resolved (activities/payments.ts) and whether an order
   * create is checked against the order list first (activities/orders.ts).
   */
  assumeUniqueClientRefs: boolean;
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemActivities(deps.fondo),
    ...createPaymentActivities(deps),
    ...createOrderActivities(deps),
    ...createPortfolioActivities(deps.fondo),
    ...createPlanCheckActivities(deps.fondo),
  };
}

/** The activity interface workflows proxy (imported there as a type only). */
export type Activities = ReturnType<typeof createActivities>;
export type { InvestmentSnapshot } from './portfolio';
export type {
  AccountCheck,
  DepositOutcome,
  DepositSubmitted,
  FundRules,
  OrderState,
  PlaceOrderResult,
} from '../shared/custodian';
