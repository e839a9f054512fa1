/**
 * The KYC gate, shared by the savings cycle and the rebalance run: orders wait while the custodian's KYC does not
 * allow them. The check runs at once; while blocked it is repeated on a backoff (1 h, 2 h, 4 h, 8 h, then daily) or
 * at once on retryNow, until the KYC deadline (`deadlineDays` after the first block).
 */
import type { RetryFlag } from './order-desk';
import { DAY_MS, kycRecheckDelayMs, nowMs, waitUntil } from './time';

export interface KycCheck<T> {
  allowed: boolean;
  value: T;
}

/**
 * Runs `check` until it reports KYC allows orders, or the deadline passes (then the last check is returned with
 * `allowed: false`). `onBlocked` runs once, at the first block, with the deadline.
 */
export async function passKycGate<T>(options: {
  deadlineDays: number;
  retry: RetryFlag;
  check: () => Promise<KycCheck<T>>;
  onBlocked: (deadlineMs: number) => Promise<void>;
}): Promise<KycCheck<T>> {
  let deadline: number | undefined;
  for (let attempt = 0; ; attempt++) {
    const result = await options.check();
    if (result.allowed) return result;
    if (deadline === undefined) {
      deadline = nowMs() + options.deadlineDays * DAY_MS;
      await options.onBlocked(deadline);
    }
    if (nowMs() >= deadline) return result;
    await waitUntil(() => options.retry.requested, Math.min(deadline, nowMs() + kycRecheckDelayMs(attempt)));
    options.retry.take();
  }
}
