/**
 * The preflight's one read (issue 12.2): what Fondo says about a plan's account, allocation and funds, for the pure
 * check in shared/plan-check.ts. Read-only; "not found" and "refused as malformed" answers (an unknown fund id such
 * as `foo`, an account under another client) are facts, not failures. Other Fondo failures retry as usual.
 */
import { Context } from '@temporalio/activity';
import { isFondoError, type FondoClient, type Instrument } from '../fondo';
import { dec, toPlain } from '../shared/money';
import { WeightsSchema, type AllocationSource } from '../shared/plan';
import type { FundFacts, PlanFacts } from '../shared/plan-check';
import { firstIssue } from '../shared/zod-issues';
import { toActivityFailure } from './fondo-failure';
import type { SharedReads } from './shared-reads';
import { rulesOf } from './portfolio';

/** Answers that mean "no such thing here" rather than "Fondo failed". */
const ABSENT_KINDS = new Set(['not-found', 'bad-request', 'unprocessable', 'forbidden', 'invalid-request']);

async function orAbsent<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isFondoError(err) && ABSENT_KINDS.has(err.kind)) return undefined;
    throw toActivityFailure(err);
  }
}

export function createPlanCheckActivities(fondo: FondoClient, reads: SharedReads) {
  const signal = () => Context.current().cancellationSignal;
  return {
    /** Account, allocation, funds and holdings of a plan to be checked, as Fondo sees them for this client. */
    async planCheckFacts(input: {
      clientId: string;
      accountId: string;
      allocation: AllocationSource;
    }): Promise<PlanFacts> {
      const account = await orAbsent(() => fondo.getAccount(input.clientId, input.accountId, { signal: signal() }));
      let fondoAllocation: PlanFacts['fondoAllocation'] = null;
      let instruments = input.allocation.source === 'override' ? input.allocation.weights.map((w) => w.instrument) : [];
      if (input.allocation.source === 'fondo' && account) {
        const plan = await orAbsent(() =>
          fondo.getAllocationPlanByAccount(input.clientId, input.accountId, { signal: signal() })
        );
        const parsed = plan
          ? WeightsSchema.safeParse(
              plan.instruments.map((i) => ({ instrument: i.instrument, percent: toPlain(i.allocation) }))
            )
          : undefined;
        if (!parsed) fondoAllocation = { problem: 'the account has no Fondo allocation plan; give --weights' };
        else if (!parsed.success)
          fondoAllocation = {
            problem: `the account's Fondo allocation plan is not usable: ${firstIssue(parsed.error)}`,
          };
        else {
          fondoAllocation = { weights: parsed.data };
          instruments = parsed.data.map((w) => w.instrument);
        }
      }
      const universe = (await orAbsent(() => reads.clientInstruments(input.clientId, signal()))) ?? [];
      const byId = new Map(universe.map((i) => [i.id, i]));
      const funds: Record<string, FundFacts> = {};
      for (const id of instruments) {
        const inUniverse = byId.has(id);
        const instrument: Instrument | undefined =
          byId.get(id) ?? (await orAbsent(() => fondo.getInstrument(id, { signal: signal() })));
        const rules = instrument ? rulesOf(instrument, inUniverse) : null;
        funds[id] = {
          known: instrument !== undefined,
          inUniverse,
          rules: rules
            ? {
                closePrice: rules.closePrice,
                decimalsUnits: rules.decimalsUnits,
                minInitialAmountSek: rules.minInitialAmountSek,
                minSubsequentAmountSek: rules.minSubsequentAmountSek,
                minInvestmentAmountSEK: rules.minInvestmentAmountSEK,
                isBuyable: rules.isBuyable,
                isTradable: rules.isTradable,
                isSellable: rules.isSellable,
              }
            : null,
        };
      }
      const holdings = Object.fromEntries(
        (account?.positions ?? []).filter((p) => !dec(p.units).isZero()).map((p) => [p.instrument, p.units])
      );
      return {
        account: account
          ? { found: true, status: account.status ?? null, active: account.status === 'active' && !account.deleted }
          : { found: false, status: null, active: false },
        fondoAllocation,
        funds,
        holdings,
      };
    },
  };
}

export type PlanCheckActivities = ReturnType<typeof createPlanCheckActivities>;
