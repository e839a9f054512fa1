/**
 * The Fondo sandbox (sandbox/main.ts, same options) plus a request counter for the scale benchmark: the sandbox
 * itself counts nothing, so this entry point counts every HTTP request it receives by method and route (ids and
 * query strings removed, so no account id or other data lands in the counts) through Node's `http.server.request.start`
 * diagnostics channel, before sandbox/main.ts starts the server. The parent reads the counts over IPC:
 * send `{ type: 'counts' }`, receive `{ type: 'counts', counts: { 'GET /v2/partner/client/:id/order': 12, … } }`.
 *
 *   node --import tsx bench/counting-sandbox.ts --port <port> --speed 3600   (spawned with an IPC channel)
 */
import { countServerRequests } from './request-counts';

const counts = new Map<string, number>();
countServerRequests(counts);

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'counts') process.send?.({ type: 'counts', counts: Object.fromEntries(counts) });
});

// eslint-disable-next-line @typescript-eslint/no-require-imports -- starts the sandbox after the counter is in place
require('../sandbox/main');
