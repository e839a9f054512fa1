import type { FundRules } from '../../shared/custodian';

/** A fund's rules as the custodian port gives them: SEK, NAV 100, 4 unit decimals, no minimum, open; `over` changes. */
export function fundRules(over: Partial<FundRules> = {}): FundRules {
  return {
    closePrice: '100',
    priceCurrency: 'SEK',
    priceDate: null,
    decimalsUnits: 4,
    minInitialAmountSek: '0',
    minSubsequentAmountSek: '0',
    minInvestmentAmountSEK: '0',
    isBuyable: true,
    isSellable: true,
    isTradable: true,
    inUniverse: true,
    unsupported: null,
    ...over,
  };
}
