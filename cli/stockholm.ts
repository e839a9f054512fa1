/**
 * How the operator's commands print time and money: every rule of the product is Stockholm time, so every time an
 * operator reads is Stockholm wall time with its zone named (`2026-12-23 19:00 CET`); amounts read like a Swedish
 * bank statement (`1 234,50 kr`, shared/money.ts `formatSek`). JSON output keeps UTC ISO instants and decimal
 * strings: these helpers are for people only.
 */
import { TZDate } from '@date-fns/tz';
import { STOCKHOLM_TIME_ZONE } from '../shared/calendar';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A UTC instant as Stockholm wall time with the zone's abbreviation: `2026-12-23 19:00 CET`, `2026-06-01 08:00
 * CEST`. Stockholm is UTC+1 (CET) in winter and UTC+2 (CEST) in summer.
 */
export function stockholmDateTime(instant: string): string {
  const at = new TZDate(Date.parse(instant), STOCKHOLM_TIME_ZONE);
  if (Number.isNaN(at.getTime())) return instant;
  const offsetMinutes = -at.getTimezoneOffset();
  const zone =
    offsetMinutes === 120
      ? 'CEST'
      : offsetMinutes === 60
        ? 'CET'
        : `UTC${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes / 60}`;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())} ${zone}`;
}

/** `2026-12-28` → `Mon 28 Dec 2026` (a calendar date has no zone). */
export function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${WEEKDAYS[weekday]} ${d} ${MONTHS[m - 1]} ${y}`;
}
