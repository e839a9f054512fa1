import fc from 'fast-check';
import { ChangeRebalancePolicyPayload } from '../../shared/messages';
import { describeIssue, PlanInputSchema, PlanRebalancePolicySchema, WeightsSchema } from '../../shared/plan';
import { planRebalance, RebalancePolicySchema } from '../../shared/rebalance';
import { scaled } from '../helpers/domain-arbitraries';

const plan = {
  planId: 'policy-plan',
  clientId: 'c1',
  accountId: 'a1',
  amount: '1000.00',
  dayOfMonth: 25,
  firstPeriod: '2031-03',
};

describe("the plan's rebalance policy is the engine's", () => {
  it("cashBufferPct '150' is refused at plan input, naming the field (planRebalance would reject it)", () => {
    const parsed = PlanInputSchema.safeParse({ ...plan, rebalance: { cashBufferPct: '150' } });
    expect(parsed.success).toBe(false);
    expect(!parsed.success && describeIssue(parsed.error)).toBe('rebalance.cashBufferPct: must be at most 100');
    const update = ChangeRebalancePolicyPayload.safeParse({ policy: { cashBufferPct: '150' } });
    expect(!update.success && describeIssue(update.error)).toBe('policy.cashBufferPct: must be at most 100');
  });

  it('defaults and valid values still parse', () => {
    expect(PlanRebalancePolicySchema.parse({})).toMatchObject({ cashBufferPct: '0.25', minTradeAmount: '100.00' });
    expect(PlanRebalancePolicySchema.parse({ cashBufferPct: '100' }).cashBufferPct).toBe('100');
  });

  it('property: every policy the plan accepts, planRebalance accepts', () => {
    const band = fc.option(
      fc.record({ absolutePp: fc.option(scaled(0n, 2_000_000n, 4), { nil: undefined }) }, { requiredKeys: [] }),
      { nil: undefined }
    );
    fc.assert(
      fc.property(scaled(0n, 2_000_000n, 4), scaled(0n, 100_000n, 2), band, (cashBufferPct, minTradeAmount, b) => {
        const parsed = PlanRebalancePolicySchema.safeParse({ cashBufferPct, minTradeAmount, band: b });
        if (!parsed.success) return;
        const policy = { mode: 'full' as const, ...(parsed.data.band ? { band: parsed.data.band } : {}) };
        const enginePolicy = {
          ...policy,
          minTradeAmount: parsed.data.minTradeAmount,
          cashBufferPct: parsed.data.cashBufferPct,
        };
        expect(RebalancePolicySchema.safeParse(enginePolicy).success).toBe(true);
        expect(() =>
          planRebalance({
            positions: { A: { units: '10', price: '100' } },
            cash: '100.00',
            targets: [{ instrument: 'A', percent: '100' }],
            instruments: {
              A: {
                closePrice: '100',
                decimalsUnits: 2,
                minInitialAmountSek: '0',
                minSubsequentAmountSek: '0',
                minInvestmentAmountSEK: '0',
                isBuyable: true,
                isSellable: true,
                isTradable: true,
              },
            },
            policy: enginePolicy,
          })
        ).not.toThrow();
      })
    );
  });

  it('one weights schema: the plan uses the engine weight items', () => {
    expect(describeIssue(WeightsSchema.safeParse([{ instrument: '', percent: '100' }]).error!)).toBe(
      '[0].instrument: must not be empty'
    );
  });
});
