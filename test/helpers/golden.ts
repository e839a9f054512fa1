import { stockholmDate } from '../../shared/calendar';

/**
 * The golden normaliser of the operator's commands (test/workflows/operator-goldens.test.ts). The scenarios run at
 * fixed business dates, so periods, dates, amounts, units, NAVs, references (`<plan>:<period>:<fund>`) and
 * Stockholm wall times (minute precision) are exact in the goldens. Only what truly varies between runs is
 * replaced, always by a named placeholder:
 *
 * - Fondo's record ids (payment instruction and order ids: random UUIDs, ULIDs) → `<uuid-1>`, `<ulid-1>`, … numbered
 *   by first appearance in the text, so a record keeps one name everywhere it is referred to. The test's own fixed
 *   ids (client, accounts) are kept.
 * - The sub-minute part of UTC instants (`…T16:00:07.412Z` → `…T16:00:ss.sssZ`): workflow time moves at real speed
 *   between two skipped timers, so an instant is its timer's plus the milliseconds the worker took.
 * - The instant the sandbox seeded its fund prices (the NAV date of an untouched fund): the test server starts at the
 *   real time of the run → `<seeded-at>`, and its Stockholm date → `<seeded-date>`.
 */
export function normaliseGolden(text: string, fixed: { keepIds: readonly string[]; seededAt: string }): string {
  const keep = new Set(fixed.keepIds.map((id) => id.toLowerCase()));
  const names = new Map<string, string>();
  const counters = { uuid: 0, ulid: 0 };
  const name = (kind: 'uuid' | 'ulid', id: string): string => {
    let n = names.get(id);
    if (n === undefined) {
      n = `<${kind}-${++counters[kind]}>`;
      names.set(id, n);
    }
    return n;
  };
  return text
    .replaceAll(fixed.seededAt, '<seeded-at>')
    .replaceAll(stockholmDate(fixed.seededAt), '<seeded-date>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, (id) =>
      keep.has(id.toLowerCase()) ? id : name('uuid', id)
    )
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, (id) => name('ulid', id))
    .replace(/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):\d{2}(\.\d{1,3})?Z/g, '$1:ss.sssZ');
}
