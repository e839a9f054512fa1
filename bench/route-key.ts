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
