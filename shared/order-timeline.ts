/**
 * When a fund order is normally final, by Swedish fund practice (Avanza's and Nordnet's 13:00 fund order cut-off,
 * and the sandbox's lifecycle, docs/SANDBOX.md):
 * an order placed on a banking day by the 13:00 cut-off is sent that day — its trade date — (after the cut-off or on
 * another day: the next banking day), priced the next banking day and settled two banking days after the trade date,
 * at 09:00 Stockholm time.
 *
 * Until then the custodian has nothing final to report, and the event bridge signals final states only, so a
 * healthy bridge is silent: the safety net of a workflow waiting for its orders (shared/quiet-period.ts) starts
 * counting its quiet period here, not when the orders were placed. It is an estimate: a fund with another cut-off
 * (12:00–15:30) or settlement cycle (0–2 days to trade) moves the real moment by about a day, which only moves the
 * fallback read; an order final earlier is learnt from its event at once (if that event is lost for good, 15 minutes
 * after this moment: docs/ARCHITECTURE.md "Safety net inside the workflows").
 *
 * Pure: workflows call it with their deterministic clock.
 */
import { addBankingDays, isBankingDay, nextBankingDay, stockholmDate, stockholmTime } from './calendar';

/** The usual fund order cut-off (Stockholm time). */
export const USUAL_ORDER_CUTOFF = '13:00';
/** Banking days from the trade date to settlement. */
export const USUAL_SETTLEMENT_BANKING_DAYS = 2;
/** When on the settlement day an order is normally settled (Stockholm time). */
export const USUAL_SETTLEMENT_TIME = '09:00';

/** The trade date of an order placed at `placedAtMs`: that day if a banking day and by the cut-off, else the next. */
export function usualTradeDate(placedAtMs: number): string {
  const day = stockholmDate(new Date(placedAtMs).toISOString());
  const byCutoff = placedAtMs <= Date.parse(stockholmTime(day, USUAL_ORDER_CUTOFF));
  return isBankingDay(day) && byCutoff ? day : nextBankingDay(day);
}

/** When an order placed at `placedAtMs` is normally final (settled), epoch ms. */
export function usualFinalAt(placedAtMs: number): number {
  const settlementDay = addBankingDays(usualTradeDate(placedAtMs), USUAL_SETTLEMENT_BANKING_DAYS);
  return Date.parse(stockholmTime(settlementDay, USUAL_SETTLEMENT_TIME));
}
