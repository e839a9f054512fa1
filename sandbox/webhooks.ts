/**
 * Optional webhook delivery of the same events as the WebSocket stream. Each delivery is a POST of the event JSON
 * (`{ eventType, current?, previous? }`) with headers
 *   X-Fondo-Sandbox-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the registration's secret>
 *   X-Fondo-Sandbox-Delivery:  <uuid, the same on every retry of one delivery>
 * A non-2xx answer or a network error is retried with exponential backoff (1 s, 2 s, 4 s, … real time) up to
 * `maxAttempts`; deliveries to one URL keep event order (one at a time per registration).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { SandboxEvent } from './events';
import { toJson } from './wire';

export interface WebhookRegistration {
  id: string;
  url: string;
  secret: string;
  /** Only this client's events; all clients when absent. */
  clientId?: string;
  delivered: number;
  failedAttempts: number;
  dropped: number;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookDeliverer {
  private readonly registrations = new Map<string, WebhookRegistration>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly options: { maxAttempts: number; initialDelayMs: number } = { maxAttempts: 6, initialDelayMs: 1000 }
  ) {}

  register(input: { url: string; secret: string; clientId?: string }): WebhookRegistration {
    const registration = { ...input, id: randomUUID(), delivered: 0, failedAttempts: 0, dropped: 0 };
    this.registrations.set(registration.id, registration);
    return registration;
  }

  list(): WebhookRegistration[] {
    return [...this.registrations.values()].map((r) => ({ ...r, secret: '[hidden]' }));
  }

  clear(): void {
    this.registrations.clear();
  }

  /** Queues the event for every matching registration (called by the event bus). */
  enqueue(clientId: string, event: SandboxEvent): void {
    if (event.eventType === 'heartbeat') return;
    for (const r of this.registrations.values()) {
      if (r.clientId && r.clientId !== clientId) continue;
      const body = toJson(event);
      const deliveryId = randomUUID();
      const previous = this.queues.get(r.id) ?? Promise.resolve();
      this.queues.set(
        r.id,
        previous.then(() => this.deliver(r, body, deliveryId))
      );
    }
  }

  /** Resolves when every queued delivery has finished (delivered or dropped). */
  async idle(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  private async deliver(r: WebhookRegistration, body: string, deliveryId: string): Promise<void> {
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (!this.registrations.has(r.id)) return;
      try {
        const response = await fetch(r.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-fondo-sandbox-signature': signBody(r.secret, body),
            'x-fondo-sandbox-delivery': deliveryId,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) {
          r.delivered += 1;
          return;
        }
      } catch {
        // Network failure: retried below like a non-2xx answer.
      }
      r.failedAttempts += 1;
      if (attempt < this.options.maxAttempts) {
        await new Promise((resolve) => setTimeout(resolve, this.options.initialDelayMs * 2 ** (attempt - 1)));
      }
    }
    r.dropped += 1;
  }
}
