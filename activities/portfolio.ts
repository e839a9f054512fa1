/**
 * Read-only activities that snapshot what the domain engine decides on: the account, KYC, the allocation, the
 * client's instrument universe with its trading rules, holdings with prices, and cash available to invest.
 * Everything is returned as decimal strings; nothing here changes state.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isFondoError, type FondoClient, type Instrument } from '../fondo';
import { BASE_CURRENCY, type AccountCheck, type FundRules } from '../shared/custodian';
import { FailureType } from '../shared/failure-types';
import { dec, MAX_UNIT_SCALE, SEK_SCALE, sum, toFixed, toPlain } from '../shared/money';
import { describeIssue, WeightsSchema, type AllocationSource, type Weights } from '../shared/plan';
import { measureDrift, type DriftMeasurement } from '../shared/rebalance';
import { fondoCall, toActivityFailure } from './fondo-failure';
import type { SharedReads } from './shared-reads';

export type { FundRules };

export interface InvestmentSnapshot {
  accountActive: boolean;
  kycOrder: boolean;
  weights: Weights;
  rules: Record<string, FundRules>;
  /** Units held per fund (decides initial vs subsequent minimums). */
  holdings: Record<string, string>;
  /** Units and price per fund held, for drift and cash-flow weights. */
  positions: Record<string, { units: string; price: string }>;
  /**
   * Settled cash, and what pending subscriptions reserve of it: read only when asked (`pendingSince`), since it walks
   * the partner's order list (calls grow with the partner's volume); null when not read. A cycle does not need it (it
   * spends its own deposit and the free cash its plan hands it); a rebalance run does.
   */
  cash: { balance: string; pendingSubscriptions: string | null; available: string | null };
}

export function createPortfolioActivities(fondo: FondoClient, reads: SharedReads) {
  const signal = () => Context.current().cancellationSignal;

  async function weightsOf(clientId: string, accountId: string, source: AllocationSource): Promise<Weights> {
    if (source.source === 'override') return source.weights;
    const plan = await fondoCall(() => fondo.getAllocationPlanByAccount(clientId, accountId, { signal: signal() }));
    const parsed = WeightsSchema.safeParse(
      plan.instruments.map((i) => ({ instrument: i.instrument, percent: toPlain(i.allocation) }))
    );
    if (!parsed.success) {
      throw ApplicationFailure.nonRetryable(
        `the account's Fondo allocation plan is not usable: ${describeIssue(parsed.error)}`,
        FailureType.FondoRejected
      );
    }
    return parsed.data;
  }

  async function universeRules(clientId: string, ids: Iterable<string>): Promise<Record<string, FundRules>> {
    const universe = await fondoCall(() => reads.clientInstruments(clientId, signal()));
    const byId = new Map(universe.map((i) => [i.id, i]));
    const rules: Record<string, FundRules> = {};
    for (const id of ids) {
      const instrument = byId.get(id) ?? (await globalInstrument(id));
      rules[id] = rulesOf(instrument, byId.has(id));
    }
    return rules;
  }

  async function globalInstrument(id: string): Promise<Instrument | undefined> {
    try {
      return await fondo.getInstrument(id, { signal: signal() });
    } catch (err) {
      if (isFondoError(err) && err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  async function pendingSubscriptions(clientId: string, accountId: string, since: string): Promise<string> {
    const amounts: string[] = [];
    await fondoCall(async () => {
      for await (const o of fondo.iterateOrders(clientId, { modifiedFrom: since }, { signal: signal() })) {
        if (o.account === accountId && o.orderType === 'subscription' && !['settled', 'canceled'].includes(o.status)) {
          amounts.push(o.amount ?? '0');
        }
      }
    });
    // Pending subscriptions are reserved against cash: rounded up to the öre, so never under-reserved.
    return toFixed(sum(amounts), SEK_SCALE, 'ceil');
  }

  return {
    /** Whether the account exists and is active (a cycle's pre-check). */
    async checkAccount(input: { clientId: string; accountId: string }): Promise<AccountCheck> {
      try {
        const account = await fondo.getAccount(input.clientId, input.accountId, { signal: signal() });
        const status = account.status ?? null;
        return { found: true, status, active: status === 'active' && !account.deleted };
      } catch (err) {
        if (isFondoError(err) && err.kind === 'not-found') return { found: false, status: null, active: false };
        throw toActivityFailure(err);
      }
    },

    /** Everything a cycle's split needs, read at one moment. */
    async investmentSnapshot(input: {
      clientId: string;
      accountId: string;
      allocation: AllocationSource;
      /** Funds the split may touch besides the allocation (carried money). */
      extraFunds: string[];
      /**
       * Read the cash pending subscriptions reserve, counting pending orders modified since this instant (older ones
       * are not counted); absent: not read (no order-list walk), `cash.pendingSubscriptions`/`available` are null.
       */
      pendingSince?: string;
    }): Promise<InvestmentSnapshot> {
      const [account, kyc, weights] = await Promise.all([
        fondoCall(() => fondo.getAccount(input.clientId, input.accountId, { signal: signal() })),
        fondoCall(() => fondo.getKycStatus(input.clientId, input.accountId, { signal: signal() })),
        weightsOf(input.clientId, input.accountId, input.allocation),
      ]);
      const held = (account.positions ?? []).filter((p) => !dec(p.units).isZero());
      const ids = new Set([...weights.map((w) => w.instrument), ...input.extraFunds, ...held.map((p) => p.instrument)]);
      const rules = await universeRules(input.clientId, ids);
      const holdings = Object.fromEntries(held.map((p) => [p.instrument, p.units]));
      const positions = Object.fromEntries(
        held.map((p) => [
          p.instrument,
          { units: p.units, price: rules[p.instrument]?.closePrice ?? p.closePrice ?? '0' },
        ])
      );
      // Cash available to invest: rounded down to the öre, so a split never spends more than there is.
      const balance = toFixed(account.balance ?? '0', SEK_SCALE, 'floor');
      const pending =
        input.pendingSince === undefined
          ? null
          : await pendingSubscriptions(input.clientId, input.accountId, input.pendingSince);
      const available = pending === null ? null : dec(balance).minus(pending);
      return {
        accountActive: account.status === 'active' && !account.deleted,
        kycOrder: kyc.order === true,
        weights,
        rules,
        holdings,
        positions,
        cash: {
          balance,
          pendingSubscriptions: pending,
          available: available === null ? null : toFixed(available.isNegative() ? '0' : available, SEK_SCALE, 'floor'),
        },
      };
    },

    /** Current trading rules of some funds (a held leg's daily re-check). */
    async fundRules(input: { clientId: string; instruments: string[] }): Promise<Record<string, FundRules>> {
      return universeRules(input.clientId, input.instruments);
    },

    /** KYC gate alone (a blocked cycle's re-check). */
    async kycAllowsOrders(input: { clientId: string; accountId: string }): Promise<boolean> {
      const kyc = await fondoCall(() => fondo.getKycStatus(input.clientId, input.accountId, { signal: signal() }));
      return kyc.order === true;
    },

    /** Drift of the account's holdings from the plan's weights (the plan's drift trigger after a cycle). */
    async measurePlanDrift(input: {
      clientId: string;
      accountId: string;
      allocation: AllocationSource;
    }): Promise<DriftMeasurement | null> {
      const [account, weights] = await Promise.all([
        fondoCall(() => fondo.getAccount(input.clientId, input.accountId, { signal: signal() })),
        weightsOf(input.clientId, input.accountId, input.allocation),
      ]);
      const held = (account.positions ?? []).filter((p) => !dec(p.units).isZero());
      if (held.length === 0) return null;
      const rules = await universeRules(
        input.clientId,
        held.map((p) => p.instrument)
      );
      const positions = Object.fromEntries(
        held.map((p) => [p.instrument, { units: p.units, price: rules[p.instrument]!.closePrice }])
      );
      return measureDrift(positions, weights);
    },

    /** Checks that override weights name funds of the client's universe (an update's asynchronous validation). */
    async unknownFunds(input: { clientId: string; instruments: string[] }): Promise<string[]> {
      const universe = await fondoCall(() => reads.clientInstruments(input.clientId, signal()));
      const known = new Set(universe.map((i) => i.id));
      return input.instruments.filter((id) => !known.has(id));
    },
  };
}

/**
 * A fund's rules for the port. A fund without a price cannot be traded here: it counts as not tradable (its
 * placeholder price is never used). A fund priced in another currency than SEK is refused until currencies are
 * supported: not buyable, sellable or tradable, with `unsupported` saying why (an SEK amount would be read as a
 * foreign price otherwise).
 */
export function rulesOf(i: Instrument | undefined, inUniverse: boolean): FundRules {
  const currency = i?.currency ?? null;
  const foreign = currency !== null && currency.toUpperCase() !== BASE_CURRENCY;
  const priced = !foreign && i?.closePrice !== undefined && i.closePrice !== null && dec(i.closePrice).greaterThan(0);
  return {
    closePrice: priced ? i.closePrice! : '1',
    priceCurrency: currency,
    priceDate: i?.priceDate ?? null,
    decimalsUnits: Math.min(i?.decimalsUnits ?? 0, MAX_UNIT_SCALE),
    minInitialAmountSek: i?.minInitialAmountSek ?? '0',
    minSubsequentAmountSek: i?.minSubsequentAmountSek ?? '0',
    minInvestmentAmountSEK: i?.minInvestmentAmountSEK ?? '0',
    isBuyable: !foreign && inUniverse && i?.isBuyable === true,
    isSellable: !foreign && i?.isSellable === true,
    isTradable: priced && i.isTradable === true,
    inUniverse,
    unsupported: foreign ? { kind: 'currency', currency } : null,
  };
}
