/**
 * The process-wide access-token cache.
 *
 * Invariants:
 * - One entry per base URL + client id, shared by every FondoClient in the process.
 * - At most one token request per entry is in flight; concurrent callers await the same one.
 * - A token is refreshed `max(30 s, 10% of expires_in)` before it expires, capped at half its lifetime so a
 *   short-lived token is still reused.
 * - Invalidation (after a 401) removes a token only if it is still the cached one, so a late 401 for an old
 *   token never discards a fresh token.
 * - A failed token request leaves nothing behind: the next caller tries again.
 */
import type { TokenResponse } from './schemas';

/** Fetches a new token from Fondo (the HTTP layer supplies it). */
export type TokenFetcher = () => Promise<TokenResponse>;

interface CachedToken {
  value: string;
  /** When to fetch a new one (ms since epoch). */
  refreshAtMs: number;
}

interface CacheEntry {
  token?: CachedToken;
  inFlight?: Promise<CachedToken>;
}

const MIN_REFRESH_MARGIN_MS = 30_000;
const tokenCache = new Map<string, CacheEntry>();

/** The cache key of a partner credential at one Fondo base URL. */
export function tokenCacheKey(baseUrl: string, clientId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}\n${clientId}`;
}

/** How long before expiry a token of `expiresInSeconds` is refreshed, in milliseconds. */
export function refreshMarginMs(expiresInSeconds: number): number {
  const lifetimeMs = expiresInSeconds * 1000;
  return Math.min(Math.max(MIN_REFRESH_MARGIN_MS, lifetimeMs / 10), lifetimeMs / 2);
}

/**
 * A valid access token for `key`: the cached one while it is fresh, else the result of one shared
 * `fetchToken()` call. The fetch is not tied to any caller's abort signal because other callers share it.
 */
export async function getAccessToken(key: string, fetchToken: TokenFetcher): Promise<string> {
  const entry = tokenCache.get(key) ?? {};
  tokenCache.set(key, entry);
  if (entry.token !== undefined && Date.now() < entry.token.refreshAtMs) return entry.token.value;
  entry.inFlight ??= startFetch(entry, fetchToken);
  return (await entry.inFlight).value;
}

function startFetch(entry: CacheEntry, fetchToken: TokenFetcher): Promise<CachedToken> {
  const requestedAt = Date.now();
  const inFlight = fetchToken().then(
    (response): CachedToken => {
      // Lifetime counts from when we asked, so network time only makes us refresh earlier.
      const expiresAtMs = requestedAt + response.expires_in * 1000;
      const token = { value: response.access_token, refreshAtMs: expiresAtMs - refreshMarginMs(response.expires_in) };
      entry.token = token;
      entry.inFlight = undefined;
      return token;
    },
    (error: unknown) => {
      entry.inFlight = undefined;
      throw error;
    }
  );
  // Every caller awaits `inFlight` itself; this only keeps a rejection nobody waits for (all callers
  // aborted) from being reported as unhandled.
  inFlight.catch(() => undefined);
  return inFlight;
}

/** Drops `token` from the cache if it is still the cached token for `key` (call after a 401). */
export function invalidateAccessToken(key: string, token: string): void {
  const entry = tokenCache.get(key);
  if (entry?.token?.value === token) entry.token = undefined;
}

/** Empties the cache (tests only need this; production code never should). */
export function clearTokenCache(): void {
  tokenCache.clear();
}
