/**
 * A Fondo-shaped WebSocket event endpoint for tests: a real loopback HTTP server with the token endpoint and
 * `GET /v2/partner/client/{client_id}/subscribe` upgraded by a `ws` WebSocketServer. Upgrades need a bearer
 * token the server issued and has not revoked (else 401), unless a status is queued with `refuseNext`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeEventStream {
  url: string;
  tokenRequests: number;
  /** Authorization header of each upgrade attempt. */
  upgrades: (string | undefined)[];
  /** Server-side sockets, in connection order. */
  connections: WebSocket[];
  /** Answers the next upgrade attempts with these HTTP statuses instead of accepting them. */
  refuseNext(...statuses: number[]): void;
  revoke(token: string): void;
  /** Resolves with the next accepted connection. */
  nextConnection(): Promise<WebSocket>;
  /** Sends a JSON text message on the newest connection. */
  send(message: unknown): void;
  close(): Promise<void>;
}

export const SUBSCRIBE_PATH = '/v2/partner/client/c1/subscribe';

export async function startFakeEventStream(): Promise<FakeEventStream> {
  const valid = new Set<string>();
  const refusals: number[] = [];
  const waiters: ((socket: WebSocket) => void)[] = [];
  const pending: WebSocket[] = [];
  let issued = 0;

  const server = createServer((req, res) => {
    if (req.url === '/v2/partner/auth/token' && req.method === 'POST') {
      req.resume();
      fake.tokenRequests += 1;
      issued += 1;
      const token = `tok-${issued}`;
      valid.add(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: token, expires_in: 3600 }));
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    fake.upgrades.push(req.headers.authorization);
    const refusal = refusals.shift();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const status = refusal ?? (req.url !== SUBSCRIBE_PATH ? 404 : token === undefined || !valid.has(token) ? 401 : 101);
    if (status !== 101) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.connections.push(ws);
      const waiter = waiters.shift();
      if (waiter === undefined) pending.push(ws);
      else waiter(ws);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeEventStream = {
    url: `http://127.0.0.1:${port}`,
    tokenRequests: 0,
    upgrades: [],
    connections: [],
    refuseNext: (...statuses) => refusals.push(...statuses),
    revoke: (token) => valid.delete(token),
    nextConnection: () => {
      const ready = pending.shift();
      return ready === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(ready);
    },
    send: (message) => {
      const socket = fake.connections.at(-1);
      if (socket === undefined) throw new Error('no connection');
      socket.send(JSON.stringify(message));
    },
    close: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return fake;
}
