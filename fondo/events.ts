/**
 * The Fondo event stream (`GET /v2/partner/client/{client_id}/subscribe`, WebSocket) as an async iterable.
 *
 * Behaviour:
 * - The upgrade carries `Authorization: Bearer …` from the shared token cache; an upgrade refused with 401
 *   invalidates that token and is retried once at once with a fresh one.
 * - Each successful connection yields a `connected` item first. After a reconnect it says `reconnect: true`
 *   and `disconnectedAt`: the last moment the previous connection was known alive (its last message, or its
 *   opening). Fondo has no replay, so the consumer reconciles from there with `modifiedFrom`.
 * - Heartbeats are consumed, not yielded; any message or ping resets the liveness timer. No message within
 *   `heartbeatTimeoutMs` → the socket is terminated and the stream reconnects.
 * - Lost or failed connections are retried forever with exponential backoff and jitter; the backoff resets
 *   once a connection has delivered a message. A refusal that cannot succeed by retrying (401 after the
 *   refresh, 403, 404, other 4xx) ends the iteration with that FondoError.
 * - A malformed event is skipped and reported to `onInvalidEvent` (issues name fields, never values).
 * - Aborting `signal`, or leaving the `for await` loop, closes the socket and ends the iteration.
 * - Events are queued without bound while the consumer is busy (Fondo's event rate is low); consume promptly.
 */
import WebSocket, { type RawData } from 'ws';
import { createFondoError, isFondoError, type CallContext } from './errors';
import type { FondoHttp } from './http';
import { networkDetail } from './http';
import { parseFondoEvent, type FondoEvent } from './schemas';
import { parseJson } from './wire';

/** What the stream yields. */
export type FondoStreamItem =
  | { kind: 'event'; event: FondoEvent }
  | {
      kind: 'connected';
      /** False for the first connection of this iteration. */
      reconnect: boolean;
      /** After a reconnect: the last moment (ISO UTC) the previous connection was known alive. */
      disconnectedAt?: string;
    };

/** A message that was not a valid event. */
export interface InvalidEventInfo {
  eventType?: string;
  /** Problems as `field.path: message`. */
  issues: string[];
}

/** Options of {@link subscribeEvents}. */
export interface SubscribeOptions {
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
  /** Longest silence before a connection counts as dead; default 45000. */
  heartbeatTimeoutMs?: number;
  reconnect?: {
    /** First reconnect delay; default 500. */
    initialDelayMs?: number;
    /** Largest reconnect delay; default 30000. */
    maxDelayMs?: number;
  };
  /** Called (from the consumer's iteration) for each skipped malformed message. */
  onInvalidEvent?: (info: InvalidEventInfo) => void;
  /**
   * Called when a connection ends or an attempt to connect fails (then the stream waits `retryInMs` and tries
   * again), so a consumer can report itself not ready. The error is classified; it names no id.
   */
  onDisconnected?: (info: { retryInMs: number; error?: unknown }) => void;
}

/** Default liveness window: Fondo's heartbeat interval is not documented. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;
export const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 500;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 30_000;

/** Subscribes to a client's events. Iterate it once; each iteration opens its own connection. */
export function subscribeEvents(
  http: FondoHttp,
  clientId: string,
  options: SubscribeOptions = {}
): AsyncIterable<FondoStreamItem> {
  const path = `/v2/partner/client/${encodeURIComponent(clientId)}/subscribe`;
  return { [Symbol.asyncIterator]: () => streamEvents(http, path, options) };
}

async function* streamEvents(
  http: FondoHttp,
  path: string,
  options: SubscribeOptions
): AsyncGenerator<FondoStreamItem, void, undefined> {
  const { signal, onInvalidEvent } = options;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  const initialDelayMs = options.reconnect?.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS;
  const context: CallContext = { method: 'GET', path };
  let previousAliveAt: number | undefined;
  let failedAttempts = 0;

  while (!isAborted(signal)) {
    let connection: Connection;
    try {
      connection = await connect(http, context, heartbeatTimeoutMs, signal);
    } catch (error) {
      if (isAborted(signal)) return;
      if (isFondoError(error) && !error.retryable) throw error;
      const retryInMs = backoffDelay(failedAttempts++, initialDelayMs, maxDelayMs);
      options.onDisconnected?.({ retryInMs, error });
      await sleep(retryInMs, signal);
      continue;
    }
    try {
      yield previousAliveAt === undefined
        ? { kind: 'connected', reconnect: false }
        : { kind: 'connected', reconnect: true, disconnectedAt: new Date(previousAliveAt).toISOString() };
      for (let entry = await connection.next(); entry !== undefined; entry = await connection.next()) {
        if (entry.kind === 'invalid') onInvalidEvent?.(entry.info);
        else yield entry;
      }
    } finally {
      connection.close();
    }
    previousAliveAt = connection.lastAliveAt;
    if (connection.receivedMessage) failedAttempts = 0;
    if (isAborted(signal)) return;
    const retryInMs = backoffDelay(failedAttempts++, initialDelayMs, maxDelayMs);
    options.onDisconnected?.({ retryInMs });
    await sleep(retryInMs, signal);
  }
}

/** Opens an authenticated socket, retrying once with a fresh token if the upgrade is refused with 401. */
async function connect(
  http: FondoHttp,
  context: CallContext,
  heartbeatTimeoutMs: number,
  signal: AbortSignal | undefined
): Promise<Connection> {
  const url = new URL(http.baseUrl + context.path);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = await http.accessToken(signal, context);
  try {
    return await Connection.open(url, token, context, {
      heartbeatTimeoutMs,
      handshakeTimeoutMs: http.timeoutMs,
      signal,
    });
  } catch (error) {
    if (!isFondoError(error) || error.status !== 401) throw error;
    http.invalidateToken(token);
    const fresh = await http.accessToken(signal, context);
    return Connection.open(url, fresh, context, { heartbeatTimeoutMs, handshakeTimeoutMs: http.timeoutMs, signal });
  }
}

type QueueEntry = FondoStreamItem | { kind: 'invalid'; info: InvalidEventInfo };

/** One WebSocket connection: a queue of parsed messages, a liveness timer and its end. */
class Connection {
  /** Last time (ms since epoch) the connection was known alive. */
  lastAliveAt = Date.now();
  receivedMessage = false;
  readonly #socket: WebSocket;
  readonly #heartbeatTimeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #queue: QueueEntry[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  #liveness: NodeJS.Timeout | undefined;
  readonly #onAbort = () => this.close();

  private constructor(socket: WebSocket, heartbeatTimeoutMs: number, signal: AbortSignal | undefined) {
    this.#socket = socket;
    this.#heartbeatTimeoutMs = heartbeatTimeoutMs;
    this.#signal = signal;
    socket.on('message', (data: RawData) => this.#onMessage(data));
    socket.on('ping', () => this.#markAlive());
    socket.on('close', () => this.#end());
    // Errors after the opening end the connection through 'close'; the listener keeps them from being thrown.
    socket.on('error', () => undefined);
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#armLiveness();
  }

  /** Resolves once the socket is open; rejects with a classified FondoError otherwise. */
  static open(
    url: URL,
    token: string,
    context: CallContext,
    options: { heartbeatTimeoutMs: number; handshakeTimeoutMs: number; signal: AbortSignal | undefined }
  ): Promise<Connection> {
    const { signal } = options;
    if (isAborted(signal)) return Promise.reject(createFondoError(context, { cause: 'abort' }));
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: options.handshakeTimeoutMs,
    });
    return new Promise<Connection>((resolve, reject) => {
      let refusal: { status: number; headers: Record<string, string | undefined> } | undefined;
      const onAbort = () => socket.terminate();
      const settle = () => {
        socket.off('open', onOpen);
        socket.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
      };
      const onOpen = () => {
        settle();
        resolve(new Connection(socket, options.heartbeatTimeoutMs, signal));
      };
      const onError = (error: Error) => {
        settle();
        socket.on('error', () => undefined);
        if (isAborted(signal)) reject(createFondoError(context, { cause: 'abort' }));
        else if (refusal !== undefined) reject(createFondoError(context, refusal));
        else if (error.message.includes('handshake has timed out')) {
          reject(createFondoError(context, { cause: 'timeout', detail: 'WebSocket handshake timed out' }));
        } else reject(createFondoError(context, { cause: 'network', detail: networkDetail({ cause: error }) }));
      };
      socket.on('unexpected-response', (_request, response) => {
        refusal = { status: response.statusCode ?? 0, headers: { 'retry-after': response.headers['retry-after'] } };
        response.resume();
        socket.terminate();
      });
      socket.once('open', onOpen);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The next queued item, waiting for one; undefined once the connection has ended and the queue is empty. */
  async next(): Promise<QueueEntry | undefined> {
    for (;;) {
      const entry = this.#queue.shift();
      if (entry !== undefined) return entry;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Closes the socket (idempotent); queued items stay readable. */
  close(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    clearTimeout(this.#liveness);
    if (this.#socket.readyState !== WebSocket.CLOSED) this.#socket.terminate();
    this.#end();
  }

  #onMessage(data: RawData): void {
    this.#markAlive();
    this.receivedMessage = true;
    let message: unknown;
    try {
      message = parseJson(rawText(data));
    } catch {
      this.#push({ kind: 'invalid', info: { issues: ['(root): message is not JSON'] } });
      return;
    }
    if ((message as { eventType?: unknown } | null)?.eventType === 'heartbeat') return;
    const parsed = parseFondoEvent(message);
    if (parsed.ok) this.#push({ kind: 'event', event: parsed.event });
    else {
      const { eventType, issues } = parsed;
      this.#push({ kind: 'invalid', info: eventType === undefined ? { issues } : { eventType, issues } });
    }
  }

  #markAlive(): void {
    this.lastAliveAt = Date.now();
    this.#armLiveness();
  }

  #armLiveness(): void {
    clearTimeout(this.#liveness);
    this.#liveness = setTimeout(() => this.#socket.terminate(), this.#heartbeatTimeoutMs);
  }

  #push(entry: QueueEntry): void {
    this.#queue.push(entry);
    this.#wakeReader();
  }

  #end(): void {
    clearTimeout(this.#liveness);
    this.#ended = true;
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

// A function, not an inline check: the flag changes across awaits, which TypeScript's narrowing ignores.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Exponential backoff with "equal jitter": between half and all of `min(max, initial · 2^attempt)`. */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms`, or less if `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (isAborted(signal)) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
