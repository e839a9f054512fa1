/**
 * Every `patched()` id, in one place: each guards a change of workflow commands so executions recorded before it
 * replay on their old path (test/replay/). An id is forever: never renamed or reused; removed only with
 * `deprecatePatch` once no execution recorded before it can be open.
 */
export const PATCH = {
  /** A payment event makes the cycle read the payment at the custodian; only its answer is booked. */
  paymentEventsAreHints: 'payment-events-are-hints',
  /** An order event makes the book read the order at the custodian; only its answer is booked. */
  orderEventsAreHints: 'order-events-are-hints',
  /** One wake timer per waiting phase and a read of the custodian after a quiet period, backing off. */
  quietPeriodSafetyNet: 'quiet-period-safety-net',
  /** The cycle's pre-check also reads what the split needs (allocation, its funds) before it debits. */
  cyclePrecheckSplitInputs: 'cycle-precheck-split-inputs',
  /** Cash-flow weights respect minimums, unit decimals and trading flags. */
  cashFlowRespectsRules: 'cash-flow-respects-rules',
  /** A failure after the debit ends the cycle with the money kept for the plan (not a failed workflow). */
  keepMoneyAfterDebitFailure: 'keep-money-after-debit-failure',
  /** A released held leg is re-decided against the fund's current rules (a snapshot, then the split's policy). */
  releasedLegsReDecided: 'released-legs-re-decided',
  /** A cycle signals its plan only the phase changes that can change PlanState, never 'completed' (issue 14). */
  phaseSignalsOnlyStateChanges: 'phase-signals-only-state-changes',
  /** The plan's ledger raises attention items (uninvested money, books on hold): plans recorded before add none. */
  planBooksAttention: 'plan-books-attention',
  /** A cycle places its split's buys in one activity (placeSubscriptions), not one activity per fund (issue 14). */
  oneOrderActivityPerSplit: 'one-order-activity-per-split',
  /** An `orderEvents` batch from the bridge is applied (a worker without its handler left it unhandled). */
  orderEventsBatched: 'order-events-batched',
  /** A plan run starts from the PlanState/NextDebitDate its start or continue-as-new carried: no upsert of the same. */
  runStartsShowingCarriedState: 'run-starts-showing-carried-state',
  /** The read that finds a cycle's payment paid also takes its split's snapshot (paymentOutcomeThenSnapshot). */
  snapshotReadWithPaidPayment: 'snapshot-read-with-paid-payment',
  /** The orders' safety net counts its quiet period from their usual settlement, not their placement (issue 14). */
  ordersQuietFromUsualSettlement: 'orders-quiet-from-usual-settlement',
  /** The plan's loop keeps one timer across wakes (WakeTimer), not a timer per wake (issue 14). */
  planOneTimerAcrossWakes: 'plan-one-timer-across-wakes',
} as const;

/** Every patch id (e.g. for tests that recognise the SDK's patch markers in a history). */
export const PATCH_IDS: readonly string[] = Object.values(PATCH);
