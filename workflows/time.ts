/**
 * Time inside workflows: Date.now() is the workflow's deterministic clock (replays see the same values), so these
 * helpers are safe to call anywhere in workflow code.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function nowMs(): number {
  return Date.now();
}

export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** Sleeps until an instant (returns at once if it has passed). */
export async function sleepUntil(instantMs: number): Promise<void> {
  const delay = instantMs - Date.now();
  if (delay > 0) await sleep(delay);
}

/** Waits until `fn()` is true or the instant passes (never, for Infinity); true when `fn()` became true. */
export async function waitUntil(fn: () => boolean, instantMs: number): Promise<boolean> {
  if (fn()) return true;
  if (!Number.isFinite(instantMs)) {
    await condition(fn);
    return true;
  }
  const delay = instantMs - Date.now();
  if (delay <= 0) return fn();
  return condition(fn, delay);
}

/**
 * One timer for a waiting loop's deadline, kept across wakes (issue 14: "every wake re-arms a fallback timer").
 * `condition(fn, timeout)` starts a timer and cancels it when `fn` wins, so a loop woken by every event starts a
 * timer per wake. `wait` instead races the armed timer with `condition` (no timeout): a wake by `fn` leaves the
 * timer running for the next wait, and a new timer starts only when none is armed, the armed one has fired, or an
 * earlier instant is asked for. An armed timer earlier than the instant asked for is kept: when it fires, the wait
 * re-arms for the later instant and goes on waiting (a moved-out deadline costs at most that one timer).
 */
export class WakeTimer {
  private armedAt = Infinity;
  private fired = false;
  private scope: CancellationScope | undefined;

  /** Waits until `fn()` is true or the instant passes (never, for Infinity); true when `fn()` became true. */
  async wait(fn: () => boolean, instantMs: number): Promise<boolean> {
    for (;;) {
      if (fn()) return true;
      if (nowMs() >= instantMs) return false;
      if (Number.isFinite(instantMs) && (!this.scope || this.armedAt > instantMs)) this.arm(instantMs);
      await condition(() => fn() || this.fired);
      if (this.fired) this.forget(); // the armed instant has passed: the loop re-checks and re-arms if need be
    }
  }

  /** Cancels the armed timer (the loop that used it is done). */
  cancel(): void {
    if (this.scope && !this.fired) this.scope.cancel();
    this.forget();
  }

  private forget(): void {
    this.scope = undefined;
    this.armedAt = Infinity;
    this.fired = false;
  }

  private arm(instantMs: number): void {
    this.cancel();
    const scope = new CancellationScope({ cancellable: true });
    this.scope = scope;
    this.armedAt = instantMs;
    scope
      .run(() => sleep(instantMs - nowMs()))
      .then(
        () => {
          if (this.scope === scope) this.fired = true;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        }
      );
  }
}

/** A KYC block is re-checked after 1 h, 2 h, 4 h and 8 h, then daily (check = 0, 1, 2, …). */
export function kycRecheckDelayMs(check: number): number {
  return [HOUR_MS, 2 * HOUR_MS, 4 * HOUR_MS, 8 * HOUR_MS][check] ?? DAY_MS;
}
