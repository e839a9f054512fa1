/**
 * Fondo calls counted by route, for the benchmarks: every HTTP request a server of this process receives, through
 * Node's `http.server.request.start` diagnostics channel (the sandbox itself counts nothing).
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A request as its route, for counting Fondo calls: `GET /v2/partner/client/c000…/order?modifiedFrom=…` →
 * `GET /v2/partner/client/:id/order` (ids and query strings removed, so no account id or other data is kept).
 */
export function routeKey(method: string | undefined, url: string | undefined): string {
  const pathOnly = (url ?? '').split('?')[0] ?? '';
  const normalized = pathOnly
    .replace(UUID, ':id')
    .split('/')
    .map((segment) => (/\d{3,}/.test(segment) ? ':ref' : segment))
    .join('/');
  return `${method ?? '?'} ${normalized}`;
}

/** Counts the requests this process's HTTP servers receive into `counts`, by route, while `counting()` is true. */
export function countServerRequests(counts: Map<string, number>, counting: () => boolean = () => true): void {
  diagnostics.subscribe('http.server.request.start', (message) => {
    if (!counting()) return;
    const { request } = message as { request: IncomingMessage };
    const key = routeKey(request.method, request.url);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
}
