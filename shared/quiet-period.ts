/**
 * The in-workflow safety net for lost custodian events (issue 16, item 3). Events from the bridge are how a cycle
 * learns that the custodian moved; when they are lost (bridge down, Temporal unreachable past the bridge's retries,
 * a queue overflow), the workflow must not wait for its slow fallback poll (12 h for an order, 6 h for a payment).
 *
 * Rule: once the custodian should have moved (open orders past their usual settlement, shared/order-timeline.ts; a
 * payment whose debit date's 08:00 has passed), a workflow that has heard nothing for the quiet period reads the
 * custodian once, then backs off: the interval before the k-th read after the anchor (k = 0, 1, 2, …) is
 * `quiet × growth^k`, capped at the old poll interval (12 h for orders, 6 h for payments).
 *
 * Orders grow ×4: reads 15 min, 1 h 15, 5 h 15, 17 h 15 after the anchor, then every 12 h. An order legitimately
 * waits two banking days for settlement with no event (the bridge signals final states only), so the anchor is the
 * later of the last progress (an order placed or become final) and the open orders' usual settlement: on the happy
 * path the net reads nothing (counting from the placement, it read 7 times per cycle in that wait: issue 14).
 * Payments grow ×2 (15 min, 45 min, 1 h 45, 3 h 45, 7 h 45, then every 6 h): their first read is already the debit
 * date's 08:00, after the bank's 06:00 report, so later reads happen only when the payment is late; their anchor is
 * the instant the payment should have been reported. A read that finds nothing new never resets an anchor.
 *
 * Pure: workflows call it with their deterministic clock (Date.now() in workflow code).
 */

export interface QuietPeriodPolicy {
  /** How long a workflow waits for an event after the custodian should have moved, before reading it itself. */
  quietMs: number;
  /** The longest interval between two reads (the old fallback poll interval). */
  maxIntervalMs: number;
  /** Each interval is this many times the one before (until the cap); ≥ 1. */
  growth: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The quiet period: one place to change it (issue 16 asks for minutes, not hours). */
export const QUIET_PERIOD_MS = 15 * MINUTE_MS;

/** Orders: quiet period, then ×4 up to the old 12-hour order poll. */
export const ORDER_QUIET_POLICY: QuietPeriodPolicy = {
  quietMs: QUIET_PERIOD_MS,
  maxIntervalMs: 12 * HOUR_MS,
  growth: 4,
};

/** Payments: after the debit date's 08:00 read, quiet period, then doubling up to the old 6-hour payment poll. */
export const PAYMENT_QUIET_POLICY: QuietPeriodPolicy = {
  quietMs: QUIET_PERIOD_MS,
  maxIntervalMs: 6 * HOUR_MS,
  growth: 2,
};

/** The interval before the k-th read after the anchor (k = 0 is the quiet period itself). */
export function quietInterval(attempt: number, policy: QuietPeriodPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number ≥ 0: ${attempt}`);
  if (!(policy.quietMs > 0) || !(policy.maxIntervalMs >= policy.quietMs) || !(policy.growth >= 1))
    throw new RangeError('a quiet-period policy needs 0 < quietMs ≤ maxIntervalMs and growth ≥ 1');
  // growth^attempt may overflow to Infinity for large attempts; the cap keeps the result finite.
  return Math.min(policy.quietMs * policy.growth ** Math.min(attempt, 1024), policy.maxIntervalMs);
}

/**
 * When the next safety read is due: `attempts` reads already made since `anchorMs` (the last progress) found
 * nothing new. Deterministic in its inputs, so a replayed workflow arms the same timer.
 */
export function nextQuietReadAt(anchorMs: number, attempts: number, policy: QuietPeriodPolicy): number {
  let at = anchorMs;
  for (let k = 0; k <= attempts; k++) {
    const interval = quietInterval(k, policy);
    if (interval === policy.maxIntervalMs) return at + (attempts - k + 1) * interval;
    at += interval;
  }
  return at;
}
