/**
 * Time inside workflows: Date.now() is the workflow's deterministic clock (replays see the same values), so these
 * helpers are safe to call anywhere in workflow code.
 */
import { condition, sleep } from '@temporalio/workflow';

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

/** A KYC block is re-checked after 1 h, 2 h, 4 h and 8 h, then daily (check = 0, 1, 2, …). */
export function kycRecheckDelayMs(check: number): number {
  return [HOUR_MS, 2 * HOUR_MS, 4 * HOUR_MS, 8 * HOUR_MS][check] ?? DAY_MS;
}
