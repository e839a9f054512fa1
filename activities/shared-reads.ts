/**
 * Reads that every plan of a client shares, served once per worker for a short time. The partner's fund list
 * (rules, prices, tradability: `GET …/instrument`) is the same for every plan of a client, and in the busy hour
 * thousands of cycles read it within minutes; each cycle read it twice (pre-check, snapshot). Rule:
 * - one read serves every activity of this worker that asks within `ttlMs`; callers during a read wait for that read
 *   (one request in flight per client, never a burst);
 * - a failed read is not kept: the next caller reads again (and the activity retries as before);
 * - stale by at most `ttlMs`: a fund closed meanwhile is refused by the custodian at the order and the cycle holds
 *   the leg (shared/cycle-steps.ts), so a stale list never buys a closed fund; prices only estimate units;
 * - `ttlMs` 0 reads every time (the tests' in-process workers, whose scenarios change funds between steps).
 * The shared read is not tied to one activity's cancellation (another activity may wait for it; the Fondo client's
 * own timeout bounds it), but a cancelled activity stops waiting for it. The list is frozen: callers share it.
 */
import { LRUCache } from 'lru-cache';
import type { FondoClient, Instrument } from '../fondo';
import { untilAborted } from '../fondo/abort';

export interface SharedReads {
  /** The client's fund list (`listClientInstruments`), shared for the configured time. */
  clientInstruments(clientId: string, signal: AbortSignal): Promise<Instrument[]>;
}

/** Most clients whose fund list is kept at once (a partner has a handful). */
const MAX_CLIENTS = 1_000;

export function sharedReads(fondo: FondoClient, ttlMs: number): SharedReads {
  if (ttlMs <= 0) return { clientInstruments: (clientId, signal) => fondo.listClientInstruments(clientId, { signal }) };
  const instruments = new LRUCache<string, Instrument[]>({
    max: MAX_CLIENTS,
    ttl: ttlMs,
    fetchMethod: async (clientId) => Object.freeze(await fondo.listClientInstruments(clientId)) as Instrument[],
  });
  return {
    async clientInstruments(clientId, signal) {
      signal.throwIfAborted();
      const list = await untilAborted(instruments.fetch(clientId), signal);
      if (list === undefined) throw new Error(`no fund list for client ${clientId}`); // fetchMethod never returns none
      return list;
    },
  };
}
