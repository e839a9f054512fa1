/**
 * Fondo events: `{ eventType, current?, previous? }`. Every state change of an account, order or transaction
 * is published to the owning client's WebSocket subscribers and registered webhooks, in order.
 */
export interface SandboxEvent {
  eventType: string;
  current?: unknown;
  previous?: unknown;
}

export type EventListener = (clientId: string, event: SandboxEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly recent: { at: string; clientId: string; event: SandboxEvent }[] = [];

  constructor(private readonly keepRecent = 500) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(clientId: string, event: SandboxEvent, atIso: string): void {
    this.recent.push({ at: atIso, clientId, event });
    if (this.recent.length > this.keepRecent) this.recent.shift();
    for (const listener of this.listeners) listener(clientId, event);
  }

  /** The most recent events (for the control API's event log). */
  recentEvents(): readonly { at: string; clientId: string; event: SandboxEvent }[] {
    return this.recent;
  }
}
