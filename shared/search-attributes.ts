import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes shown in the Temporal UI. Values are opaque ids, states and dates only:
 * search attributes are stored and indexed in plain text, so no personal data ever goes here.
 */
export const SavingsPlanIdKey = defineSearchAttributeKey('SavingsPlanId', SearchAttributeType.KEYWORD);
export const FondoClientIdKey = defineSearchAttributeKey('FondoClientId', SearchAttributeType.KEYWORD);
export const PlanStateKey = defineSearchAttributeKey('PlanState', SearchAttributeType.KEYWORD);
export const NextDebitDateKey = defineSearchAttributeKey('NextDebitDate', SearchAttributeType.KEYWORD);
export const CyclePeriodKey = defineSearchAttributeKey('CyclePeriod', SearchAttributeType.KEYWORD);

/** Every custom key, for registration on a server (dev server flags, operator service). */
export const ALL_SEARCH_ATTRIBUTE_KEYS = [
  SavingsPlanIdKey,
  FondoClientIdKey,
  PlanStateKey,
  NextDebitDateKey,
  CyclePeriodKey,
] as const;
