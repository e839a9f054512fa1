import { randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Id factories: `id` is a lower-case UUID v4 (Fondo's `id` pattern); `sortedId` a monotonic ULID stamped with
 * business time, so list order = creation order even when many records share a millisecond.
 */
export interface IdFactory {
  id(): string;
  sortedId(businessMs: number): string;
}

export function createIdFactory(): IdFactory {
  const next = monotonicFactory();
  let last = 0;
  return {
    id: () => randomUUID(),
    // Business time never goes backwards, but guard anyway: ULIDs must stay monotonic.
    sortedId: (businessMs) => next((last = Math.max(last, businessMs))),
  };
}
